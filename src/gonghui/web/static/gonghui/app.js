/* gonghui front-end glue: pickers and htmx hooks (charts: charts.js, confirmations: confirm.js).
   No inline scripts anywhere (the CSP forbids them): pages hand data over in
   <script type="application/json"> blocks that this file reads. */
(function () {
  "use strict";
  // Charts: web/static/gonghui/charts.js.

  // data-confirm (on a form, its submit button or a chosen option) is handled by confirm.js.

  // Pickers: <input data-autosubmit> submits its form on change (filters).
  document.addEventListener("change", function (e) {
    if (e.target.matches("[data-autosubmit]")) { e.target.form.requestSubmit(); }
  });
})();
