/* The tablet check-in page: once someone is checked in, the search box is emptied and
   takes the focus again, ready for the next person at the door. */
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (e) {
    if (!e.detail.target || e.detail.target.id !== "checkin-result") { return; }
    if (!e.detail.target.querySelector("[data-checkin-done]")) { return; }
    var box = document.getElementById("checkin-q");
    var name = document.getElementById("walkin-name");
    if (name) { name.value = ""; }
    if (box) { box.value = ""; box.focus(); }
  });
})();
