// 质量看板 trends (ECharts, set up by charts.js): one small line chart per indicator over the last years, gaps where
// a year has no value.
// Data: #zg-trend-charts[data-charts] = {years: ["2022", ...], series: [{key, name, unit, values: [number|null]}]}.
(function () {
  "use strict";

  if (!window.zgCharts) { return; }
  window.zgCharts.each("zg-trend-charts", ".zg-trend-chart", function (el, s, data) {
    window.zgCharts.small(el, {
      xAxis: { type: "category", data: data.years },
      // a share keeps its 0-100 frame (a flat 97.5 % would otherwise be drawn between 40 and 160)
      yAxis: s.unit === "%" ? {
        type: "value", scale: true,
        max: function (v) { return Math.max(100, Math.ceil(v.max)); },
        min: function (v) { return Math.max(0, Math.floor(v.min / 10) * 10 - 10); }
      } : { type: "value", scale: true },
      series: [{ type: s.key === "warnings" ? "bar" : "line", name: s.name, data: s.values, connectNulls: false,
                 color: s.key === "warnings" ? "#c8102e" : "#1f4e8c", barMaxWidth: 24 }]
    });
  });
})();
