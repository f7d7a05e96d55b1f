// Pas à pas: the hands-on exercises (mouse and keyboard). Lesson pages only.
// Each exercise is a form; this file fills its hidden inputs and submits it, and the
// server grades. The answer records how it was done: "mouse", "touch" or "keyboard".
// Every text shown here comes from the page (data-msg-*), translated there.
(function () {
  "use strict";

  // --- How the learner is working: the last pointer or key press -----------------------
  var lastInput = "mouse";
  var lastPointer = "mouse";
  function pointerKind(type) {
    return type === "touch" || type === "pen" ? "touch" : "mouse";
  }
  document.addEventListener("pointerdown", function (event) {
    lastPointer = lastInput = pointerKind(event.pointerType);
  }, true);
  document.addEventListener("keydown", function () { lastInput = "keyboard"; }, true);

  // A click's origin: keyboard-made clicks (Enter, Space) have no pointer and no count.
  function clickMode(event) {
    if (event.detail === 0) return "keyboard";
    if (event.pointerType) return pointerKind(event.pointerType);
    return lastInput === "keyboard" ? lastPointer : lastInput;
  }

  function mostFrequent(list, fallback) {
    var counts = {}, best = fallback, bestCount = 0;
    list.forEach(function (item) {
      counts[item] = (counts[item] || 0) + 1;
      if (counts[item] >= bestCount) { best = item; bestCount = counts[item]; }
    });
    return best;
  }

  function field(form, name) { return form.querySelector('[data-field="' + name + '"]'); }
  function setField(form, name, value) {
    var input = field(form, name);
    if (input) input.value = String(value);
  }
  function say(form, text) {
    var status = form.querySelector("[data-status]");
    if (status) status.textContent = text || "";
  }
  function submit(form, submitter) {
    if (form.requestSubmit) form.requestSubmit(submitter);
    else form.submit();
  }

  // --- Click targets: one at a time, smaller and smaller ---------------------------------
  function clickTargets(form) {
    var area = form.querySelector("[data-area]");
    var counter = form.querySelector("[data-counter]");
    var targets = Array.prototype.slice.call(form.querySelectorAll("[data-target]"));
    var hits = [], modes = [], misses = 0, current = 0;
    targets.forEach(function (target) {
      target.style.setProperty("--size", target.getAttribute("data-size") + "px");
      target.style.setProperty("--x", target.getAttribute("data-x"));
      target.style.setProperty("--y", target.getAttribute("data-y"));
    });
    area.addEventListener("pointerdown", function (event) {
      if (event.target.closest("[data-target]") || current >= targets.length) return;
      misses += 1;
      setField(form, "misses", misses);
      say(form, form.getAttribute("data-msg-miss"));
    });
    targets.forEach(function (target, index) {
      target.addEventListener("click", function (event) {
        if (index !== current) return;
        hits.push(index);
        modes.push(clickMode(event));
        current += 1;
        setField(form, "hits", hits.join(","));
        setField(form, "mode", mostFrequent(modes, "mouse"));
        if (current < targets.length) {
          target.hidden = true;
          targets[current].hidden = false;
          counter.textContent = targets[current].getAttribute("data-label");
          say(form, form.getAttribute("data-msg-hit"));
          targets[current].focus();
        } else {
          say(form, form.getAttribute("data-msg-done"));
          submit(form);
        }
      });
    });
  }

  // --- Double-click: a single click selects, a double-click (or Enter) opens ----------------
  function doubleClick(form) {
    var item = form.querySelector("[data-open-item]");
    var win = form.querySelector("[data-opened]");
    var singles = 0, lastTap = 0, opened = false, hint = null;

    function open(mode, pairedClicks) {
      if (opened) return;
      opened = true;
      clearTimeout(hint);
      // The first click of a double-click was counted as a single one.
      setField(form, "single_clicks", Math.max(0, singles - pairedClicks));
      setField(form, "mode", mode);
      setField(form, "opened", 1);
      item.classList.add("is-open");
      win.hidden = false;
      say(form, "");
      submit(form);
    }
    item.addEventListener("click", function (event) {
      var mode = clickMode(event);
      if (mode === "keyboard") { open("keyboard", 0); return; }
      if (event.detail !== 1) return; // the second click of a double-click
      singles += 1;
      item.classList.add("is-selected");
      if (mode === "touch") {
        var now = Date.now();
        if (now - lastTap < 600) { open("touch", 2); return; }
        lastTap = now;
      }
      clearTimeout(hint);
      hint = setTimeout(function () { say(form, form.getAttribute("data-msg-faster")); }, 700);
    });
    item.addEventListener("dblclick", function () {
      open(lastPointer, 1);
    });
  }

  // --- Drag and drop: pointer drags, or each item's "Mettre dans…" list ---------------------
  function dragDrop(form) {
    var tray = form.querySelector("[data-tray] [data-zone-items]");
    var zones = Array.prototype.slice.call(form.querySelectorAll("[data-zone]"));
    var modes = [];

    function listOf(zoneIndex) {
      if (zoneIndex === "" || !zones[zoneIndex]) return tray;
      return zones[zoneIndex].querySelector("[data-zone-items]");
    }
    function place(item, zoneIndex, mode) {
      var select = item.querySelector("select");
      var hadFocus = document.activeElement === select;
      select.value = zoneIndex;
      listOf(zoneIndex).appendChild(item);
      if (hadFocus) select.focus();
      if (mode) {
        modes.push(mode);
        setField(form, "mode", mostFrequent(modes, "keyboard"));
        var label = item.querySelector("[data-handle]").textContent;
        var where = zoneIndex === "" ? form.getAttribute("data-msg-back")
          : form.getAttribute("data-msg-placed") + " " + zones[zoneIndex].querySelector("h3").textContent;
        say(form, label + " : " + where);
      }
    }
    function zoneAt(x, y) {
      var element = document.elementFromPoint(x, y);
      if (!element) return null;
      var zone = element.closest("[data-zone]");
      if (zone && form.contains(zone)) return zone.getAttribute("data-zone");
      var home = element.closest("[data-tray]");
      return home && form.contains(home) ? "" : null;
    }

    Array.prototype.forEach.call(form.querySelectorAll("[data-item]"), function (item) {
      var select = item.querySelector("select");
      var handle = item.querySelector("[data-handle]");
      place(item, select.value, null);
      select.addEventListener("change", function () {
        place(item, select.value, lastInput);
      });
      // No text selection while dragging over the page.
      handle.addEventListener("mousedown", function (event) { event.preventDefault(); });
      handle.addEventListener("pointerdown", function (event) {
        if (event.button !== 0) return;
        event.preventDefault();
        var startX = event.clientX, startY = event.clientY, mode = pointerKind(event.pointerType);
        var over = null;
        item.classList.add("is-dragging");
        function move(moveEvent) {
          item.style.transform = "translate(" + (moveEvent.clientX - startX) + "px, "
            + (moveEvent.clientY - startY) + "px)";
          var zone = zoneAt(moveEvent.clientX, moveEvent.clientY);
          if (over) over.classList.remove("is-over");
          over = zone === null ? null : (zone === "" ? form.querySelector("[data-tray]") : zones[zone]);
          if (over) over.classList.add("is-over");
        }
        function end(endEvent) {
          document.removeEventListener("pointermove", move);
          document.removeEventListener("pointerup", end);
          document.removeEventListener("pointercancel", end);
          if (over) over.classList.remove("is-over");
          item.classList.remove("is-dragging");
          item.style.transform = "";
          var zone = endEvent.type === "pointerup" ? zoneAt(endEvent.clientX, endEvent.clientY) : null;
          if (zone !== null) place(item, zone, mode);
        }
        document.addEventListener("pointermove", move);
        document.addEventListener("pointerup", end);
        document.addEventListener("pointercancel", end);
      });
    });
  }

  // --- Scroll and find: the items are submit buttons; only the mode needs recording ---------
  function scrollFind(form) {
    form.addEventListener("click", function (event) {
      if (event.target.closest("button[name=choice]")) setField(form, "mode", clickMode(event));
    });
  }

  // --- Right-click: a context menu (WAI-ARIA menu pattern) ----------------------------------
  var openMenus = [];
  document.addEventListener("pointerdown", function (event) {
    openMenus.slice().forEach(function (menu) {
      if (!menu.element.contains(event.target) && !event.target.closest("[data-more]")) menu.close(false);
    });
  });

  function rightClick(form) {
    var desktop = form.querySelector("[data-desktop]");
    var file = form.querySelector("[data-file]");
    var more = form.querySelector("[data-more]");
    var element = form.querySelector("[data-menu]");
    var items = Array.prototype.slice.call(element.querySelectorAll("[role=menuitem]"));
    var opener = null;
    var menu = { element: element, close: close };

    function open(via, mode, from, x, y) {
      setField(form, "via", via);
      setField(form, "mode", mode);
      opener = from;
      element.hidden = false;
      more.setAttribute("aria-expanded", "true");
      var box = desktop.getBoundingClientRect();
      var left, top;
      if (x === undefined) {
        left = from.offsetLeft;
        top = from.offsetTop + from.offsetHeight + 4;
      } else {
        left = x - box.left;
        top = y - box.top;
      }
      left = Math.max(0, Math.min(left, desktop.clientWidth - element.offsetWidth));
      element.style.left = left + "px";
      element.style.top = top + "px";
      if (openMenus.indexOf(menu) === -1) openMenus.push(menu);
      say(form, "");
      items[0].focus();
    }
    function close(returnFocus) {
      element.hidden = true;
      more.setAttribute("aria-expanded", "false");
      openMenus = openMenus.filter(function (other) { return other !== menu; });
      if (returnFocus && opener) opener.focus();
    }

    file.addEventListener("contextmenu", function (event) {
      event.preventDefault();
      if (lastInput === "keyboard") open("keys", "keyboard", file);
      else open("right_click", lastPointer, file, event.clientX, event.clientY);
    });
    file.addEventListener("keydown", function (event) {
      if (event.key === "ContextMenu" || (event.shiftKey && event.key === "F10")) {
        event.preventDefault();
        open("keys", "keyboard", file);
      }
    });
    file.addEventListener("click", function (event) {
      if (clickMode(event) !== "keyboard") say(form, form.getAttribute("data-msg-left"));
    });
    more.addEventListener("click", function (event) {
      if (element.hidden) open("button", clickMode(event), more);
      else close(true);
    });
    element.addEventListener("keydown", function (event) {
      var index = items.indexOf(document.activeElement);
      var next = null;
      if (event.key === "ArrowDown") next = (index + 1) % items.length;
      else if (event.key === "ArrowUp") next = (index - 1 + items.length) % items.length;
      else if (event.key === "Home") next = 0;
      else if (event.key === "End") next = items.length - 1;
      else if (event.key === "Escape" || event.key === "Tab") {
        event.preventDefault();
        close(true);
        return;
      }
      if (next !== null) {
        event.preventDefault();
        items[next].focus();
      }
    });
  }

  // --- Shortcuts: Ctrl + key presses and the box's text, or choosing the keys ---------------
  var SHORTCUT_KEYS = "ACVXZ";

  function shortcuts(form) {
    var practice = form.querySelector("[data-practice]");
    var choice = form.querySelector("[data-choice]");
    var box = form.querySelector("[data-box]");
    var seen = form.querySelector("[data-seen]");
    var combos = [], typed = 0;

    function show(mode, moveFocus) {
      practice.hidden = mode !== "keyboard";
      choice.hidden = mode !== "choice";
      form.querySelector('[data-switch="keyboard"]').hidden = false;
      setField(form, "mode", mode);
      if (moveFocus) {
        var first = (mode === "keyboard" ? practice : choice).querySelector("input:not([type=hidden])");
        if (first) first.focus();
      }
    }
    var start = form.getAttribute("data-start-mode");
    if (start !== "keyboard" && start !== "choice") {
      // Phones and tablets have no Ctrl key: start with the buttons there.
      var touchOnly = window.matchMedia && window.matchMedia("(hover: none) and (pointer: coarse)").matches;
      start = touchOnly ? "choice" : "keyboard";
    }
    show(start, false);
    Array.prototype.forEach.call(form.querySelectorAll("[data-switch]"), function (button) {
      button.addEventListener("click", function () { show(button.getAttribute("data-switch"), true); });
    });

    practice.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || !event.key || event.key.length !== 1) return;
      var key = event.key.toUpperCase();
      if (SHORTCUT_KEYS.indexOf(key) === -1 || combos.length >= 100) return;
      combos.push(key);
      setField(form, "combos", combos.join(","));
      seen.textContent = combos.map(function (k) { return "Ctrl + " + k; }).join(", ");
    });
    box.addEventListener("input", function (event) {
      var kind = event.inputType || "";
      if (kind.indexOf("insert") === 0 && kind !== "insertFromPaste" && kind !== "insertFromDrop") {
        typed += 1;
        setField(form, "typed", typed);
      }
    });
  }

  // --- Set-up: on page load and after every htmx swap of the lesson step ---------------------
  var SETUPS = {
    click_targets: clickTargets,
    double_click: doubleClick,
    drag_drop: dragDrop,
    scroll_find: scrollFind,
    right_click: rightClick,
    shortcuts: shortcuts,
  };

  function setUp() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-exercise]"), function (form) {
      if (form.hasAttribute("data-ready")) return;
      form.setAttribute("data-ready", "");
      var setup = SETUPS[form.getAttribute("data-exercise")];
      if (setup) setup(form);
      Array.prototype.forEach.call(form.querySelectorAll("[data-needs-script]"), function (part) {
        part.hidden = false;
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
  document.addEventListener("htmx:load", setUp);
})();
