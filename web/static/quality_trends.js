// 质量看板 trends (ECharts): one small line chart per indicator over the last years, gaps where a year has no value.
// Data: #zg-trend-charts[data-charts] = {years: ["2022", ...], series: [{key, name, unit, values: [number|null]}]}.
(function () {
  "use strict";

  var root = document.getElementById("zg-trend-charts");
  if (!root || !window.echarts) { return; }
  var data = JSON.parse(root.dataset.charts);
  var FONT = '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  var charts = [];

  root.querySelectorAll(".zg-trend-chart").forEach(function (el) {
    var s = data.series[Number(el.dataset.index)];
    if (!s) { return; }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: FONT },
      grid: { left: 40, right: 16, top: 16, bottom: 28 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.years },
      yAxis: { type: "value", scale: true },
      series: [{ type: s.key === "warnings" ? "bar" : "line", name: s.name, data: s.values, connectNulls: false,
                 color: s.key === "warnings" ? "#c8102e" : "#1f4e8c", barMaxWidth: 24 }]
    });
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
