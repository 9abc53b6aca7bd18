/* The work-summary editor: paragraphs are contenteditable; figures (.fig) are atomic and
   keep their link to the records. On save the page is read back into the document JSON
   (see summary/document.py) and posted without leaving the page: a refused save (no
   version name, a field the server rejects, an expired login) shows why and keeps every
   edit. Leaving the page with unsaved edits asks first (beforeunload). The period
   shortcuts of the home and statistics pages are in periods.js. */
(function () {
  "use strict";
  var DIGITS = "零一二三四五六七八九";

  function cn(n) {
    var tens = Math.floor(n / 10), ones = n % 10;
    var head = tens === 0 ? "" : (tens === 1 ? "十" : DIGITS[tens] + "十");
    return head + (ones ? DIGITS[ones] : "");
  }

  function textOf(el) { return (el.textContent || "").replace(/\u00a0/g, " "); }

  function runsOf(el) {
    var runs = [];
    function push(text) {
      if (!text) { return; }
      var last = runs[runs.length - 1];
      if (last && !last.fact) { last.text += text; } else { runs.push({ text: text }); }
    }
    function walk(node) {
      node.childNodes.forEach(function (child) {
        if (child.nodeType === 3) { push(child.nodeValue.replace(/\u00a0/g, " ")); return; }
        if (child.nodeType !== 1) { return; }
        if (child.classList.contains("fig")) {
          runs.push({ text: textOf(child), fact: child.dataset.fact });
        } else if (child.tagName === "BR") {
          push("");
        } else {
          walk(child);
        }
      });
    }
    walk(el);
    return runs;
  }

  function paras(container) {
    var out = [];
    if (!container) { return out; }
    container.querySelectorAll(":scope > .doc-para").forEach(function (p) {
      var text = p.querySelector(".doc-text");
      out.push({ key: p.dataset.key || "", runs: runsOf(text) });
    });
    return out;
  }

  function serialize(root) {
    var doc = { title: textOf(root.querySelector("[data-role=title]")).trim(), parts: [], suggestions: [] };
    doc.opening = paras(root.querySelector("[data-role=opening]"));
    root.querySelectorAll("[data-role=parts] > .doc-part").forEach(function (part) {
      var p = { key: part.dataset.key, title: textOf(part.querySelector("[data-role=part-title]")).trim(), sections: [] };
      part.querySelectorAll(":scope > .doc-section").forEach(function (s) {
        var t = s.querySelector("[data-role=section-title]");
        p.sections.push({ key: s.dataset.key, title: t ? textOf(t).trim() : "", items: paras(s.querySelector("[data-role=items]")) });
      });
      doc.parts.push(p);
    });
    ["problems", "plans"].forEach(function (key) {
      doc[key] = paras(root.querySelector("[data-role=" + key + "] [data-role=items]"));
    });
    document.querySelectorAll(".doc-suggestion").forEach(function (s) {
      doc.suggestions.push({ target: s.dataset.target, key: s.dataset.key, runs: runsOf(s.querySelector(".doc-text")) });
    });
    // the closing paragraph(s) before the signature, unnumbered like the opening
    doc.closing = paras(root.querySelector("[data-role=closing]"));
    var org = root.querySelector("[data-role=sig-org]"), date = root.querySelector("[data-role=sig-date]");
    doc.signature = { org: org ? textOf(org).trim() : "", date: date ? date.value : "" };
    return doc;
  }

  function hasText(para) { return textOf(para.querySelector(".doc-text")).trim() !== ""; }

  function texts(container) {
    return container ? Array.prototype.filter.call(container.querySelectorAll(":scope > .doc-para"), hasText) : [];
  }

  function clearNumbers(container) {
    if (container) { container.querySelectorAll(":scope > .doc-para > .num").forEach(function (n) { n.textContent = ""; }); }
  }

  // The numbering of summary/document.py blocks(), so the page shows what the export prints.
  function renumber(root) {
    var n = 0;
    root.querySelectorAll("[data-role=parts] > .doc-part").forEach(function (part) {
      n += 1;
      part.querySelector(".doc-h1 .num").textContent = cn(n) + "、";
      var sections = part.querySelectorAll(":scope > .doc-section");
      // titled sections and the items straight under the part share the （一） level
      var second = 0;
      sections.forEach(function (s) {
        var items = texts(s.querySelector("[data-role=items]"));
        if (!s.querySelector(".doc-h2")) { second += items.length; }
        else if (items.length || s.querySelector(".doc-table")) { second += 1; }
      });
      var sub = 0;
      sections.forEach(function (s) {
        var box = s.querySelector("[data-role=items]"), items = texts(box), h = s.querySelector(".doc-h2 .num");
        clearNumbers(box);
        if (h) {
          if (items.length || s.querySelector(".doc-table")) { sub += 1; h.textContent = "（" + cn(sub) + "）"; } else { h.textContent = ""; }
          if (items.length > 1) { items.forEach(function (p, i) { p.querySelector(".num").textContent = (i + 1) + "."; }); }
        } else if (second > 1) {
          items.forEach(function (p) { sub += 1; p.querySelector(".num").textContent = "（" + cn(sub) + "）"; });
        }
      });
    });
    root.querySelectorAll(".doc-list").forEach(function (list) {
      var box = list.querySelector("[data-role=items]"), items = texts(box);
      var num = list.querySelector(".doc-h1 .num");
      clearNumbers(box);
      items.forEach(function (p, i) { p.querySelector(".num").textContent = "（" + cn(i + 1) + "）"; });
      if (items.length) { n += 1; num.textContent = cn(n) + "、"; list.classList.remove("doc-empty"); }
      else { num.textContent = ""; list.classList.add("doc-empty"); }
    });
  }

  function el(tag, cls, attrs) {
    var node = document.createElement(tag);
    node.className = cls;
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function newPara(source) {
    var p = el("div", "doc-para");
    p.dataset.key = "user-" + Date.now();
    var text = el("div", "doc-text", { contenteditable: "true", "aria-label": "段落" });
    var remove = el("button", "btn btn-sm btn-link text-danger doc-tool", { type: "button", "data-act": "remove", title: "删除这一段" });
    remove.textContent = "删除";
    p.append(el("span", "num"), text, remove);
    if (source) { source.childNodes.forEach(function (n) { text.appendChild(n.cloneNode(true)); }); }
    return p;
  }

  // --- saving ---------------------------------------------------------------------------

  function showErrors(form, errors) {
    var box = form.querySelector("[data-role=save-errors]");
    var name = form.querySelector("[name=name]");
    var feedback = form.querySelector("[data-role=name-error]");
    box.replaceChildren();
    Object.keys(errors).forEach(function (field) {
      if (field === "name") { return; }
      errors[field].forEach(function (message) {
        var alert = el("div", "alert alert-danger py-2 small mb-2", { role: "alert" });
        alert.textContent = message;
        box.appendChild(alert);
      });
    });
    var nameErrors = errors.name || [];
    name.classList.toggle("is-invalid", nameErrors.length > 0);
    if (!feedback) {
      feedback = el("div", "invalid-feedback d-block", { "data-role": "name-error", role: "alert" });
      name.insertAdjacentElement("afterend", feedback);
    }
    feedback.textContent = nameErrors.join(" ");
    feedback.hidden = nameErrors.length === 0;
    if (nameErrors.length) { name.focus(); }
  }

  function setUpSaving(root, form) {
    var button = form.querySelector("[type=submit]");
    var snapshot = JSON.stringify(serialize(root));
    var restored = root.dataset.unsaved === "1";  // a refused save brought back unsaved edits
    var leaving = false;

    function changed() { return restored || JSON.stringify(serialize(root)) !== snapshot; }

    window.addEventListener("beforeunload", function (ev) {
      if (leaving || !changed()) { return; }
      ev.preventDefault();
      ev.returnValue = "";
    });

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var name = form.querySelector("[name=name]");
      if (!name.value.trim()) {
        showErrors(form, { name: [name.dataset.required || "请填写版本名称。"] });
        return;
      }
      var body = new FormData(form);
      body.set("document", JSON.stringify(serialize(root)));
      button.disabled = true;
      fetch(form.action || window.location.href, {
        method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" }
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") < 0) {
          // an expired login answers with the login page: nothing was saved
          throw new Error(response.ok ? "登录可能已超时，本次没有保存。请在新的浏览器标签页中重新登录，再回到本页保存（本页的修改仍在）。"
            : "保存失败（服务器返回" + response.status + "），本页的修改仍在，请稍后再试。");
        }
        return response.json();
      }).then(function (data) {
        if (data.ok) {
          leaving = true;
          window.location.assign(data.url);
          return;
        }
        showErrors(form, data.errors || {});
        button.disabled = false;
      }).catch(function (err) {
        showErrors(form, { __all__: [err && err.message && /[\u4e00-\u9fff]/.test(err.message) ? err.message
          : "无法连接服务器，本次没有保存。本页的修改仍在，请检查网络后再试。"] });
        button.disabled = false;
      });
    });
  }

  function init() {
    var root = document.getElementById("summary-editor");
    if (!root) { return; }
    renumber(root);
    var page = document.querySelector("main") || document.body;
    page.addEventListener("click", function (ev) {
      var fig = ev.target.closest(".fig");
      if (fig && (fig.getAttribute("href") || fig.dataset.href)) {
        ev.preventDefault();
        window.open(fig.getAttribute("href") || fig.dataset.href, "_blank", "noopener");
        return;
      }
      var btn = ev.target.closest("button[data-act]");
      if (!btn) { return; }
      var act = btn.dataset.act;
      if (act === "remove") { btn.closest(".doc-para").remove(); }
      else if (act === "remove-part") {
        if (window.confirm("删除这一部分？（保存前可刷新页面放弃修改）")) { btn.closest(".doc-part").remove(); }
      } else if (act === "up" || act === "down") {
        var part = btn.closest(".doc-part");
        var sib = act === "up" ? part.previousElementSibling : part.nextElementSibling;
        if (sib) { part.parentNode.insertBefore(part, act === "up" ? sib : sib.nextSibling); }
      } else if (act === "add-para") {
        var added = newPara(null);
        btn.closest(".doc-section").querySelector("[data-role=items]").appendChild(added);
        added.querySelector(".doc-text").focus();
      } else if (act === "add-part") {
        // a part the records cannot write (文体活动, 学习教育 …): a title and a paragraph to fill in
        var stamp = "user-" + Date.now();
        var part = el("section", "doc-part");
        part.dataset.key = stamp;
        var head = el("div", "doc-h1");
        var title = el("span", "doc-h-text", { contenteditable: "true", "data-role": "part-title" });
        title.textContent = "（请填写标题）";
        var tools = el("span", "doc-tools");
        [["up", "上移"], ["down", "下移"], ["remove-part", "删除"]].forEach(function (t) {
          var b = el("button", "btn btn-sm btn-link" + (t[0] === "remove-part" ? " text-danger" : ""), { type: "button", "data-act": t[0] });
          b.textContent = t[1];
          tools.appendChild(b);
        });
        head.append(el("span", "num"), title, tools);
        var section = el("div", "doc-section");
        section.dataset.key = stamp + "-s";
        var items = el("div", "", { "data-role": "items" });
        items.appendChild(newPara(null));
        var more = el("button", "btn btn-sm btn-link doc-tool", { type: "button", "data-act": "add-para" });
        more.textContent = "添加一段";
        section.append(items, more);
        part.append(head, section);
        root.querySelector("[data-role=parts]").appendChild(part);
        title.focus();
      } else if (act === "add") {
        var p = newPara(null);
        btn.closest(".doc-list").querySelector("[data-role=items]").appendChild(p);
        p.querySelector(".doc-text").focus();
      } else if (act === "accept" || act === "drop") {
        var s = btn.closest(".doc-suggestion");
        if (act === "accept") {
          var para = newPara(s.querySelector(".doc-text"));
          para.dataset.key = s.dataset.key;
          para.querySelectorAll(".fig[data-href]").forEach(function (f) {
            var a = document.createElement("a");
            a.className = "fig"; a.contentEditable = "false"; a.dataset.fact = f.dataset.fact;
            a.href = f.dataset.href; a.textContent = f.textContent; f.replaceWith(a);
          });
          root.querySelector("[data-role=" + s.dataset.target + "] [data-role=items]").appendChild(para);
        }
        s.remove();
      } else { return; }
      renumber(root);
    });
    root.addEventListener("input", function () { renumber(root); });
    // a paste brings plain text only: formatting from Word would not survive the export anyway
    root.addEventListener("paste", function (ev) {
      if (!ev.clipboardData) { return; }
      ev.preventDefault();
      document.execCommand("insertText", false, ev.clipboardData.getData("text/plain").replace(/\s*\n\s*/g, ""));
    });
    var form = document.getElementById("save-form");
    if (form) { setUpSaving(root, form); }
    document.body.addEventListener("htmx:afterSwap", function (ev) {
      var result = ev.detail.target.querySelector("[data-changed]");
      if (!result) { return; }
      var keys = JSON.parse(result.dataset.changed || "[]");
      root.querySelectorAll(".fig").forEach(function (f) { f.classList.toggle("fig-changed", keys.indexOf(f.dataset.fact) >= 0); });
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
