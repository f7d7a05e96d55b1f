// "Offres d'emploi" simulator: a character counter under the application message.
// Without this file, the page says the maximum and the browser stops at it.
(function () {
  "use strict";
  function setUp(textarea) {
    var counter = document.getElementById(textarea.getAttribute("data-counter"));
    if (!counter) return;
    var max = counter.getAttribute("data-max");
    var template = counter.getAttribute("data-template") || "%(count)s / %(max)s";
    function update() {
      var count = textarea.value.length;
      counter.textContent = template.replace("%(count)s", count).replace("%(max)s", max);
      counter.classList.toggle("jobs-counter-full", String(count) === max);
    }
    textarea.addEventListener("input", update);
    update();
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-counter]"), setUp);
  });
})();
