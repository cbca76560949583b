// Charts of the overdue dashboard (ECharts, set up by charts.js). Data: #zg-charts[data-charts]; clicking a bar opens the
// task list behind it, like the links in the tables below.
(function () {
  "use strict";

  var root = document.getElementById("zg-charts");
  if (!root || !window.echarts || !window.zgCharts) { return; }
  var data = JSON.parse(root.dataset.charts);
  var L = data.labels;
  var FONT = window.zgCharts.FONT;  // charts.js: the common set-up
  var RED = "#c8102e", BLUE = "#1f4e8c";
  var BUCKET_COLORS = { due_soon: "#f59f00", late_1_7: "#fa5252", late_8_30: "#e03131", late_30_plus: "#862e2e" };

  function open(url) { if (url) { window.location.href = url; } }

  function make(el, height, option, rows) {
    el.style.height = height + "px";
    var chart = window.zgCharts.draw(el, option);
    chart.on("click", function (p) { var row = rows[p.dataIndex]; open(row && row.url); });
    chart.getZr().on("mousemove", function (e) { chart.getZr().setCursorStyle(e.target ? "pointer" : "default"); });
  }

  function empty(el) {
    el.classList.add("text-secondary", "small");
    el.textContent = L.empty;
  }

  // Horizontal stacked bars: overdue (red) and not yet overdue (blue), biggest at the top.
  function stacked(el, rows) {
    if (!rows.length) { return empty(el); }
    rows = rows.slice().reverse();
    make(el, Math.max(220, 34 * rows.length + 70), {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, textStyle: { fontFamily: FONT } },
      legend: { top: 0, data: [L.overdue, L.pending], textStyle: { fontFamily: FONT } },
      grid: { left: 8, right: 24, top: 30, bottom: 4, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: rows.map(function (r) { return r.name; }),
               axisLabel: { width: 150, overflow: "truncate", fontFamily: FONT } },
      series: [
        { name: L.overdue, type: "bar", stack: "all", barMaxWidth: 26, itemStyle: { color: RED }, cursor: "pointer",
          data: rows.map(function (r) { return r.overdue; }) },
        { name: L.pending, type: "bar", stack: "all", barMaxWidth: 26, itemStyle: { color: BLUE }, cursor: "pointer",
          data: rows.map(function (r) { return r.open - r.overdue; }) }
      ]
    }, rows);
  }

  function buckets(el, rows) {
    make(el, 240, {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, textStyle: { fontFamily: FONT } },
      grid: { left: 8, right: 16, top: 16, bottom: 4, containLabel: true },
      xAxis: { type: "category", data: rows.map(function (r) { return r.name; }),
               axisLabel: { interval: 0, fontFamily: FONT } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: L.tasks, type: "bar", barMaxWidth: 48, cursor: "pointer",
                 label: { show: true, position: "top" },
                 data: rows.map(function (r) { return { value: r.value, itemStyle: { color: BUCKET_COLORS[r.key] } }; }) }]
    }, rows);
  }

  root.querySelectorAll("[data-chart]").forEach(function (el) {
    var kind = el.dataset.chart;
    if (kind === "buckets") { buckets(el, data.buckets); } else { stacked(el, data[kind] || []); }
  });
  root.dataset.ready = "1";
})();
