/* The period shortcuts of the summary and statistics forms: a button with
   data-fill="#id_period" data-value="2026H2" puts its period into the field, so the draft
   generated is the period the user clicked; the button of the period in the field shows
   pressed. */
(function () {
  "use strict";
  function mark(selector) {
    var field = document.querySelector(selector);
    document.querySelectorAll("[data-fill]").forEach(function (b) {
      if (b.dataset.fill !== selector) { return; }
      var chosen = !!field && b.dataset.value === field.value.trim().toUpperCase();
      b.classList.toggle("active", chosen);
      b.setAttribute("aria-pressed", chosen ? "true" : "false");
    });
  }

  document.addEventListener("click", function (ev) {
    var button = ev.target.closest("[data-fill]");
    if (!button) { return; }
    var field = document.querySelector(button.dataset.fill);
    if (!field) { return; }
    field.value = button.dataset.value;
    field.classList.remove("is-invalid");
    mark(button.dataset.fill);
  });
  document.addEventListener("input", function (ev) {
    if (ev.target.id && document.querySelector("[data-fill='#" + ev.target.id + "']")) { mark("#" + ev.target.id); }
  });

  function init() {
    var seen = {};
    document.querySelectorAll("[data-fill]").forEach(function (b) {
      if (!seen[b.dataset.fill]) { seen[b.dataset.fill] = true; mark(b.dataset.fill); }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
