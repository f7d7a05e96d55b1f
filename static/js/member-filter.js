// The structure form's search box: hides the people whose name or e-mail doesn't
// contain what is typed. Ticked boxes always stay visible, so nobody is unticked
// out of sight. In a file, not inline: the Content-Security-Policy runs no inline script.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-member-filter]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("data-member-filter"));
    if (!list) return;
    input.addEventListener("input", function () {
      var query = input.value.trim().toLowerCase();
      list.querySelectorAll("input[type=checkbox]").forEach(function (box) {
        var row = box.closest("div") || box.parentNode;
        var label = box.closest("label") || row;
        var match = !query || label.textContent.toLowerCase().indexOf(query) !== -1;
        row.hidden = !(match || box.checked);
      });
    });
  });
});
