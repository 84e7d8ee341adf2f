// The catalogue's filters apply as soon as a sort, a facet or "In stock only" changes,
// so there is nothing more to press; without script the Apply button does the same.
(function () {
  "use strict";
  for (const form of document.querySelectorAll("form[data-catalog-filters]")) {
    for (const control of form.querySelectorAll("select, input[type=checkbox]")) {
      control.addEventListener("change", function () {
        form.requestSubmit();
      });
    }
  }
})();
