// The live group dashboard: htmx refreshes it every 10 s. This file only tells screen
// readers about new raised hands (once each) and puts their count in the tab's title.
// Without it, the page still works: reload it to see the latest.
(function () {
  "use strict";
  var announcer = document.getElementById("gd-announcer");
  var baseTitle = document.title;

  function hands() {
    var found = {};
    var items = document.querySelectorAll("#gd-live [data-hand-id]");
    Array.prototype.forEach.call(items, function (item) {
      found[item.getAttribute("data-hand-id")] = item.getAttribute("data-hand-name");
    });
    return found;
  }

  function showCount() {
    var live = document.getElementById("gd-live");
    var count = live ? parseInt(live.getAttribute("data-hand-count"), 10) : 0;
    document.title = count ? "(" + count + " ✋) " + baseTitle : baseTitle;
  }

  var known = hands();
  showCount();

  // A signed-out trainer gets the login page: load it as a page, never inside the table.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (event.detail.target && event.detail.target.id === "gd-live" && xhr.responseURL) {
      var asked = event.detail.pathInfo && event.detail.pathInfo.requestPath;
      var answered = new URL(xhr.responseURL).pathname;
      if (asked && new URL(asked, window.location.href).pathname !== answered) {
        event.detail.shouldSwap = false;
        window.location.reload();
      }
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    var now = hands();
    var fresh = Object.keys(now).filter(function (id) { return !(id in known); });
    known = now;
    showCount();
    if (announcer && fresh.length) {
      var template = announcer.getAttribute("data-message");
      announcer.textContent = fresh.map(function (id) {
        return template.replace("{name}", now[id]);
      }).join(" ");
    }
  });
})();
