// 过程数据 charts (ECharts, set up by charts.js): one line per feed field over time, with the field's threshold as a
// dashed line.
// Data: #zg-feed-charts[data-charts] = {series: [{feed, field, unit, owner, min, max, points: [[day, value]]}]}.
(function () {
  "use strict";

  function set(v) { return v !== null && v !== undefined; }

  if (!window.zgCharts) { return; }
  window.zgCharts.each("zg-feed-charts", ".zg-feed-chart", function (el, s) {
    var lines = [];
    if (set(s.min)) { lines.push({ yAxis: s.min }); }
    if (set(s.max)) { lines.push({ yAxis: s.max }); }
    window.zgCharts.small(el, {
      xAxis: { type: "category", data: s.points.map(function (p) { return p[0]; }) },
      // the threshold stays in view: the axis reaches it even when every value is on one side of it
      yAxis: { type: "value", scale: true,
               min: function (v) { return set(s.min) ? Math.min(v.min, s.min) : v.min; },
               max: function (v) { return set(s.max) ? Math.max(v.max, s.max) : v.max; } },
      series: [{
        type: "line", name: s.field, data: s.points.map(function (p) { return p[1]; }), color: "#1f4e8c",
        markLine: lines.length ? { symbol: "none", silent: true, lineStyle: { color: "#c8102e", type: "dashed" },
                                   label: { position: "insideEndTop" }, data: lines } : undefined
      }]
    });
  });
})();
