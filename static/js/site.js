// Pas à pas: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // Once htmx has swapped and settled a lesson step, move the focus to its title (or to the
  // feedback after an answer), so keyboard and screen reader users follow.
  document.addEventListener("htmx:afterSettle", function (event) {
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

// Shared computers: warn one minute before the inactivity sign-out; "Je suis
// toujours là" tells the server (any request counts as activity).
(function () {
  "use strict";
  var body = document.body;
  var seconds = body && parseInt(body.getAttribute("data-inactivity-seconds"), 10);
  if (!seconds) return;
  var dialog = document.getElementById("inactivity-dialog");
  var warnTimer, endTimer;

  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(function () {
      if (dialog && dialog.showModal && !dialog.open) dialog.showModal();
    }, Math.max(seconds - 60, 1) * 1000);
    endTimer = setTimeout(function () {
      window.location.assign(body.getAttribute("data-expired-url"));
    }, seconds * 1000);
  }

  function stillHere() {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    var headers = JSON.parse(body.getAttribute("hx-headers") || "{}");
    fetch(body.getAttribute("data-ping-url"), {
      method: "POST",
      headers: headers,
      credentials: "same-origin",
      body: token ? new URLSearchParams({ csrfmiddlewaretoken: token.value }) : null,
    });
    if (dialog && dialog.open) dialog.close();
    schedule();
  }

  document.addEventListener("htmx:afterRequest", schedule);
  if (dialog) {
    dialog.querySelector("[data-still-here]").addEventListener("click", stillHere);
    dialog.addEventListener("cancel", stillHere);
  }
  schedule();
})();

// Print buttons (the page stays usable without JavaScript: browsers print on their own).
document.addEventListener("DOMContentLoaded", function () {
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});

// Time spent: counts only while the lesson is visible, sent every 30 s and
// when the page is hidden; the server caps what a beat can add.
(function () {
  "use strict";
  var marker = document.querySelector("[data-heartbeat-url]");
  if (!marker || !navigator.sendBeacon) return;
  var url = marker.getAttribute("data-heartbeat-url");
  var lesson = marker.getAttribute("data-lesson-id");
  var visibleSince = document.visibilityState === "visible" ? Date.now() : null;
  var pending = 0;

  function collect() {
    if (visibleSince !== null) {
      pending += (Date.now() - visibleSince) / 1000;
      visibleSince = document.visibilityState === "visible" ? Date.now() : null;
    }
  }
  function send() {
    collect();
    var seconds = Math.floor(pending);
    if (seconds < 1) return;
    pending -= seconds;
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    var data = new FormData();
    data.append("lesson", lesson);
    data.append("seconds", String(seconds));
    if (token) data.append("csrfmiddlewaretoken", token.value);
    navigator.sendBeacon(url, data);
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") send();
    else visibleSince = Date.now();
  });
  window.addEventListener("pagehide", send);
  setInterval(send, 30000);
})();

// "J'ai besoin d'aide": once htmx has swapped the button for the answer (or back),
// the focus goes to the new text or button, not to the top of the page.
document.addEventListener("htmx:afterSettle", function (event) {
  if (!event.detail.target || event.detail.target.id !== "help-request") return;
  var element = document.querySelector("#help-request [data-help-focus]");
  if (element) element.focus();
});
