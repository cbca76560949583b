// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Phone width: the menu collapses behind a toggle (without this file it simply stays open).
  var navToggle = document.getElementById("zg-nav-toggle");
  var navMenu = document.getElementById("zg-nav-menu");
  if (navToggle && navMenu) {
    navToggle.hidden = false;
    navMenu.classList.add("collapse");
    navToggle.addEventListener("click", function () {
      var open = navMenu.classList.toggle("show");
      navToggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // Menus that group links (管理): a disclosure button; Escape or a click elsewhere closes them, ArrowDown
  // enters them. Without this file the links are simply listed (the menu is shown open, see app.css).
  document.documentElement.classList.add("zg-js");
  var dropdowns = document.querySelectorAll(".zg-dropdown");
  function closeMenus(except) {
    dropdowns.forEach(function (d) {
      if (d === except) { return; }
      d.querySelector(".dropdown-menu").classList.remove("show");
      d.querySelector("[aria-expanded]").setAttribute("aria-expanded", "false");
    });
  }
  dropdowns.forEach(function (d) {
    var button = d.querySelector("button[aria-expanded]");
    var menu = d.querySelector(".dropdown-menu");
    function items() { return Array.prototype.slice.call(menu.querySelectorAll("a, button.dropdown-item")); }
    button.addEventListener("click", function () {
      closeMenus(d);
      var open = menu.classList.toggle("show");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
    d.addEventListener("keydown", function (e) {
      var links = items(), at = links.indexOf(document.activeElement);
      if (e.key === "Escape" && menu.classList.contains("show")) {
        closeMenus(null);
        button.focus();
      } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        if (!menu.classList.contains("show")) { button.click(); }
        var next = e.key === "ArrowDown" ? at + 1 : (at < 0 ? links.length - 1 : at - 1);
        links[(next + links.length) % links.length].focus();
      }
    });
  });
  document.addEventListener("click", function (e) {
    if (!e.target.closest || !e.target.closest(".zg-dropdown")) { closeMenus(null); }
  });

  // The year-start form flags prefilled dates that have passed; the flag goes once a later date is chosen.
  document.querySelectorAll("input[data-past-before]").forEach(function (input) {
    input.addEventListener("change", function () {
      var past = !input.value || input.value < input.dataset.pastBefore;
      input.classList.toggle("border-warning", past);
      var msg = document.getElementById(input.getAttribute("aria-describedby"));
      if (msg) { msg.hidden = !past; }
    });
  });

  // An English page still shows Chinese data (names, units, document text): such text is marked lang="zh-CN" so
  // screen readers switch voice (WCAG 3.1.2). Form fields keep their values; an <option> gets the attribute itself.
  if (document.documentElement.lang === "en" && document.createTreeWalker) {
    var cjk = /[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]/;
    var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, { acceptNode: function (n) {
      var p = n.parentElement;
      if (!p || !cjk.test(n.nodeValue) || /^(SCRIPT|STYLE|TEXTAREA|TITLE)$/.test(p.tagName)) { return NodeFilter.FILTER_REJECT; }
      return p.closest("[lang]:not(html)") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
    } });
    var chinese = [];
    while (walker.nextNode()) { chinese.push(walker.currentNode); }
    chinese.forEach(function (n) {
      if (n.parentElement.tagName === "OPTION") { n.parentElement.lang = "zh-CN"; return; }
      var span = document.createElement("span");
      span.lang = "zh-CN";
      n.parentNode.insertBefore(span, n);
      span.appendChild(n);
    });
  }

  // After a refused submit: each field the server marked invalid says so (aria-invalid) and names its message
  // (aria-describedby); the first of them takes the focus, so the user starts where the problem is.
  var invalid = document.querySelectorAll(".is-invalid");
  invalid.forEach(function (field, n) {
    if (!/^(INPUT|SELECT|TEXTAREA)$/.test(field.tagName)) { return; }
    field.setAttribute("aria-invalid", "true");
    field.dataset.zgMarked = "1";  // the length counter keeps it (it only judges the length)
    var box = field.parentElement;
    var message = box && (box.querySelector(".invalid-feedback") || (box.parentElement && box.parentElement.querySelector(".invalid-feedback")));
    if (message) {
      message.id = message.id || "zg-error-" + n;
      var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (described.indexOf(message.id) < 0) { described.push(message.id); }
      field.setAttribute("aria-describedby", described.join(" "));
    }
  });
  var firstInvalid = Array.prototype.find.call(invalid, function (f) { return /^(INPUT|SELECT|TEXTAREA)$/.test(f.tagName); });
  if (firstInvalid && !document.querySelector("[autofocus]")) { firstInvalid.focus(); }

  // A filter chosen with the mouse applies at once; from the keyboard (arrow keys change a closed select) it
  // waits for the form's 筛选 button, so moving through the options neither reloads the page nor loses focus
  // (WCAG 3.2.2).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    var pointed = 0;
    el.addEventListener("pointerdown", function () { pointed = Date.now(); });
    el.addEventListener("keydown", function () { pointed = 0; });
    el.addEventListener("change", function () {
      if (pointed && Date.now() - pointed < 60000) { el.form.submit(); }
    });
  });

  var run = document.getElementById("zg-run");
  if (run && window.fetch) {
    var poll = setInterval(function () {
      fetch(run.dataset.url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (s) {
        var pct = s.total ? Math.floor(100 * s.done / s.total) : 100;
        var bar = run.querySelector(".progress-bar");
        bar.style.width = pct + "%";
        bar.textContent = pct + "%";
        run.setAttribute("aria-valuenow", pct);
        document.getElementById("zg-run-done").textContent = s.done;
        if (s.status === "finished") { clearInterval(poll); document.getElementById("zg-run-state").textContent = "✓"; }
      });
    }, 2000);
  }

  // A long request (a roster import): show its progress bar and keep the button from being pressed twice.
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var bar = document.getElementById(form.dataset.busy);
      if (bar) { bar.hidden = false; }
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    });
  });

  var selectAll = document.getElementById("zg-select-all");
  if (selectAll) {
    selectAll.addEventListener("change", function () {
      document.querySelectorAll(".zg-batch-item").forEach(function (box) { box.checked = selectAll.checked; });
    });
  }

  // --- limited text fields ---------------------------------------------------------------------------
  // Fields carry data-maxlength instead of maxlength, so pasted text is never cut silently: a counter
  // appears near the limit, turns red beyond it, and the form is not sent while a field is over.
  // Counting matches the server (forms/text.py): newlines as one character, trimmed, by code point.
  var strings = (document.getElementById("zg-text-limits") || { dataset: {} }).dataset;
  function say(template, fallback, values) {
    return (template || fallback).replace(/\{(\w+)\}/g, function (_, k) { return values[k]; });
  }
  function lengthOf(value) { return Array.from(value.replace(/\r\n?/g, "\n").trim()).length; }
  function limitOf(el) { return parseInt(el.dataset.maxlength, 10) || 0; }
  function helper(el, cls) {
    var next = el.nextElementSibling;
    while (next && next.classList.contains("zg-field-note")) {
      if (next.classList.contains(cls)) { return next; }
      next = next.nextElementSibling;
    }
    var div = document.createElement("div");
    div.className = "zg-field-note " + cls;
    div.hidden = true;
    var anchor = el;
    while (anchor.nextElementSibling && anchor.nextElementSibling.classList.contains("zg-field-note")) {
      anchor = anchor.nextElementSibling;
    }
    anchor.after(div);
    return div;
  }
  function setFieldError(el, text) {
    var note = helper(el, "zg-field-error");
    note.setAttribute("role", "alert");
    note.textContent = text || "";
    note.hidden = !text;
    if (text) { el.classList.add("is-invalid"); el.dataset.zgInvalid = "1"; }
    else if (el.dataset.zgInvalid) { el.classList.remove("is-invalid"); delete el.dataset.zgInvalid; }
  }
  function updateCounter(el) {
    var max = limitOf(el);
    if (!max) { return false; }
    var n = lengthOf(el.value);
    var over = n > max;
    var counter = helper(el, "zg-counter");
    counter.setAttribute("aria-live", "polite");
    counter.hidden = n < Math.floor(max * 0.8);
    counter.classList.toggle("zg-over", over);
    counter.textContent = over
      ? say(strings.over, "已输入 {n} / {max}，超出 {extra} 个字", { n: n, max: max, extra: n - max })
      : say(strings.counter, "已输入 {n} / {max}", { n: n, max: max });
    el.setAttribute("aria-invalid", over || el.dataset.zgMarked ? "true" : "false");
    if (!over && el.dataset.zgLimit) { delete el.dataset.zgLimit; setFieldError(el, ""); }
    return over;
  }
  function overLimit(scope) {
    return Array.prototype.filter.call(scope.querySelectorAll("[data-maxlength]"), updateCounter);
  }
  function refuseOverLimit(fields) {
    fields.forEach(function (el) {
      el.dataset.zgLimit = "1";
      setFieldError(el, say(strings.field, "最多 {max} 个字（当前 {n} 个）", { n: lengthOf(el.value), max: limitOf(el) }));
    });
    fields[0].scrollIntoView({ block: "center" });
    fields[0].focus();
  }
  document.querySelectorAll("[data-maxlength]").forEach(updateCounter);
  document.addEventListener("input", function (ev) {
    if (ev.target.dataset && ev.target.dataset.maxlength) { updateCounter(ev.target); }
    if (ev.target.dataset && ev.target.dataset.zgServerError) { delete ev.target.dataset.zgServerError; setFieldError(ev.target, ""); }
  });
  document.querySelectorAll("form").forEach(function (f) {
    if (!f.querySelector("[data-maxlength]")) { return; }
    f.addEventListener("submit", function (ev) {
      var over = overLimit(f);
      if (over.length) { ev.preventDefault(); refuseOverLimit(over); }
    });
  });

  // --- text boxes grow with what they hold (up to most of the screen, then they scroll) ---------------
  function grow(boxes) {
    var shown = boxes.filter(function (el) { return el.offsetParent !== null; });
    shown.forEach(function (el) { el.style.height = "auto"; });            // write all, then read all:
    var heights = shown.map(function (el) { return el.scrollHeight + el.offsetHeight - el.clientHeight; });
    var cap = Math.max(160, Math.round(window.innerHeight * 0.7));          // one layout, not one per box
    shown.forEach(function (el, i) {
      el.style.height = Math.min(heights[i], cap) + "px";
      el.classList.toggle("zg-capped", heights[i] > cap);
    });
  }
  function growAll() { grow(Array.prototype.slice.call(document.querySelectorAll("textarea.zg-autogrow"))); }
  growAll();
  document.addEventListener("input", function (ev) {
    if (ev.target.classList && ev.target.classList.contains("zg-autogrow")) { grow([ev.target]); }
  });
  var resizeTimer = null;
  window.addEventListener("resize", function () { clearTimeout(resizeTimer); resizeTimer = setTimeout(growAll, 150); });

  var form = document.getElementById("zg-doc-form");
  if (!form) { return; }
  var table = form.querySelector("table.zg-doc-table");
  var columns = (table.dataset.columns || "").split(",").filter(Boolean);
  var limits = {};
  (table.dataset.limits || "").split(",").forEach(function (max, i) { limits[columns[i]] = parseInt(max, 10); });
  var counter = 0;

  // --- unsaved changes: leaving asks first; saving, submitting or a successful autosave clears it ----------
  // data-unsaved: the server sent back typed-in text it refused to store (a failed submission).
  var unsaved = form.dataset.unsaved === "1";
  var edits = 0;
  var leaving = false;
  function changed() { unsaved = true; dirty = true; edits += 1; }
  form.addEventListener("input", changed);
  form.addEventListener("change", function (ev) {
    if (ev.target.classList.contains("zg-include")) {
      ev.target.closest("tr").classList.toggle("zg-excluded", !ev.target.checked);
    }
    // text fields already said so on input; their change event only means they lost the focus
    if (ev.target.name && (ev.target.type === "checkbox" || ev.target.tagName === "SELECT")) { changed(); }
  });
  window.addEventListener("beforeunload", function (ev) {
    if (unsaved && !leaving) { ev.preventDefault(); ev.returnValue = strings.unsaved || "有未保存的修改"; }
  });

  // Names follow the order on screen, so rows added inside a section stay there after saving.
  function renumber() {
    table.querySelectorAll("tr.zg-item-row").forEach(function (tr, i) {
      tr.querySelectorAll("[name^='rows-']").forEach(function (input) {
        input.name = input.name.replace(/^rows-\d+-/, "rows-" + i + "-");
      });
    });
  }
  form.addEventListener("submit", function (ev) {
    if (ev.defaultPrevented) { return; }  // a field over its limit: the page stays, and so do the edits
    renumber();
    leaving = true;
  });

  // Autosave: every 30 seconds after a change, post the form in the background (drafts are not validated
  // for completeness, so half-written rows are kept). A refused save is said next to the buttons and at
  // the fields, and the edits stay marked unsaved.
  var dirty = false;
  var status = document.getElementById("zg-autosave-status");
  function report(text, failed) {
    if (!status) { return; }
    status.textContent = text;
    status.classList.toggle("text-danger", !!failed);
    status.classList.toggle("text-secondary", !failed);
  }
  function autosave() {
    if (!dirty || leaving) { return; }
    dirty = false;
    var over = overLimit(form);
    if (over.length) {
      report(say(strings.autosaveOver, "有 {count} 处超出字数限制，未能自动保存", { count: over.length }), true);
      return;  // still unsaved; the next edit tries again
    }
    renumber();
    var sent = edits;
    fetch(form.dataset.autosave, { method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json().then(function (body) { return [r.ok, body]; }); })
      .then(function (res) {
        if (res[0]) {
          if (sent === edits) { unsaved = false; }
          report((status && status.dataset.saved || "已自动保存") + " " + res[1].saved_at, false);
          return;
        }
        var error = res[1].error || {};
        Object.keys(error.fields || {}).forEach(function (key) {
          var el = form.elements[key.replace(/\./g, "-")];
          if (el && el.tagName) { el.dataset.zgServerError = "1"; setFieldError(el, [].concat(error.fields[key]).join("；")); }
        });
        report(say(strings.autosaveFailed, "自动保存失败：{reason}", { reason: error.message || "" }), true);
      })
      .catch(function () {
        dirty = true;  // offline or the server did not answer: try again at the next tick
        report(say(strings.autosaveFailed, "自动保存失败：{reason}", { reason: strings.offline || "网络连接失败" }), true);
      });
  }
  if (form.dataset.autosave && window.fetch) { setInterval(autosave, 30000); }

  var sectionButton = document.getElementById("zg-add-section-btn");
  if (sectionButton) {
    sectionButton.addEventListener("click", function () {
      var input = document.getElementById("zg-new-section");
      var label = input.value.trim();
      if (!label) { input.focus(); return; }
      if (updateCounter(input)) { refuseOverLimit([input]); return; }
      counter += 1;
      var key = "c" + Date.now().toString(36) + counter;
      var holder = document.getElementById("zg-custom-sections");
      var n = holder.querySelectorAll("input[name$='-key']").length;
      [["key", key], ["label", label]].forEach(function (pair) {
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = "sections-" + n + "-" + pair[0];
        hidden.value = pair[1];
        holder.appendChild(hidden);
      });
      var head = document.createElement("tr");
      head.className = "zg-section-row";
      head.dataset.section = key;
      var th = document.createElement("th");
      th.colSpan = columns.length + 2;
      th.textContent = label;
      head.appendChild(th);
      table.querySelector("tbody").appendChild(head);
      var option = document.createElement("option");
      option.value = key;
      option.textContent = label;
      option.selected = true;
      document.getElementById("zg-add-section").appendChild(option);
      input.value = "";
      updateCounter(input);
      changed();
    });
  }

  var addButton = document.getElementById("zg-add-row");
  if (!addButton) { return; }
  addButton.addEventListener("click", function () {
    var section = document.getElementById("zg-add-section").value;
    counter += 1;
    var id = "c" + Date.now().toString(36) + counter;
    var idx = 10000 + counter;
    var tr = document.createElement("tr");
    tr.className = "zg-item-row zg-custom-row";
    tr.dataset.section = section;
    var html = "<td class='text-center'>" +
      "<input type='hidden' name='rows-" + idx + "-id' value='" + id + "'>" +
      "<input type='hidden' name='rows-" + idx + "-section' value='" + section + "'>" +
      "<input class='form-check-input zg-include' type='checkbox' name='rows-" + idx + "-included' value='on' checked></td>" +
      "<td class='zg-col-item'><input class='form-control form-control-sm' name='rows-" + idx + "-label' data-maxlength='100' required></td>";
    // a readonly column is copied in by the server (a new row has nothing to copy); a choice is a list
    var kinds = (table.dataset.kinds || "").split(",");
    var choices = [];
    try { choices = JSON.parse(table.dataset.choices || "[]"); } catch (e) { choices = []; }
    columns.forEach(function (col, i) {
      var name = "rows-" + idx + "-cells-" + col;
      if (kinds[i] === "readonly") {
        html += "<td><div class='zg-fixed-cell small'>—</div></td>";
      } else if (kinds[i] === "choice") {
        html += "<td><select class='form-select form-select-sm' name='" + name + "'><option value=''></option></select></td>";
      } else {
        html += "<td><textarea class='form-control form-control-sm zg-autogrow' rows='2' name='" + name +
          "' data-maxlength='" + (limits[col] || 2000) + "'></textarea></td>";
      }
    });
    tr.innerHTML = html;
    tr.querySelector(".zg-include").setAttribute("aria-label", table.dataset.includeLabel || "");
    tr.querySelector("input[name$='-label']").setAttribute("aria-label", table.dataset.itemLabel || "");
    tr.querySelectorAll("select").forEach(function (select) {
      var i = columns.indexOf(select.name.split("-cells-")[1]);
      select.options[0].textContent = table.dataset.placeholder || "";
      (choices[i] || []).forEach(function (c) { select.add(new Option(c.label, c.value)); });
    });
    // the new row's cells carry their column's name, for phones (stacked layout) and screen readers
    var labels = [];
    try { labels = JSON.parse(table.dataset.labels || "[]"); } catch (e) { labels = []; }
    Array.prototype.forEach.call(tr.children, function (td, j) {
      var i = j - 2;  // after the 采用 and 项目 cells
      if (i < 0 || !labels[i]) { return; }
      td.dataset.label = labels[i];
      var field = td.querySelector("textarea, select");
      if (field) { field.setAttribute("aria-label", labels[i]); }
    });
    var rows = table.querySelectorAll("tbody tr[data-section='" + section + "']");  // header and item rows
    var after = rows.length ? rows[rows.length - 1] : null;
    if (after) { after.after(tr); } else { table.querySelector("tbody").appendChild(tr); }
    grow(Array.prototype.slice.call(tr.querySelectorAll("textarea")));
    changed();
    tr.querySelector("input[name$='-label']").focus();
  });
})();
