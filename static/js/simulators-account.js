// "Mon compte en ligne": the password rules tick themselves while the person types,
// and a button shows the password. The server checks everything again; the page
// works without this file.
(function () {
  "use strict";

  var TESTS = {
    capital: function (text) { return /\p{Lu}/u.test(text); },
    digit: function (text) { return /\p{Nd}/u.test(text); },
    special: function (text) { return /[^\p{L}\p{N}\s]/u.test(text); }
  };

  function setUpRules(input) {
    var list = document.querySelector("[data-password-rules]");
    if (!list) return;
    var minLength = parseInt(list.getAttribute("data-min-length"), 10) || 8;
    input.addEventListener("input", function () {
      var text = input.value;
      Array.prototype.forEach.call(list.querySelectorAll("[data-rule]"), function (item) {
        var rule = item.getAttribute("data-rule");
        var ok = rule === "length" ? Array.from(text).length >= minLength : TESTS[rule](text);
        item.classList.toggle("acc-rule-ok", ok);
        item.classList.toggle("acc-rule-ko", !ok && text.length > 0);
        item.querySelector(".acc-rule-mark").textContent = ok ? "✓" : (text.length ? "✗" : "○");
        item.querySelector(".acc-rule-state").textContent = ok
          ? " (" + list.getAttribute("data-ok") + ")" : "";
      });
    });
  }

  function addShowButton(input) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "acc-link-button acc-show-password";
    button.textContent = input.getAttribute("data-password");
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", function () {
      var shown = input.type === "text";
      input.type = shown ? "password" : "text";
      button.setAttribute("aria-pressed", shown ? "false" : "true");
    });
    input.insertAdjacentElement("afterend", button);
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-password-check]"), setUpRules);
    Array.prototype.forEach.call(document.querySelectorAll("[data-password]"), addShowButton);
  });
})();
