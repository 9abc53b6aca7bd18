/* Tick boxes of the 批量发放 chooser and the batch's 签收 list: a header box
   <input data-check-all="NAME"> ticks every enabled box named NAME in its form, and
   <… data-check-count="NAME"> shows how many are ticked. A file, not inline: the CSP
   allows only same-origin scripts. */
(function () {
  "use strict";

  function boxes(form, name) {
    return Array.prototype.filter.call(form.querySelectorAll('input[type="checkbox"]'), function (b) {
      return b.name === name && !b.disabled;
    });
  }

  function refresh(form, name) {
    var all = boxes(form, name);
    var ticked = all.filter(function (b) { return b.checked; }).length;
    form.querySelectorAll('[data-check-all="' + name + '"]').forEach(function (head) {
      head.checked = all.length > 0 && ticked === all.length;
      head.indeterminate = ticked > 0 && ticked < all.length;
    });
    form.querySelectorAll('[data-check-count="' + name + '"]').forEach(function (el) {
      el.textContent = ticked ? "已选 " + ticked + " 户" : "";
    });
  }

  document.addEventListener("change", function (e) {
    var el = e.target;
    if (!el.form) { return; }
    if (el.hasAttribute("data-check-all")) {
      var name = el.getAttribute("data-check-all");
      boxes(el.form, name).forEach(function (b) { b.checked = el.checked; });
      refresh(el.form, name);
    } else if (el.type === "checkbox" && el.form.querySelector('[data-check-all="' + el.name + '"]')) {
      refresh(el.form, el.name);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-check-all]").forEach(function (head) {
      if (head.form) { refresh(head.form, head.getAttribute("data-check-all")); }
    });
  });
})();
