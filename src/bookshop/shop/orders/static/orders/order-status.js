/*
 * Live order status: on an order page (or My orders) with orders still Pending or
 * Cancelling, ask the shop's JSON status endpoint again and again, waiting longer each
 * time (1 s, growing by half up to 10 s), and show the new status where the badge is; the
 * page's aria-live region says it aloud (with a failed order's reason).
 *
 * A new status also changes what an order page offers (the thank-you, a failure's reason
 * and its "put back" button, "Cancel order", the history). Rather than a script of its own
 * for each, the page is fetched again and its [data-order-part] elements replace the
 * shown ones: what appears live is exactly what the server renders, and the page is not
 * reloaded, so the live region's announcement and the reader's place survive.
 * A static file: the shop's CSP allows no inline script.
 */
(function () {
  "use strict";

  var FIRST = 1000;
  var MAX = 10000;

  function refreshParts() {
    var shown = document.querySelectorAll("[data-order-part]");
    if (!shown.length || !window.DOMParser) return;
    fetch(window.location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        shown.forEach(function (part) {
          var name = part.getAttribute("data-order-part");
          var next = fresh.querySelector('[data-order-part="' + name + '"]');
          if (!next) return;
          var hadFocus = part.contains(document.activeElement);
          var replacement = document.importNode(next, true);
          part.replaceWith(replacement);
          if (hadFocus) {
            // The focused control may be gone (a cancelled order has no "Cancel order"):
            // keep the focus where it was on the page rather than lose it to the top.
            replacement.setAttribute("tabindex", "-1");
            replacement.focus();
          }
        });
      })
      .catch(function () {
        // The badge and the announcement are right already; a reload shows the rest.
      });
  }

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
            say(
              "Order " + data.number + ": " + data.status_display + "." +
                (data.fail_reason ? " " + data.fail_reason : "")
            );
            refreshParts();
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
