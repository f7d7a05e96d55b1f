// Pas à pas: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // After htmx swaps a lesson step, move the focus to its title (or to the
  // feedback after an answer), so keyboard and screen reader users follow.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target && document.getElementById(event.detail.target.id);
    var scope = target || document;
    var focusables = scope.querySelectorAll("[data-focus-on-swap]");
    var element = focusables[focusables.length - 1];
    if (element) {
      element.focus();
      if (element.scrollIntoView) element.scrollIntoView({ block: "nearest" });
    }
    setUpListenButtons(scope);
  });

  // "Écouter": plays the recorded narration if the editor gave one, or reads the
  // step aloud with the browser's own voice.
  function setUpListenButtons(scope) {
    var buttons = scope.querySelectorAll("[data-listen]");
    Array.prototype.forEach.call(buttons, function (button) {
      var body = document.querySelector(button.getAttribute("data-listen"));
      if (!body) return;
      var narration = body.querySelector("audio[data-narration]");
      if (!narration && !("speechSynthesis" in window)) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        if (narration) {
          narration.play();
          return;
        }
        window.speechSynthesis.cancel();
        var title = document.getElementById("step-title");
        var text = (title ? title.textContent + ". " : "") + body.innerText;
        var utterance = new SpeechSynthesisUtterance(text);
        utterance.lang = document.documentElement.lang || "fr";
        utterance.rate = 0.9;
        window.speechSynthesis.speak(utterance);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpListenButtons(document);
  });
})();
