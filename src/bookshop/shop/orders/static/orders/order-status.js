/*
 * Live order status: on an order page (or My orders) with orders still Pending or
 * Cancelling, ask the shop's JSON status endpoint again and again, waiting longer each
 * time (1 s, growing by half up to 10 s), and show the new status where the badge is; the
 * page's aria-live region says it aloud. When the new status changes what the page offers
 * (failed, cancelled, completed), the page is loaded again to show it.
 * A static file: the shop's CSP allows no inline script.
 */
(function () {
  "use strict";

  var FIRST = 1000;
  var MAX = 10000;

  function watch(node) {
    var url = node.getAttribute("data-order-status-url");
    var shown = node.getAttribute("data-order-status");
    var delay = FIRST;
    var live = document.querySelector("[data-order-live]");

    function say(text) {
      if (live) live.textContent = text;
    }

    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("status " + response.status);
          return response.json();
        })
        .then(function (data) {
          var state = data.cancelling ? "cancelling" : data.status;
          if (state !== shown) {
            shown = state;
            node.textContent = data.status_display;
            node.className = "badge " + data.badge_class;
            node.setAttribute("data-order-status", state);
            say("Order " + data.number + ": " + data.status_display + ".");
            if (data.reload) {
              window.setTimeout(function () { window.location.reload(); }, 1500);
              return;
            }
          }
          if (!data.live) return; // final: nothing more to wait for
          delay = Math.min(MAX, Math.round(delay * 1.5));
          window.setTimeout(poll, delay);
        })
        .catch(function () {
          delay = Math.min(MAX, delay * 2);
          window.setTimeout(poll, delay);
        });
    }

    window.setTimeout(poll, delay);
  }

  function start() {
    if (!window.fetch) return;
    document.querySelectorAll("[data-order-status-url]").forEach(watch);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
