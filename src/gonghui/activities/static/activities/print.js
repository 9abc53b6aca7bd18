/* The print button of the printed sheets (no inline script: the CSP forbids it). */
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-print]");
    if (button) { window.print(); }
  });
})();
