/*
 * The cart without page reloads. Every cart form works as a plain POST without this
 * script; with it, the form is sent with fetch(), the view answers JSON, and the page
 * updates the line, the totals and the navbar's count in place.
 *
 * What a click did is shown where the customer is looking: a toast fixed in the viewport
 * (a polite live region, so screen readers hear it too), with the cart's new size and
 * total. The keyboard focus never falls to the page: buttons are not disabled while a
 * request runs (a disabled button drops the focus), and when a line goes, the focus moves
 * to the same control of the next line, or to the cart's empty note.
 */
(function () {
  "use strict";

  var TOAST_MS = 6000;
  var LEVEL = { success: "success", info: "info", warning: "warning", error: "danger" };

  function csrfToken(form) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (field) return field.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function cartSentence(data) {
    if (typeof data.count !== "number") return "";
    var books = data.count === 1 ? "1 book" : data.count + " books";
    return data.count === 0 ? "Your cart is empty." : "Your cart: " + books + ", " + data.total_display + ".";
  }

  function lineSentence(data) {
    var line = data.line;
    if (!line || !line.quantity || !document.querySelector('[data-cart-line="' + line.book_id + '"]')) {
      return "";
    }
    return "Quantity " + line.quantity + ", " + line.line_total_display + ".";
  }

  /* One toast at a time: a burst of clicks replaces it rather than stacking a wall. */
  function toast(text, level, withCartLink) {
    var region = document.querySelector("[data-cart-toasts]");
    if (!region || !text) return;
    var box = document.createElement("div");
    box.className = "toast show align-items-center border-0 text-bg-" + (LEVEL[level] || "info");
    box.setAttribute("data-cart-toast", level || "info");
    var row = document.createElement("div");
    row.className = "d-flex";
    var body = document.createElement("div");
    body.className = "toast-body";
    body.textContent = text;
    if (withCartLink) {
      var link = document.createElement("a");
      link.href = withCartLink;
      link.className = "ms-2 fw-semibold " + (level === "warning" ? "link-dark" : "link-light");
      link.textContent = "View cart";
      body.appendChild(document.createTextNode(" "));
      body.appendChild(link);
    }
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close me-2 m-auto" + (level === "warning" ? "" : " btn-close-white");
    close.setAttribute("aria-label", "Close");
    close.addEventListener("click", function () { box.remove(); });
    row.appendChild(body);
    row.appendChild(close);
    box.appendChild(row);
    region.replaceChildren(box);
    var timer = null;
    function later() {
      clearTimeout(timer);
      timer = setTimeout(function () { box.remove(); }, TOAST_MS);
    }
    // It stays while the pointer or the focus is on it.
    box.addEventListener("mouseenter", function () { clearTimeout(timer); });
    box.addEventListener("focusin", function () { clearTimeout(timer); });
    box.addEventListener("mouseleave", later);
    box.addEventListener("focusout", later);
    later();
  }

  function setText(selector, value, root) {
    (root || document).querySelectorAll(selector).forEach(function (node) {
      node.textContent = value;
    });
  }

  function focusAfterRemoval(row, control) {
    var lines = Array.prototype.slice.call(document.querySelectorAll("[data-cart-line]"));
    var index = lines.indexOf(row);
    var neighbour = lines[index + 1] || lines[index - 1];
    var target = null;
    if (neighbour && neighbour !== row) {
      target = neighbour.querySelector('[data-line-control="' + control + '"]') ||
        neighbour.querySelector("[data-line-control]");
    }
    return target;
  }

  function apply(data, form) {
    if (typeof data.count === "number") setText("[data-cart-count]", String(data.count));
    if (data.total_display) setText("[data-cart-total]", data.total_display);
    if (data.delivery_display) setText("[data-cart-delivery]", data.delivery_display);
    if (data.amount_due_display) setText("[data-cart-amount-due]", data.amount_due_display);
    document.querySelectorAll("[data-cart-problems]").forEach(function (node) {
      node.hidden = !data.has_problems;
    });
    var focused = form.querySelector("[data-line-control]");
    var control = focused ? focused.getAttribute("data-line-control") : null;
    var hadFocus = form.contains(document.activeElement);
    var moveTo = null;
    var line = data.line;
    if (line) {
      var row = document.querySelector('[data-cart-line="' + line.book_id + '"]');
      if (row && line.quantity === 0) {
        moveTo = focusAfterRemoval(row, control);
        row.remove();
      } else if (row) {
        setText("[data-line-quantity]", String(line.quantity), row);
        setText("[data-line-total]", line.line_total_display, row);
        setText("[data-line-problem]", line.problem || "", row);
        setText("[data-line-limit]", line.limit || "", row);
        var more = row.querySelector("[data-increase]");
        if (more) {
          if (line.quantity >= line.max) more.setAttribute("aria-disabled", "true");
          else more.removeAttribute("aria-disabled");
        }
      }
    }
    if (data.count === 0) {
      document.querySelectorAll("[data-cart-filled]").forEach(function (node) {
        node.remove();
      });
      document.querySelectorAll("[data-cart-empty]").forEach(function (node) {
        node.hidden = false;
      });
      moveTo = document.querySelector("[data-cart-empty-note]");
    }
    if (hadFocus && moveTo) moveTo.focus();
  }

  function cartUrl() {
    var link = document.querySelector("a[href$='/cart/']");
    return link ? link.getAttribute("href") : "/cart/";
  }

  var queue = Promise.resolve();

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-cart-form")) return;
    if (!window.fetch || !window.FormData) return; // an old browser posts the form itself
    event.preventDefault();
    var button = event.submitter || form.querySelector("button");
    // A button that is off says why (aria-describedby) and keeps the focus; it posts nothing.
    if (button && button.getAttribute("aria-disabled") === "true") return;
    // One request per form at a time; the buttons stay enabled, so the focus stays put.
    if (form.getAttribute("aria-busy") === "true") return;
    form.setAttribute("aria-busy", "true");
    var onCartPage = !!form.closest("[data-cart-filled]");
    var body = new FormData(form);
    // Cart requests go one after another, whichever form sent them: the cart lives in
    // the session, and two requests at once would each save their own copy of it, so
    // the later one would drop the other's book (and a first visitor's two requests
    // would even start two sessions).
    queue = queue.then(function () {
      return send(form, body, onCartPage);
    });
  });

  function send(form, body, onCartPage) {
    return fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken(form) },
    })
      .then(function (response) {
        return response.json().catch(function () {
          throw new Error("not JSON");
        });
      })
      .then(function (data) {
        apply(data, form);
        var text = [data.message, lineSentence(data), cartSentence(data)].filter(Boolean).join(" ");
        toast(text, data.level, !onCartPage && data.ok && data.count ? cartUrl() : null);
      })
      .catch(function () {
        toast("We could not update your cart. Please reload the page and try again.", "error");
      })
      .finally(function () {
        form.removeAttribute("aria-busy");
      });
  }
})();
