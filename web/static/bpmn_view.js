// Read-only BPMN diagrams (bpmn-js NavigatedViewer): an instance's path and tokens, or a version's heat map.
// Data comes from data-* attributes of #zg-diagram; every overlay is built with textContent (no HTML strings).
(function () {
  "use strict";

  var el = document.getElementById("zg-diagram");
  if (!el || !window.BpmnJS || !window.fetch) { return; }

  function badge(text, cls, title) {
    var span = document.createElement("span");
    span.className = "zg-badge " + cls;
    span.textContent = text;
    if (title) { span.title = title; }
    return span;
  }

  function decorate(viewer) {
    var canvas = viewer.get("canvas");
    var overlays = viewer.get("overlays");
    var registry = viewer.get("elementRegistry");
    var marked = function (id, cls) {
      if (!registry.get(id)) { return false; }
      canvas.addMarker(id, cls);
      return true;
    };
    var overlay = function (id, position, node) { overlays.add(id, "zg", { position: position, html: node }); };

    if (el.dataset.highlight) {
      var h = JSON.parse(el.dataset.highlight);
      var L = h.labels;
      Object.keys(h.completed).forEach(function (id) {
        if (marked(id, "zg-done") && h.completed[id] > 1) {
          overlay(id, { bottom: 10, left: -8 }, badge("×" + h.completed[id], "zg-badge-done", h.completed[id] + L.times));
        }
      });
      h.flows.forEach(function (id) { marked(id, "zg-done"); });
      h.current.forEach(function (c) {
        if (!marked(c.id, "zg-current")) { return; }
        var names = c.tasks.map(function (t) { return t.name + (t.who ? "：" + t.who : "") + (t.due_at ? " · " + t.due_at : ""); });
        if (c.overdue) {
          canvas.addMarker(c.id, "zg-overdue");
          overlay(c.id, { top: -12, right: 20 }, badge(L.overdue + " " + c.overdue, "zg-badge-overdue", names.join("\n")));
        } else if (c.open) {
          overlay(c.id, { top: -12, right: 20 }, badge(L.open + " " + c.open, "zg-badge-current", names.join("\n")));
        }
      });
      h.timers.forEach(function (t) {
        if (marked(t.id, "zg-timer")) {
          overlay(t.id, { bottom: -4, left: 30 }, badge(L.timer + " " + t.due_at, t.overdue ? "zg-badge-overdue" : "zg-badge-timer"));
        }
      });
    }

    if (el.dataset.heat) {
      var heat = JSON.parse(el.dataset.heat);
      var HL = heat.labels;
      heat.steps.forEach(function (s) {
        if (!marked(s.id, "zg-heat-" + s.level)) { return; }
        if (s.open) {
          overlay(s.id, { top: -14, left: 0 }, badge(HL.open + " " + s.open + " · " + HL.avg + " " + s.wait,
            s.overdue ? "zg-badge-overdue" : "zg-badge-heat"));
        }
        if (s.completed) {
          overlay(s.id, { bottom: 4, left: 0 }, badge(HL.done + " " + s.completed + " · " + HL.avg + " " + s.done, "zg-badge-done"));
        }
      });
      if (heat.bottleneck && marked(heat.bottleneck, "zg-bottleneck")) {
        overlay(heat.bottleneck, { top: -38, left: 0 }, badge(HL.bottleneck, "zg-badge-bottleneck"));
      }
    }
  }

  var viewer = new window.BpmnJS({ container: el });
  fetch(el.dataset.xmlUrl, { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      viewer.get("canvas").zoom("fit-viewport", "auto");
      decorate(viewer);
      el.dataset.ready = "1";
    })
    .catch(function (err) {
      el.textContent = el.dataset.error;
      el.classList.add("zg-diagram-error");
      if (window.console) { window.console.error(err); }
    });
})();
