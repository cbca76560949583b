"""Validate an uploaded BPMN file and compile it into what a deployed version stores.

Uploads are parsed with entities, DTDs and network access disabled, limited to the elements we
support, and every expression is checked against our own language before SpiffWorkflow sees the
file. Each problem names the element it belongs to, so the modeler can highlight it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from ...org import Assignment
from .. import expressions, services
from .serializer import dump_specs

MAX_BYTES = 1024 * 1024

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
ZG = "http://zhengai.cn/schema/bpmn/1.0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {"bpmn": BPMN, "zhengai": ZG, "spiffworkflow": SPIFF}

VERTICALS = {
    "decision": "决策指挥",
    "generation": "质量生成",
    "resource": "资源建设",
    "support": "支持服务",
    "supervision": "监督控制",
}

ALLOWED_BPMN = {
    "definitions", "process", "collaboration", "participant", "laneSet", "lane", "childLaneSet",
    "flowNodeRef", "startEvent", "endEvent", "userTask", "manualTask", "task", "serviceTask",
    "exclusiveGateway", "parallelGateway", "inclusiveGateway", "sequenceFlow", "conditionExpression",
    "callActivity", "boundaryEvent", "intermediateCatchEvent", "intermediateThrowEvent",
    "timerEventDefinition", "timeDuration", "timeDate", "timeCycle", "terminateEventDefinition",
    "extensionElements", "documentation", "textAnnotation", "text", "association", "incoming",
    "outgoing", "group", "category", "categoryValue", "messageFlow",
}  # fmt: skip
ALLOWED_SPIFF = {"serviceTaskOperator", "parameters", "parameter"}
ALLOWED_ZG = {"process", "assignment", "task"}
NOT_SUPPORTED_HINT = {
    "scriptTask": "脚本任务不允许使用：流程内容不能在服务器上执行代码",
    "preScript": "前置脚本不允许使用",
    "postScript": "后置脚本不允许使用",
    "businessRuleTask": "暂不支持业务规则任务",
    "multiInstanceLoopCharacteristics": "暂不支持多实例",
    "standardLoopCharacteristics": "暂不支持循环任务",
}


@dataclass
class Problem:
    element_id: str | None
    message: str
    line: int | None = None
    fatal: bool = False  # unsafe or unsupported content: refused even in a draft

    def as_dict(self):
        return {"element_id": self.element_id, "message": self.message, "line": self.line, "fatal": self.fatal}


class InvalidBpmn(ValueError):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass
class CompiledProcess:
    process_id: str
    name: str
    xml: str
    checksum: str
    spec_json: str
    meta: dict
    called: list[str] = field(default_factory=list)


def _local(tag) -> tuple[str | None, str]:
    if not isinstance(tag, str):
        return None, ""
    qn = etree.QName(tag)
    return qn.namespace, qn.localname


def _owner_id(el) -> str | None:
    while el is not None:
        if el.get("id"):
            return el.get("id")
        el = el.getparent()
    return None


def parse_xml(data: bytes | str):
    """Parse untrusted XML safely; return the root element or raise InvalidBpmn."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:  # stored and shown as text: a GBK or UTF-16 file would parse here and fail later
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"文件不是 UTF-8 编码（第 {exc.start + 1} 个字节无法读取），请在建模工具中以 UTF-8 另存后再导入"
        raise InvalidBpmn([Problem(None, message, fatal=True)]) from None
    if len(raw) > MAX_BYTES:
        raise InvalidBpmn([Problem(None, f"文件过大（最大 {MAX_BYTES // 1024} KB）", fatal=True)])
    head = raw[:4096].upper()
    if b"<!DOCTYPE" in raw.upper() or b"<!ENTITY" in head:
        raise InvalidBpmn([Problem(None, "文件包含 DOCTYPE 或实体声明，出于安全原因不予接受", fatal=True)])
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as exc:
        raise InvalidBpmn([Problem(None, f"XML 格式错误（第 {exc.lineno} 行）：{exc.msg}", exc.lineno, True)]) from None
    if root.getroottree().docinfo.doctype:
        raise InvalidBpmn([Problem(None, "文件包含 DOCTYPE，出于安全原因不予接受", fatal=True)])
    if _local(root.tag) != (BPMN, "definitions"):
        raise InvalidBpmn([Problem(None, "不是 BPMN 2.0 文件（根元素应为 bpmn:definitions）", fatal=True)])
    return root


def inspect(root, known_forms: set[str] | None = None) -> tuple[dict, list[Problem]]:
    """Check elements and expressions, and extract our metadata; nothing executes."""
    problems: list[Problem] = []

    def bad(el, msg, fatal=False):
        problems.append(Problem(_owner_id(el), msg, el.sourceline, fatal))

    def unsafe(el, msg):
        bad(el, msg, True)

    for el in root.iter():
        if not isinstance(el.tag, str):
            continue  # comments and processing instructions
        ns, name = _local(el.tag)
        if ns == BPMN:
            if name not in ALLOWED_BPMN:
                unsafe(el, NOT_SUPPORTED_HINT.get(name, f"不支持的 BPMN 元素：{name}"))
        elif ns in (BPMNDI, DC, DI):
            pass
        elif ns == SPIFF:
            if name not in ALLOWED_SPIFF:
                unsafe(el, NOT_SUPPORTED_HINT.get(name, f"不支持的扩展元素：spiffworkflow:{name}"))
        elif ns == ZG:
            if name not in ALLOWED_ZG:
                unsafe(el, f"未知的扩展元素：zhengai:{name}")
        else:
            unsafe(el, f"不支持的扩展元素：{el.tag}")
        for attr in el.attrib:
            ans, _ = _local(attr)
            if ans not in (None, XSI, ZG, BPMN) and not (ans == SPIFF and name in ALLOWED_SPIFF):
                unsafe(el, f"不支持的属性：{attr}")

    processes = root.findall("bpmn:process", NSMAP)
    if len(processes) != 1:
        problems.append(Problem(None, "一个文件必须且只能包含一个流程", fatal=True))
        return {}, problems
    process = processes[0]
    pid = process.get("id") or ""
    if not pid.replace("_", "").replace("-", "").isalnum() or not pid.isascii():
        bad(process, "流程 ID 只能使用英文字母、数字、下划线")
    process.set("isExecutable", "true")  # bpmn.io defaults to false, which makes Spiff skip the process

    zp = process.find("bpmn:extensionElements/zhengai:process", NSMAP)
    meta = {
        "process_id": pid,
        "name": process.get("name") or pid,
        "category": zp.get("category", "chain") if zp is not None else "chain",
        "subject_type": zp.get("subjectType") if zp is not None else None,
        "owner": zp.get("owner") if zp is not None else None,
        "lanes": {},
        "tasks": {},
        "called": [],
        "calls": {},  # call activity id -> {"name", "step"}: the cycle step its called chain's tasks belong to
    }

    lane_of: dict[str, str] = {}
    for lane in process.iter(f"{{{BPMN}}}lane"):
        lname = (lane.get("name") or "").strip()
        if not lname:
            bad(lane, "泳道必须有名称")
            lname = lane.get("id") or "?"  # keep checking it, so its tasks are not reported as lane-less
        if lname in meta["lanes"]:
            bad(lane, f"泳道名称重复：{lname}")
            continue
        for ref in lane.findall("bpmn:flowNodeRef", NSMAP):
            lane_of[(ref.text or "").strip()] = lname
        za = lane.find("bpmn:extensionElements/zhengai:assignment", NSMAP)
        if za is None:
            if lane.find("bpmn:childLaneSet", NSMAP) is None:
                bad(lane, f"泳道“{lname}”没有指定办理角色")
            continue
        assignment = Assignment.parse(za.get("role", ""), za.get("scope", ""))
        for msg in assignment.problems():
            bad(lane, f"泳道“{lname}”：{msg}")
        meta["lanes"][lname] = {"id": lane.get("id"), "roles": list(assignment.roles), "scope": assignment.scope}

    for el in process.iter():
        ns, name = _local(el.tag)
        if ns != BPMN:
            continue
        if name in ("userTask", "manualTask", "task"):
            _inspect_user_task(el, meta, lane_of, known_forms, bad)
        elif name == "serviceTask":
            op = el.find("bpmn:extensionElements/spiffworkflow:serviceTaskOperator", NSMAP)
            known = services.service_labels()
            if op is None or op.get("id") not in known:
                unsafe(el, "服务任务必须调用以下服务之一：" + "、".join(known))
            elif op is not None:
                for param in op.iter(f"{{{SPIFF}}}parameter"):
                    _check_expression(param.get("value", ""), el, unsafe, "服务参数")
        elif name == "conditionExpression":
            _check_expression(el.text or "", el.getparent(), unsafe, "条件")
        elif name in ("timeDuration", "timeDate", "timeCycle"):
            text = (el.text or "").strip()
            _check_expression(text, el.getparent().getparent(), unsafe, "定时器", expressions.check_timer)
            # a data-driven timer is checked when it runs (bpmn/scripting.py), against the same bounds
        elif name == "callActivity":
            called = el.get("calledElement")
            if not called:
                bad(el, "调用活动没有指定被调用的流程")
            elif called not in meta["called"]:
                meta["called"].append(called)
            meta["calls"][el.get("id")] = {"name": (el.get("name") or "").strip(), "step": _step(el, bad)}
        elif name == "exclusiveGateway":
            outgoing = [f for f in process.findall("bpmn:sequenceFlow", NSMAP) if f.get("sourceRef") == el.get("id")]
            if len(outgoing) > 1 and not el.get("default"):
                bad(el, f"网关“{el.get('name') or el.get('id')}”有多个出口，必须指定默认流向")
    return meta, problems


def _inspect_user_task(el, meta, lane_of, known_forms, bad):
    tid = el.get("id")
    lane = lane_of.get(tid)
    zt = el.find("bpmn:extensionElements/zhengai:task", NSMAP)
    info = {
        "name": (el.get("name") or tid).strip(),
        "lane": lane,
        "kind": "form",
        "form": None,
        "due": None,
        "remind": [],
        "vertical": None,
        "step": _step(el, bad),
    }
    if zt is not None:
        info.update(
            kind=zt.get("kind", "form"),
            form=zt.get("form"),
            due=zt.get("due"),
            remind=[r.strip() for r in (zt.get("remind") or "").split(",") if r.strip()],
            vertical=zt.get("vertical"),
        )
    if not (el.get("name") or "").strip():
        bad(el, "任务必须有名称（办理人在待办中看到的就是它）")
    if lane is None:
        bad(el, f"任务“{info['name']}”不在任何泳道中：无法确定办理人")
    if info["kind"] not in services.task_kinds():
        bad(el, f"未知的任务类型：{info['kind']}")
    if info["vertical"] and info["vertical"] not in VERTICALS:
        bad(el, f"未知的五纵标签：{info['vertical']}")
    for d in ([info["due"]] if info["due"] else []) + info["remind"]:
        if not valid_due(d):
            bad(el, f"期限必须是 ISO 8601 时长（例如 P7D）、=变量名，或 =变量名|时长（例如 =step_due|P14D）：{d}")
            continue
        try:
            expressions.check_time(d.partition("|")[2] if d.startswith("=") else d)
        except expressions.BoundExceeded as exc:
            bad(el, f"期限无效：{exc}")
    if known_forms is not None and info["form"] and info["form"] not in known_forms:
        bad(el, f"未知的表单：{info['form']}")
    if info["kind"] in ("edit", "review") and info["form"] not in (None, "document"):
        bad(el, "文档填写与审核任务的表单应为 document")
    meta["tasks"][tid] = info


def valid_due(text: str) -> bool:
    """A due grammar: `P7D` (from the task's arrival), `=name` (a date the instance carries, e.g.
    `=due_diagnosis` set when the cycle starts), or `=name|P14D` (that date if the instance has it, else
    the duration: a chain's author task takes the cycle step's date inside a cycle, 14 days on its own)."""
    if text.startswith("="):
        name, bar, fallback = text[1:].partition("|")
        return name.isidentifier() and (not bar or bool(expressions.ISO_DURATION.match(fallback)))
    return bool(expressions.ISO_DURATION.match(text))


STEP_ATTR = f"{{{ZG}}}step"


def _step(el, bad) -> int | None:
    """`zhengai:step="N"` on a task or call activity: which of the annual cycle's eleven steps it is."""
    raw = el.get(STEP_ATTR)
    if raw is None:
        return None
    if not raw.strip().isdigit() or not 1 <= int(raw) <= 11:
        bad(el, f"周期步骤必须是 1 到 11 的整数：{raw}")
        return None
    return int(raw)


def _check_expression(text, el, bad, what, check=expressions.check):
    try:
        check(text)
    except expressions.ExpressionError as exc:
        bad(el, f"{what}表达式无效：{exc}")


def compile_bpmn(data: bytes | str, called_xml: dict[str, str] | None = None, known_forms=None) -> CompiledProcess:
    """Validate and compile; `called_xml` maps the ids of the processes it calls (and of those they call)
    to their deployed BPMN. They are parsed with it, so a call that does not fit them is refused, but the
    compiled spec is the process's own: which versions it calls is decided when an instance starts."""
    root = parse_xml(data)
    meta, problems = inspect(root, known_forms)
    if problems:
        raise InvalidBpmn(problems)
    missing = [c for c in meta["called"] if c not in (called_xml or {})]
    if missing:
        raise InvalidBpmn([Problem(None, f"调用的流程不存在：{', '.join(missing)}")])
    parser = SpiffBpmnParser(validator=VALIDATOR)
    try:
        parser.add_bpmn_xml(root.getroottree(), filename=meta["process_id"])
        for key, called in (called_xml or {}).items():
            parser.add_bpmn_xml(parse_xml(called).getroottree(), filename=key)
        spec = parser.get_spec(meta["process_id"])
        parser.get_subprocess_specs(meta["process_id"])  # every call activity resolves
    except ValidationException as exc:
        raise InvalidBpmn([Problem(getattr(exc, "id", None), _spiff_message(exc), exc.line_number or None)]) from None
    except (SpiffWorkflowException, etree.LxmlError, KeyError) as exc:
        raise InvalidBpmn([Problem(None, f"流程结构无效：{exc}")]) from None
    xml = etree.tostring(root, encoding="unicode")
    return CompiledProcess(
        process_id=meta["process_id"],
        name=meta["name"],
        xml=xml,
        checksum=hashlib.sha256(xml.encode("utf-8")).hexdigest(),
        spec_json=dump_specs(spec, {}),
        meta=meta,
        called=meta["called"],
    )


def _spiff_message(exc: ValidationException) -> str:
    text = str(exc).split("\n")[0]
    if "without condition" in text:
        return "网关的非默认出口缺少条件"
    if "XMLSchema" in text or "Element" in text:
        return f"不符合 BPMN 2.0 规范：{text}"
    return f"流程结构无效：{text}"
