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

  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
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

  var selectAll = document.getElementById("zg-select-all");
  if (selectAll) {
    selectAll.addEventListener("change", function () {
      document.querySelectorAll(".zg-batch-item").forEach(function (box) { box.checked = selectAll.checked; });
    });
  }

  var form = document.getElementById("zg-doc-form");
  if (!form) { return; }
  var table = form.querySelector("table.zg-doc-table");
  var columns = (table.dataset.columns || "").split(",").filter(Boolean);
  var counter = 0;

  form.addEventListener("change", function (ev) {
    if (ev.target.classList.contains("zg-include")) {
      ev.target.closest("tr").classList.toggle("zg-excluded", !ev.target.checked);
    }
  });

  // Names follow the order on screen, so rows added inside a section stay there after saving.
  function renumber() {
    table.querySelectorAll("tr.zg-item-row").forEach(function (tr, i) {
      tr.querySelectorAll("[name^='rows-']").forEach(function (input) {
        input.name = input.name.replace(/^rows-\d+-/, "rows-" + i + "-");
      });
    });
  }
  form.addEventListener("submit", renumber);

  // Autosave: every 30 seconds after a change, post the form in the background (drafts are not validated
  // for completeness, so half-written rows are kept).
  var dirty = false;
  var status = document.getElementById("zg-autosave-status");
  form.addEventListener("input", function () { dirty = true; });
  if (form.dataset.autosave && window.fetch) {
    setInterval(function () {
      if (!dirty) { return; }
      dirty = false;
      renumber();
      fetch(form.dataset.autosave, { method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json().then(function (body) { return [r.ok, body]; }); })
        .then(function (res) {
          if (!status) { return; }
          status.textContent = res[0] ? (status.dataset.saved || "已自动保存") + " " + res[1].saved_at
                                      : (res[1].error && res[1].error.message) || "自动保存失败";
        })
        .catch(function () { dirty = true; });
    }, 30000);
  }

  var sectionButton = document.getElementById("zg-add-section-btn");
  if (sectionButton) {
    sectionButton.addEventListener("click", function () {
      var input = document.getElementById("zg-new-section");
      var label = input.value.trim();
      if (!label) { input.focus(); return; }
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
      "<td class='zg-col-item'><input class='form-control form-control-sm' name='rows-" + idx + "-label' maxlength='100' required></td>";
    columns.forEach(function (col) {
      html += "<td><textarea class='form-control form-control-sm' rows='2' name='rows-" + idx + "-cells-" + col + "'></textarea></td>";
    });
    tr.innerHTML = html;
    var rows = table.querySelectorAll("tbody tr[data-section='" + section + "']");  // header and item rows
    var after = rows.length ? rows[rows.length - 1] : null;
    if (after) { after.after(tr); } else { table.querySelector("tbody").appendChild(tr); }
    tr.querySelector("input[name$='-label']").focus();
  });
})();
