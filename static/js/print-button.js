// A button that prints the page (the learner cards). In a file, not an onclick
// attribute: the Content-Security-Policy runs no inline script.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
});
