/*
 * The cart without page reloads. Every cart form works as a plain POST without this
 * script; with it, the form is sent with fetch(), the view answers JSON, and the page
 * updates the line, the totals and the navbar's count in place.
 */
(function () {
  "use strict";

  function csrfToken(form) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (field) return field.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  var ALERT = { success: "success", info: "info", warning: "warning", error: "danger" };

  function announce(text, level) {
    var box = document.getElementById("messages");
    if (!box || !text) return;
    var alert = document.createElement("div");
    alert.className = "alert alert-dismissible fade show alert-" + (ALERT[level] || "info");
    alert.setAttribute("role", level === "error" ? "alert" : "status");
    alert.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", "Close");
    alert.appendChild(close);
    // One message at a time: a burst of clicks should not stack a wall of alerts.
    box.replaceChildren(alert);
  }

  function setText(selector, value, root) {
    (root || document).querySelectorAll(selector).forEach(function (node) {
      node.textContent = value;
    });
  }

  function apply(data) {
    if (typeof data.count === "number") setText("[data-cart-count]", String(data.count));
    if (data.total_display) setText("[data-cart-total]", data.total_display);
    if (data.delivery_display) setText("[data-cart-delivery]", data.delivery_display);
    if (data.amount_due_display) setText("[data-cart-amount-due]", data.amount_due_display);
    document.querySelectorAll("[data-cart-problems]").forEach(function (node) {
      node.hidden = !data.has_problems;
    });
    var line = data.line;
    if (line) {
      var row = document.querySelector('[data-cart-line="' + line.book_id + '"]');
      if (row && line.quantity === 0) {
        row.remove();
      } else if (row) {
        setText("[data-line-quantity]", String(line.quantity), row);
        setText("[data-line-total]", line.line_total_display, row);
        setText("[data-line-problem]", line.problem || "", row);
        var more = row.querySelector("[data-increase]");
        if (more) more.disabled = line.quantity >= line.max;
      }
    }
    if (data.count === 0) {
      document.querySelectorAll("[data-cart-filled]").forEach(function (node) {
        node.remove();
      });
      document.querySelectorAll("[data-cart-empty]").forEach(function (node) {
        node.hidden = false;
      });
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-cart-form")) return;
    if (!window.fetch || !window.FormData) return; // an old browser posts the form itself
    event.preventDefault();
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (button) { button.disabled = true; });
    form.setAttribute("aria-busy", "true");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken(form) },
    })
      .then(function (response) {
        return response.json().catch(function () {
          throw new Error("not JSON");
        });
      })
      .then(function (data) {
        buttons.forEach(function (button) { button.disabled = false; });
        apply(data);
        announce(data.message, data.level);
      })
      .catch(function () {
        buttons.forEach(function (button) { button.disabled = false; });
        announce("We could not update your cart. Please reload the page and try again.", "error");
      })
      .finally(function () {
        form.removeAttribute("aria-busy");
      });
  });
})();
