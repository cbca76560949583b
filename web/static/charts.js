// The pages' ECharts set-up in one place (process data, 平台数据分析, 质量看板, the monitor's dashboard): CJK fonts
// first (canvas text does not fall back like HTML does; fonts-noto-cjk on Linux), no animation, the small charts'
// grid and axis tooltip, and one resize handler for every chart drawn. Load after echarts and before the page's
// own script, which calls window.zgCharts.
(function () {
  "use strict";

  var FONT = '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  var charts = [];

  // Draw `option` in `el`; `option` gets the common settings it does not set itself.
  function draw(el, option) {
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    option.animation = false;
    option.textStyle = option.textStyle || { fontFamily: FONT };
    chart.setOption(option);
    charts.push(chart);
    return chart;
  }

  // A small chart: `option` plus the common grid and axis tooltip.
  function small(el, option) {
    option.grid = option.grid || { left: 40, right: 16, top: 16, bottom: 28 };
    option.tooltip = option.tooltip || { trigger: "axis" };
    return draw(el, option);
  }

  // The data of #rootId[data-charts] and each of its `selector` elements with its series (data-index), or null.
  function each(rootId, selector, fn) {
    var root = document.getElementById(rootId);
    if (!root || !window.echarts) { return null; }
    var data = JSON.parse(root.dataset.charts);
    root.querySelectorAll(selector).forEach(function (el) {
      var s = data.series && data.series[Number(el.dataset.index)];
      if (s) { fn(el, s, data); }
    });
    return data;
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.zgCharts = { FONT: FONT, draw: draw, small: small, each: each };
})();
