// 过程数据 charts (ECharts): one line per feed field over time, with the field's threshold as a dashed line.
// Data: #zg-feed-charts[data-charts] = {series: [{feed, field, unit, owner, min, max, points: [[day, value]]}]}.
(function () {
  "use strict";

  var root = document.getElementById("zg-feed-charts");
  if (!root || !window.echarts) { return; }
  var data = JSON.parse(root.dataset.charts);
  var FONT = '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  var charts = [];

  root.querySelectorAll(".zg-feed-chart").forEach(function (el) {
    var s = data.series[Number(el.dataset.index)];
    if (!s) { return; }
    var lines = [];
    if (s.min !== null && s.min !== undefined) { lines.push({ yAxis: s.min }); }
    if (s.max !== null && s.max !== undefined) { lines.push({ yAxis: s.max }); }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: FONT },
      grid: { left: 40, right: 16, top: 16, bottom: 28 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: s.points.map(function (p) { return p[0]; }) },
      // the threshold stays in view: the axis reaches it even when every value is on one side of it
      yAxis: { type: "value", scale: true,
               min: function (v) { return s.min !== null && s.min !== undefined ? Math.min(v.min, s.min) : v.min; },
               max: function (v) { return s.max !== null && s.max !== undefined ? Math.max(v.max, s.max) : v.max; } },
      series: [{
        type: "line", name: s.field, data: s.points.map(function (p) { return p[1]; }), color: "#1f4e8c",
        markLine: lines.length ? { symbol: "none", silent: true, lineStyle: { color: "#c8102e", type: "dashed" },
                                   label: { position: "insideEndTop" }, data: lines } : undefined
      }]
    });
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
