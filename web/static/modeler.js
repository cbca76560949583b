// The process modeler: bpmn-js plus our own side panel for the zhengai:* extension elements.
// The server validates everything; this file only helps the owner get it right before saving.
(function () {
  "use strict";

  var root = document.getElementById("zg-modeler");
  if (!root || !window.BpmnJS) { return; }
  var T = JSON.parse(document.getElementById("zg-i18n").textContent);
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var lock = root.dataset.lock === "" ? null : parseInt(root.dataset.lock, 10);
  var options = null;
  var dirty = false;

  // Our extension elements, declared so bpmn-js reads and writes them as attributes.
  var zhengai = {
    name: "Zhengai", uri: "http://zhengai.cn/schema/bpmn/1.0", prefix: "zhengai", xml: { tagAlias: "lowerCase" },
    types: [
      { name: "Assignment", superClass: ["Element"], properties: [
        { name: "role", isAttr: true, type: "String" }, { name: "scope", isAttr: true, type: "String" }] },
      { name: "Task", superClass: ["Element"], properties: [
        { name: "kind", isAttr: true, type: "String" }, { name: "form", isAttr: true, type: "String" },
        { name: "due", isAttr: true, type: "String" }, { name: "remind", isAttr: true, type: "String" },
        { name: "vertical", isAttr: true, type: "String" }] },
      { name: "Process", superClass: ["Element"], properties: [
        { name: "category", isAttr: true, type: "String" }, { name: "subjectType", isAttr: true, type: "String" },
        { name: "owner", isAttr: true, type: "String" }] },
      // zhengai:step="N" on a cycle's tasks and call activities: which of the eleven steps it is (kept as is)
      { name: "CycleStep", isAbstract: true, "extends": ["bpmn:UserTask", "bpmn:CallActivity"], properties: [
        { name: "step", isAttr: true, type: "String" }] }
    ]
  };

  // Chinese labels for the palette, context pad and replace menu.
  var WORDS = {
    "Activate hand tool": "抓手工具", "Activate lasso tool": "套索工具", "Activate create/remove space tool": "空间工具",
    "Activate global connect tool": "连线工具", "Create start event": "开始事件", "Create end event": "结束事件",
    "Create intermediate/boundary event": "中间事件", "Create gateway": "网关", "Create task": "任务",
    "Create data object reference": "数据对象", "Create data store reference": "数据存储",
    "Create expanded sub-process": "子流程", "Create pool/participant": "池", "Create group": "分组",
    "Append end event": "追加结束事件", "Append gateway": "追加网关", "Append task": "追加任务",
    "Append intermediate/boundary event": "追加中间事件", "Append text annotation": "追加注释",
    "Change element": "更改类型", "Change type": "更改类型", "Delete": "删除", "Connect to other element": "连线",
    "Connect using sequence/message flow or association": "连线", "Connect using association": "关联",
    "Add lane above": "在上方添加泳道", "Add lane below": "在下方添加泳道",
    "Divide into two lanes": "拆分为两条泳道", "Divide into three lanes": "拆分为三条泳道",
    "User task": "用户任务", "Service task": "服务任务", "Task": "任务", "Exclusive gateway": "排他网关",
    "Parallel gateway": "并行网关", "Inclusive gateway": "包容网关", "Start event": "开始事件", "End event": "结束事件",
    "Call activity": "调用活动", "Manual task": "人工任务", "Timer intermediate catch event": "定时中间事件",
    "Search in diagram": "搜索", "Create element": "创建元素", "Append element": "追加元素"
  };
  function translate(template, replacements) {
    replacements = replacements || {};
    return (WORDS[template] || template).replace(/{([^}]+)}/g, function (_, key) { return replacements[key] || "{" + key + "}"; });
  }

  // Hide palette entries for elements the server does not run (it would refuse them on save).
  var UNSUPPORTED = ["create.data-object", "create.data-store", "create.subprocess-expanded", "create.participant-expanded"];
  function FilterPalette(palette) { palette.registerProvider(500, this); }
  FilterPalette.$inject = ["palette"];
  FilterPalette.prototype.getPaletteEntries = function () {
    return function (entries) { UNSUPPORTED.forEach(function (key) { delete entries[key]; }); return entries; };
  };

  var modeler = new window.BpmnJS({
    container: "#zg-canvas",
    keyboard: { bindTo: document },
    moddleExtensions: { zhengai: zhengai },
    additionalModules: [{ translate: ["value", translate] }, { __init__: ["zgFilterPalette"], zgFilterPalette: ["type", FilterPalette] }]
  });
  window.zgModeler = modeler; // for power users and the browser tests
  var modeling = modeler.get("modeling");
  var moddle = modeler.get("moddle");
  var registry = modeler.get("elementRegistry");
  var canvas = modeler.get("canvas");
  var overlays = modeler.get("overlays");
  var selection = modeler.get("selection");
  var eventBus = modeler.get("eventBus");

  // --- helpers -----------------------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; } else if (k === "className") { node.className = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(c); } });
    return node;
  }
  function status(message, kind) {
    var box = document.getElementById("zg-status");
    box.className = "alert py-1 px-2 small alert-" + (kind || "info");
    box.textContent = message;
  }
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) { data.httpStatus = r.status; return data; });
    });
  }
  function errorText(data) {
    if (data.error) { return data.error.message; }
    return data.message || T.failed;
  }
  function ext(bo, type) {
    var holder = bo.extensionElements;
    return holder ? (holder.get("values") || []).filter(function (v) { return v.$instanceOf(type); })[0] : null;
  }
  function setExt(element, type, attrs) {
    var bo = element.businessObject;
    var holder = bo.extensionElements;
    if (!holder) {
      holder = moddle.create("bpmn:ExtensionElements", { values: [] });
      holder.$parent = bo;
      modeling.updateProperties(element, { extensionElements: holder });
    }
    var item = ext(bo, type);
    if (!item) {
      item = moddle.create(type, attrs);
      item.$parent = holder;
      modeling.updateModdleProperties(element, holder, { values: holder.get("values").concat([item]) });
    } else {
      modeling.updateModdleProperties(element, item, attrs);
    }
  }
  function field(label, input, help) {
    var id = "zg-f-" + Math.random().toString(36).slice(2);
    input.id = id;
    return el("div", { className: "mb-2" }, [
      el("label", { "for": id, className: "form-label small mb-0", text: label }), input,
      help ? el("div", { className: "form-text", text: help }) : null
    ]);
  }
  function textInput(value, onChange, attrs) {
    var input = el("input", Object.assign({ className: "form-control form-control-sm", value: value || "" }, attrs || {}));
    input.addEventListener("change", function () { onChange(input.value.trim()); });
    return input;
  }
  function select(choices, value, onChange, withNone) {
    var s = el("select", { className: "form-select form-select-sm" });
    if (withNone) { s.appendChild(el("option", { value: "", text: T.none })); }
    choices.forEach(function (c) {
      var o = el("option", { value: c[0], text: c[1] });
      if (c[0] === (value || "")) { o.selected = true; }
      s.appendChild(o);
    });
    s.addEventListener("change", function () { onChange(s.value); });
    return s;
  }
  function pairs(obj) { return Object.keys(obj).map(function (k) { return [k, obj[k]]; }); }
  function is(element, type) { return element && element.businessObject && element.businessObject.$instanceOf(type); }

  // --- the side panel ----------------------------------------------------------------------------
  var panel = document.getElementById("zg-panel");
  panel.innerHTML = "";
  var chooser = el("select", { className: "form-select form-select-sm", id: "zg-element-chooser", "data-testid": "element-chooser" });
  var chooserLabel = el("label", { className: "form-label small mb-1", text: T.chooser });
  chooserLabel.setAttribute("for", "zg-element-chooser");
  panel.appendChild(el("div", { className: "p-2 border-bottom" }, [chooserLabel, chooser]));
  var panelBody = el("div");
  panel.appendChild(panelBody);

  // --- keyboard: choose an element from a list, then add a step, gateway, end or lane after it ------------
  var autoPlace = modeler.get("autoPlace");
  var elementFactory = modeler.get("elementFactory");
  function describe(e) {
    var bo = e.businessObject;
    if (is(e, "bpmn:SequenceFlow")) {
      return T.flow + "：" + ((e.source && e.source.businessObject.name) || e.source.id) + " → " +
        ((e.target && e.target.businessObject.name) || e.target.id);
    }
    return (is(e, "bpmn:Lane") ? T.lane + "：" : is(e, "bpmn:Participant") ? T.process + "：" : "") + (bo.name || bo.id);
  }
  function refreshChooser() {
    var root = canvas.getRootElement();
    var chosen = selection.get().length === 1 ? selection.get()[0].id : "";
    var items = registry.filter(function (e) {
      return e !== root && e.type !== "label" && !e.labelTarget && e.businessObject && !is(e, "bpmn:Process");
    }).sort(function (a, b) {
      var ka = is(a, "bpmn:SequenceFlow") ? 2 : (is(a, "bpmn:Lane") || is(a, "bpmn:Participant")) ? 0 : 1;
      var kb = is(b, "bpmn:SequenceFlow") ? 2 : (is(b, "bpmn:Lane") || is(b, "bpmn:Participant")) ? 0 : 1;
      return ka - kb || (a.y || 0) - (b.y || 0) || (a.x || 0) - (b.x || 0);
    });
    chooser.innerHTML = "";
    chooser.appendChild(el("option", { value: "", text: T.none }));
    items.forEach(function (e) {
      var o = el("option", { value: e.id, text: describe(e) });
      if (e.id === chosen) { o.selected = true; }
      chooser.appendChild(o);
    });
  }
  chooser.addEventListener("change", function () {
    var e = registry.get(chooser.value);
    if (e) { selection.select(e); } else { selection.select(null); }
  });
  function focusName() {
    var input = panelBody.querySelector("[data-field=name]");
    if (input) { input.focus(); }
  }
  function appendAfter(element, type) {
    var shape = autoPlace.append(element, elementFactory.createShape({ type: type }));
    selection.select(shape);
    focusName();
  }
  function actionButton(text, testid, onClick) {
    var b = el("button", { type: "button", className: "btn btn-sm btn-outline-primary", text: text, "data-testid": testid });
    b.addEventListener("click", onClick);
    return b;
  }
  function actions(element, body) {
    var row = el("div", { className: "d-flex flex-wrap gap-1 mt-2", "data-testid": "element-actions" });
    var flowNode = is(element, "bpmn:FlowNode") && !is(element, "bpmn:EndEvent") && !is(element, "bpmn:BoundaryEvent");
    if (flowNode) {
      row.appendChild(actionButton(T.appendTask, "append-task", function () { appendAfter(element, "bpmn:UserTask"); }));
      row.appendChild(actionButton(T.appendGateway, "append-gateway", function () { appendAfter(element, "bpmn:ExclusiveGateway"); }));
      row.appendChild(actionButton(T.appendEnd, "append-end", function () { appendAfter(element, "bpmn:EndEvent"); }));
    }
    if (is(element, "bpmn:Lane") || is(element, "bpmn:Participant")) {
      row.appendChild(actionButton(T.addLane, "add-lane", function () {
        var lane = modeling.addLane(element, "bottom");
        selection.select(lane);
        focusName();
      }));
    }
    row.appendChild(actionButton(T.remove, "remove-element", function () {
      modeling.removeElements([element]);
      chooser.focus();
    }));
    body.appendChild(row);
  }

  function render(element) {
    panelBody.innerHTML = "";
    refreshChooser();
    if (!element || !options) {
      panelBody.appendChild(el("div", { className: "text-secondary small p-2", text: T.hint }));
      return;
    }
    var bo = element.businessObject;
    var kind = is(element, "bpmn:Lane") ? T.lane : is(element, "bpmn:SequenceFlow") ? T.flow :
      is(element, "bpmn:Gateway") ? T.gateway : (is(element, "bpmn:Participant") || is(element, "bpmn:Process")) ? T.process :
      is(element, "bpmn:Task") ? T.task : T.element;
    var body = el("div", { className: "p-2" });
    body.appendChild(el("div", { className: "fw-semibold mb-2", text: kind }));
    body.appendChild(el("div", { className: "small text-secondary mb-2 font-monospace", text: T.id + ": " + bo.id }));
    body.appendChild(field(T.name, textInput(bo.name, function (v) { modeling.updateLabel(element, v); }, { "data-field": "name" })));
    if (is(element, "bpmn:Lane")) { laneFields(element, body); }
    if (is(element, "bpmn:UserTask") || is(element, "bpmn:ManualTask") || (bo.$type === "bpmn:Task")) { taskFields(element, body); }
    if (options.steps.length && (is(element, "bpmn:UserTask") || is(element, "bpmn:CallActivity"))) { stepField(element, body); }
    if (is(element, "bpmn:SequenceFlow")) { flowFields(element, body); }
    if (is(element, "bpmn:ExclusiveGateway") || is(element, "bpmn:InclusiveGateway")) { gatewayFields(element, body); }
    actions(element, body);
    panelBody.appendChild(body);
  }

  function laneFields(element, body) {
    var a = ext(element.businessObject, "zhengai:Assignment") || {};
    var roles = (a.role || "").split(",").map(function (r) { return r.trim(); }).filter(Boolean);
    var box = el("div", { className: "mb-2", "data-field": "roles" }, [el("div", { className: "form-label small mb-0", text: T.role })]);
    pairs(options.roles).forEach(function (r) {
      var id = "zg-role-" + r[0];
      var cb = el("input", { type: "checkbox", className: "form-check-input", id: id, value: r[0] });
      cb.checked = roles.indexOf(r[0]) >= 0;
      cb.addEventListener("change", function () {
        var chosen = Array.prototype.slice.call(box.querySelectorAll("input:checked")).map(function (x) { return x.value; });
        setExt(element, "zhengai:Assignment", { role: chosen.join(",") });
      });
      box.appendChild(el("div", { className: "form-check form-check-inline small" }, [cb, el("label", { className: "form-check-label", "for": id, text: r[1] })]));
    });
    body.appendChild(box);
    var scopes = pairs(options.scopes).concat(options.units.map(function (u) { return ["unit:" + u.code, T.fixedUnit + "：" + u.name]; }));
    var s = select(scopes, a.scope, function (v) { setExt(element, "zhengai:Assignment", { scope: v }); }, true);
    s.setAttribute("data-field", "scope");
    body.appendChild(field(T.scope, s));
  }

  function taskFields(element, body) {
    var t = ext(element.businessObject, "zhengai:Task") || {};
    function set(name) { return function (v) { var o = {}; o[name] = v || undefined; setExt(element, "zhengai:Task", o); }; }
    var kindSel = select(pairs(options.kinds), t.kind || "form", set("kind"));
    kindSel.setAttribute("data-field", "kind");
    body.appendChild(field(T.kind, kindSel, T.docHelp));
    var formSel = select(options.forms.map(function (f) { return [f.key, f.title + " (" + f.key + ")"]; }), t.form, set("form"), true);
    formSel.setAttribute("data-field", "form");
    body.appendChild(field(T.form, formSel));
    // P7D: from the task's arrival; =name: a date the instance carries; =name|P14D: that date, else the duration
    var due = textInput(t.due, set("due"), { placeholder: "P7D", "data-field": "due", pattern: "^(P.*|=\\w+(\\|P.*)?)$" });
    body.appendChild(field(T.due, due, T.dueHelp));
    body.appendChild(field(T.remind, textInput(t.remind, set("remind"), { placeholder: "P2D,P1D", "data-field": "remind" })));
    var vSel = select(pairs(options.verticals), t.vertical, set("vertical"), true);
    vSel.setAttribute("data-field", "vertical");
    body.appendChild(field(T.vertical, vSel));
  }

  // A cycle's task or call activity: which of the eleven steps its tasks count as (progress, inbox titles).
  function stepField(element, body) {
    var s = select(options.steps, element.businessObject.get("zhengai:step"), function (v) {
      modeling.updateProperties(element, { "zhengai:step": v || undefined });
    }, true);
    s.setAttribute("data-field", "step");
    body.appendChild(field(T.step, s, T.stepHelp));
  }

  function flowFields(element, body) {
    var bo = element.businessObject;
    var source = bo.sourceRef;
    if (!source || !(source.$instanceOf("bpmn:ExclusiveGateway") || source.$instanceOf("bpmn:InclusiveGateway"))) { return; }
    if (source.default === bo) {
      body.appendChild(el("div", { className: "small text-secondary", text: T.isDefault }));
      return;
    }
    var area = el("textarea", { className: "form-control form-control-sm font-monospace", rows: "2", "data-field": "condition" });
    area.value = bo.conditionExpression ? bo.conditionExpression.body || "" : "";
    var feedback = el("div", { className: "small", "data-testid": "condition-feedback" });
    var timer = null;
    function check() {
      var text = area.value.trim();
      if (!text) { feedback.textContent = ""; return; }
      post(root.dataset.expressionUrl, { expression: text }).then(function (r) {
        feedback.className = "small " + (r.ok ? "text-success" : "text-danger");
        feedback.textContent = r.ok ? T.ok : r.message;
      });
    }
    area.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(check, 300); });
    area.addEventListener("change", function () {
      var text = area.value.trim();
      modeling.updateProperties(element, { conditionExpression: text ? moddle.create("bpmn:FormalExpression", { body: text }) : undefined });
    });
    body.appendChild(field(T.condition, area, T.conditionHelp));
    body.appendChild(feedback);
    check();
  }

  function gatewayFields(element, body) {
    var bo = element.businessObject;
    var outgoing = (bo.outgoing || []).map(function (f) { return [f.id, (f.name || f.id) + " → " + ((f.targetRef && f.targetRef.name) || "")]; });
    var s = select(outgoing, bo.default ? bo.default.id : "", function (v) {
      var flow = (bo.outgoing || []).filter(function (f) { return f.id === v; })[0];
      modeling.updateProperties(element, { "default": flow || undefined });
    }, true);
    s.setAttribute("data-field", "default");
    body.appendChild(field(T.defaultFlow, s));
  }

  // --- problems from the server ------------------------------------------------------------------
  var marked = [];
  function showProblems(problems) {
    marked.forEach(function (id) { if (registry.get(id)) { canvas.removeMarker(id, "zg-error"); } });
    marked = [];
    overlays.remove({ type: "zg-problem" });
    var list = document.getElementById("zg-problems");
    list.innerHTML = "";
    document.getElementById("zg-problem-count").textContent = problems.length;
    if (!problems.length) {
      list.appendChild(el("li", { className: "list-group-item text-success", text: T.noProblems }));
    }
    problems.forEach(function (p) {
      var known = p.element_id && registry.get(p.element_id);
      var item = el("li", { className: "list-group-item list-group-item-action text-danger", "data-element": p.element_id || "" }, [
        el("span", { className: "badge text-bg-light border me-2", text: known ? (registry.get(p.element_id).businessObject.name || p.element_id) : T.general }),
        el("span", { text: p.message })
      ]);
      if (known) {
        if (marked.indexOf(p.element_id) < 0) {
          canvas.addMarker(p.element_id, "zg-error");
          marked.push(p.element_id);
          overlays.add(p.element_id, "zg-problem", {
            position: { top: -12, right: 12 },
            html: el("span", { className: "zg-problem-badge", title: p.message, text: "!" })
          });
        }
        item.addEventListener("click", function () {
          var target = registry.get(p.element_id);
          if (target) { selection.select(target); canvas.scrollToElement(target); }
        });
      }
      list.appendChild(item);
    });
  }

  // --- actions -----------------------------------------------------------------------------------
  function withXml(fn) {
    return modeler.saveXML({ format: true }).then(function (result) { return fn(result.xml); });
  }
  // Save the diagram as the shared draft; resolves true when saved.
  function saveDraft() {
    status(T.saving);
    return withXml(function (xml) {
      return post(root.dataset.draftUrl, { xml: xml, lock: lock }).then(function (r) {
        if (r.ok) {
          lock = r.lock; dirty = false;
          status(r.message + (r.problems.length ? "；" + r.problems.length + " " + T.problems : ""), r.problems.length ? "warning" : "success");
          showProblems(r.problems);
          return true;
        }
        status(errorText(r), "danger");
        if (r.problems) { showProblems(r.problems); }
        return false;
      });
    }).catch(function () { status(T.network, "danger"); return false; });
  }
  document.getElementById("zg-save").addEventListener("click", saveDraft);
  document.getElementById("zg-validate").addEventListener("click", function () {
    withXml(function (xml) {
      return post(root.dataset.validateUrl, { xml: xml }).then(function (r) {
        if (r.problems) {
          showProblems(r.problems);
          status(r.ok ? T.valid : r.problems.length + " " + T.problems, r.ok ? "success" : "warning");
        } else { status(errorText(r), "danger"); }
      });
    }).catch(function () { status(T.network, "danger"); });
  });
  // Deploying is confirmed on its own page (it also works without this script, for a saved draft):
  // unsaved changes, or a diagram opened from an older version, are saved as the draft first.
  document.getElementById("zg-deploy-open").addEventListener("click", function (ev) {
    var href = ev.currentTarget.href;
    if (!dirty && !root.dataset.source) { return; }
    ev.preventDefault();
    saveDraft().then(function (saved) { if (saved) { window.location.href = href; } });
  });
  document.getElementById("zg-export").addEventListener("click", function (ev) {
    ev.preventDefault();
    var a = ev.currentTarget;
    withXml(function (xml) {
      var url = URL.createObjectURL(new Blob([xml], { type: "application/xml" }));
      var tmp = el("a", { href: url, download: a.getAttribute("download") });
      document.body.appendChild(tmp); tmp.click(); tmp.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    });
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (ev) { if (!window.confirm(f.dataset.confirm)) { ev.preventDefault(); } });
  });
  window.addEventListener("beforeunload", function (ev) { if (dirty) { ev.preventDefault(); ev.returnValue = T.unsaved; } });

  eventBus.on("selection.changed", function (e) { render(e.newSelection.length === 1 ? e.newSelection[0] : null); });
  eventBus.on("commandStack.changed", function () {
    dirty = true;
    refreshChooser();
    var current = selection.get();
    if (current.length === 1 && document.activeElement && !panel.contains(document.activeElement)) { render(current[0]); }
  });

  // --- load --------------------------------------------------------------------------------------
  Promise.all([
    fetch(root.dataset.xmlUrl, { credentials: "same-origin" }).then(function (r) { return r.text(); }),
    fetch(root.dataset.optionsUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); })
  ]).then(function (loaded) {
    options = loaded[1];
    return modeler.importXML(loaded[0]);
  }).then(function () {
    canvas.zoom("fit-viewport");
    showProblems(JSON.parse(root.dataset.problems || "[]"));
    render(null);
    dirty = false;
    root.setAttribute("data-ready", "1");
  }).catch(function (err) {
    status(T.failed + "：" + (err && err.message ? err.message : err), "danger");
  });
})();
