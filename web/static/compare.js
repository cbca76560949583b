// Two read-only diagrams side by side with added, changed and removed elements highlighted.
(function () {
  "use strict";
  var root = document.getElementById("zg-compare");
  if (!root || !window.BpmnJS) { return; }
  var changes = JSON.parse(root.dataset.changes || "[]");
  root.querySelectorAll(".zg-viewer").forEach(function (box) {
    var viewer = new window.BpmnJS({ container: box });
    fetch(box.dataset.url, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (xml) {
      return viewer.importXML(xml);
    }).then(function () {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport");
      changes.forEach(function (c) {
        var wanted = box.dataset.side === "old" ? c.change !== "added" : c.change !== "removed";
        if (wanted && registry.get(c.element_id)) { canvas.addMarker(c.element_id, "zg-" + c.change); }
      });
      box.setAttribute("data-ready", "1");
    });
  });
})();
