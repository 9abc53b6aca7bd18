/* One confirmation for every destructive or consequential action.

   Markup (no inline script: the CSP forbids it):
     <button type="submit" data-confirm="将为“张三”办理退会：……">   on the button, or on the <form>;
     <option value="withdraw" data-confirm="…">                     per choice of a <select> in the form
                                                                     (used when neither button nor form has one);
     data-confirm-title="…", data-confirm-ok="…"                    the dialog's title and its OK button
                                                                     (default: the submit button's own text).
   "{field}" in a message or OK label is replaced by what the form's field of that name shows (a
   select's chosen label, an input's value), so the dialog names what will really be sent.
   The dialog is a Bootstrap modal; the form is submitted, with the same submit button,
   only from its OK button. */
(function () {
  "use strict";
  var modal = null, pending = null;

  function fieldText(form, name) {
    var el = form.elements[name];
    if (!el) { return null; }
    if (el.tagName === "SELECT") {
      var opt = el.options[el.selectedIndex];
      return opt && opt.value ? opt.text.trim() : "（未选择）";
    }
    if (!el.value) { return "（未填写）"; }
    // Dates as the rest of the site writes them: 2026年12月1日, not 2026-12-01.
    var d = el.type === "date" && /^(\d{4})-(\d{2})-(\d{2})$/.exec(el.value);
    return d ? d[1] + "年" + Number(d[2]) + "月" + Number(d[3]) + "日" : el.value.trim();
  }

  function fill(form, text) {
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      var value = fieldText(form, name);
      return value === null ? whole : value;
    });
  }

  function chosenOptionMessage(form) {
    var selects = form.querySelectorAll("select");
    for (var i = 0; i < selects.length; i++) {
      var opt = selects[i].options[selects[i].selectedIndex];
      if (opt && opt.hasAttribute("data-confirm")) { return opt.getAttribute("data-confirm"); }
    }
    return null;
  }

  function attr(name, submitter, form) {
    if (submitter && submitter.hasAttribute(name)) { return submitter.getAttribute(name); }
    return form.hasAttribute(name) ? form.getAttribute(name) : null;
  }

  function build() {
    var el = document.createElement("div");
    el.className = "modal fade";
    el.id = "confirm-dialog";
    el.tabIndex = -1;
    el.setAttribute("role", "dialog");
    el.setAttribute("aria-modal", "true");
    el.setAttribute("aria-labelledby", "confirm-dialog-title");
    el.setAttribute("data-testid", "confirm-dialog");
    el.innerHTML =
      '<div class="modal-dialog modal-dialog-centered"><div class="modal-content">' +
      '<div class="modal-header"><h2 class="modal-title fs-5" id="confirm-dialog-title"></h2>' +
      '<button type="button" class="btn-close" data-bs-dismiss="modal" aria-label="关闭"></button></div>' +
      '<div class="modal-body" data-confirm-body></div>' +
      '<div class="modal-footer"><button type="button" class="btn btn-outline-secondary" data-bs-dismiss="modal">取消</button>' +
      '<button type="button" class="btn btn-danger" data-confirm-ok></button></div></div></div>';
    document.body.appendChild(el);
    el.querySelector("[data-confirm-ok]").addEventListener("click", function () {
      var p = pending;
      pending = null;
      this.disabled = true;
      bootstrap.Modal.getOrCreateInstance(el).hide();
      if (p) {
        p.form.setAttribute("data-confirmed", "1");
        if (p.submitter) { p.form.requestSubmit(p.submitter); } else { p.form.requestSubmit(); }
      }
    });
    el.addEventListener("hidden.bs.modal", function () {
      if (!pending) { return; }  // confirmed: the form is on its way
      var back = pending.submitter;
      pending = null;
      if (back) { back.focus(); }
    });
    return el;
  }

  function ask(form, submitter, message) {
    if (typeof bootstrap === "undefined") {
      return window.confirm(message);  // the vendored bundle failed to load: still ask
    }
    modal = modal || build();
    modal.querySelector("#confirm-dialog-title").textContent = attr("data-confirm-title", submitter, form) || "请确认";
    var body = modal.querySelector("[data-confirm-body]");
    body.textContent = "";
    message.split("\n").forEach(function (line) {
      var p = document.createElement("p");
      p.className = "mb-2";
      p.textContent = line;
      body.appendChild(p);
    });
    var ok = modal.querySelector("[data-confirm-ok]");
    ok.disabled = false;
    var okLabel = attr("data-confirm-ok", submitter, form);
    ok.textContent = (okLabel && fill(form, okLabel)) || (submitter && submitter.textContent.trim()) || "确定";
    pending = { form: form, submitter: submitter };
    modal.addEventListener("shown.bs.modal", function focusOk() {
      modal.removeEventListener("shown.bs.modal", focusOk);
      modal.querySelector("[data-bs-dismiss].btn-outline-secondary").focus();  // the safe choice first
    });
    bootstrap.Modal.getOrCreateInstance(modal).show();
    return false;
  }

  document.addEventListener("submit", function (e) {
    var form = e.target, submitter = e.submitter || null;
    if (form.getAttribute("data-confirmed") === "1") {
      form.removeAttribute("data-confirmed");
      return;
    }
    var message = attr("data-confirm", submitter, form) || chosenOptionMessage(form);
    if (!message) { return; }
    if (!ask(form, submitter, fill(form, message))) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);
})();
