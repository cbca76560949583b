"""Write the 11-step annual cycle (seed §五, figure 2) as one BPMN process per subject level, and its
school-level steps 2 (制定基本标准) and 3 (研制模板) as one process per year run by the lead departments.

Like generate_chains.py, the generated files are the source of truth once committed.
Run `python workflows/generate_cycles.py` only to rebuild them from scratch.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

HERE = Path(__file__).parent
LEVELS = [
    ("cycle_unit", "职能部门 / 二级学院年度诊改周期", ("functional_dept", "college"), ("职能部门", "二级学院")),
    ("cycle_program", "专业 / 课程年度诊改周期", ("major", "course"), ("专业", "课程")),
    ("cycle_team", "师资队伍 / 专业学生综合素质培养年度诊改周期", ("faculty_team", "student_cultivation"),
     ("师资队伍", "专业学生综合素质培养")),
    ("cycle_person", "教师 / 学生年度诊改周期", ("teacher", "student"), ("教师", "学生")),
]  # fmt: skip
# Step 9 上一级复核性诊断 (seed §三(四), §六(二)7(2)): who reviews each subject type, as a lane
# (lane id, name, roles, scope). A level whose two types have different reviewers gets a gateway.
UPPER = {
    "functional_dept": ("upper", "党政办公室（上一级复核）", "reviewer,head", "function:party_office"),
    "college": ("upper", "党政办公室（上一级复核）", "reviewer,head", "function:party_office"),
    "major": ("upper", "教务处（上一级复核）", "reviewer,head", "function:academic_affairs"),
    "course": ("upper", "教务处（上一级复核）", "reviewer,head", "function:academic_affairs"),
    "faculty_team": ("upper_hr", "人力资源处（上一级复核）", "reviewer,head", "function:human_resources"),
    "student_cultivation": ("upper_sa", "党委学生工作部（上一级复核）", "reviewer,head", "function:student_affairs"),
    "teacher": ("upper_unit", "科室/教研室（上一级复核）", "reviewer", "subject_unit"),
    "student": ("upper_class", "辅导员（上一级复核）", "counselor", "subject_class"),
}  # fmt: skip
EXPERT_LANE = ("expert", "专家委员会（学校抽样复核）", "expert,member", "committee:expert_committee")
CHAIN_STEPS = [("target", "1 确定目标"), ("standard", "4 制定标准"), ("plan", "5 制定诊改计划")]
TASK_STEPS = [
    ("implementation", "6 诊改实施", "author", "edit", "generation"),
    ("diagnosis", "7 自我诊断", "author", "edit", "supervision"),
    ("report", "8 撰写自我诊断报告", "author", "edit", "supervision"),
]  # fmt: skip
W, H, GAP = 110, 80, 50


class Builder:
    def __init__(self):
        self.nodes: list[tuple[str, str, str, str, str]] = []  # id, xml, lane, kind, name
        self.flows: list[tuple[str, str, str, str | None, str | None]] = []  # id, src, dst, name, condition
        self.extra: list[tuple[str, str]] = []  # (task suffix, due key): a boundary timer and its escalation
        self.defaults: dict[str, str] = {}  # gateway -> default flow
        self.steps: dict[str, int] = {}  # node -> its cycle step (zhengai:step), stored on the task rows

    def node(self, nid, kind, name, lane, body=""):
        self.nodes.append((nid, kind, name, lane, body))
        return nid

    def flow(self, src, dst, name=None, cond=None):
        fid = f"f_{src}_{dst}"
        self.flows.append((fid, src, dst, name, cond))
        return fid


def service(op, params=None):
    ps = "".join(
        f'<spiffworkflow:parameter id="{k}" type="str" value={quoteattr(v)} />' for k, v in (params or {}).items()
    )
    return (f'<bpmn:extensionElements><spiffworkflow:serviceTaskOperator id="{op}" resultVariable="{op}_result">'
            f"<spiffworkflow:parameters>{ps}</spiffworkflow:parameters></spiffworkflow:serviceTaskOperator>"
            "</bpmn:extensionElements>")  # fmt: skip


def user_task(kind, due, vertical):
    return (f'<bpmn:extensionElements><zhengai:task kind="{kind}" form="document" due="={due}" '
            f'vertical="{vertical}" /></bpmn:extensionElements>')  # fmt: skip


def prep(b, step, lane, name):
    return b.node(f"prep_{step}", "serviceTask", name, lane, service("prepare_document", {"doc_type": f'"{step}"'}))


def confirm_task(due):
    return (f'<bpmn:extensionElements><zhengai:task kind="confirm" due="={due}" vertical="decision" />'
            "</bpmn:extensionElements>")  # fmt: skip


def build(key, types, labels) -> Builder:
    b = Builder()
    prev = b.node("start", "startEvent", "开始本年度诊改", "author")
    for step, name in CHAIN_STEPS:
        prep = b.node(
            f"prep_{step}",
            "serviceTask",
            f"准备{name[2:]}",
            "author",
            service("prepare_document", {"doc_type": f'"{step}"'}),
        )
        b.flow(prev, prep)
        need = b.node(f"gw_{step}_need", "exclusiveGateway", f"是否需要{name[2:]}", "author")
        b.flow(prep, need)
        which = b.node(f"gw_{step}_type", "exclusiveGateway", "主体类型", "author")
        b.flow(need, which, "需要编制", "needs_chain == True")
        join = b.node(f"join_{step}", "exclusiveGateway", "", "author")
        for i, (t, label) in enumerate(zip(types, labels, strict=True)):
            call = b.node(f"call_{step}_{t}", "callActivity", f"{name}（{label}审核链）", "author", f"chain_{t}")
            b.steps[call] = int(name.split(" ")[0])
            fid = b.flow(which, call, label, f'subject_type == "{t}"' if i == 0 else None)
            if i:
                b.defaults[which] = fid
            b.flow(call, join)
        if step == "target":
            # years two and three of the target period: 目标优化 (optimise the published target, or record
            # 无需优化 with the reason) instead of silently reusing it
            opt = b.node("task_target_optimise", "userTask", "1 目标优化", "author",
                         confirm_task("due_target"))  # fmt: skip
            b.steps[opt] = 1
            b.flow(need, opt, "目标优化", "optimise == True")
            gw = b.node("gw_target_optimise", "exclusiveGateway", "是否优化", "author")
            b.flow(opt, gw)
            revise = b.node("prep_target_revise", "serviceTask", "打开已发布的目标（修订）", "author",
                            service("prepare_document", {"doc_type": '"target"', "revise": '"yes"'}))  # fmt: skip
            b.flow(gw, revise, "优化", 'decision == "revised"')
            b.flow(revise, which)
            b.flow(gw, join, "无需优化", None)
            b.defaults[gw] = f"f_{gw}_{join}"
        b.flow(need, join, "沿用已发布", None)  # default
        prev = join
    for step, name, lane, kind, vertical in TASK_STEPS:
        prev = plain_step(b, prev, step, name, lane, kind, vertical)
        if step == "report":
            prev = upper_review(b, prev, types, labels)
            prev = school_sampling(b, prev)
    if "college" in types:
        gate = b.node("gw_quality_report", "exclusiveGateway", "是否二级学院", "author")
        b.flow(prev, gate)
        merge = b.node("join_quality_report", "exclusiveGateway", "", "author")
        b.flow(gate, merge, "否", None)
        pub = plain_step(b, gate, "quality_report", "10 撰写人才培养质量报告", "author", "edit", "supervision",
                         cond=("二级学院", 'subject_type == "college"'))  # fmt: skip
        b.flow(pub, merge)
        prev = merge
    prev = feedback(b, prev)
    end = b.node("end", "endEvent", "本年度诊改完成", "author")
    b.flow(prev, end)
    return b


def plain_step(b, prev, step, name, lane, kind, vertical, cond=None):
    """Prepare the step's document, a task on it (due `due_<step>`, a timer escalating when late), publish."""
    p = prep(b, step, lane, f"准备{name.split(' ', 1)[1]}")
    b.flow(prev, p, *(cond or (None, None)))
    task = b.node(f"task_{step}", "userTask", name, lane, user_task(kind, f"due_{step}", vertical))
    b.steps[task] = int(name.split(" ")[0])
    b.flow(p, task)
    pub = b.node(f"publish_{step}", "serviceTask", "上传诊改信息平台", lane, service("publish_document"))
    b.flow(task, pub)
    b.extra.append((step, f"due_{step}"))
    return pub


def upper_review(b, prev, types, labels):
    """9 上一级复核性诊断: the diagnosis copied into the review, then the reviewer of the subject's type."""
    lanes = [UPPER[t][0] for t in types]
    p = prep(b, "upper_review", lanes[0], "准备上一级复核性诊断")
    b.flow(prev, p)
    pub = b.node("publish_upper_review", "serviceTask", "上传诊改信息平台", lanes[0], service("publish_document"))
    if lanes[0] == lanes[1]:
        task = b.node("task_upper_review", "userTask", "9 上一级复核性诊断", lanes[0],
                      user_task("edit", "due_upper_review", "supervision"))  # fmt: skip
        b.steps[task] = 9
        b.flow(p, task)
        b.flow(task, pub)
        b.extra.append(("upper_review", "due_upper_review"))
        return pub
    which = b.node("gw_upper_review", "exclusiveGateway", "主体类型", lanes[0])
    b.flow(p, which)
    join = b.node("join_upper_review", "exclusiveGateway", "", lanes[0])
    for i, (t, label) in enumerate(zip(types, labels, strict=True)):
        task = b.node(f"task_upper_review_{t}", "userTask", "9 上一级复核性诊断", UPPER[t][0],
                      user_task("edit", "due_upper_review", "supervision"))  # fmt: skip
        b.steps[task] = 9
        fid = b.flow(which, task, label, f'subject_type == "{t}"' if i == 0 else None)
        if i:
            b.defaults[which] = fid
        b.flow(task, join)
        b.extra.append((f"upper_review_{t}", "due_upper_review"))
    b.flow(join, pub)
    return pub


def school_sampling(b, prev):
    """9 学校抽样复核: asks the year's sampling draw (engine/cycle/review.py `check_sampling`); without a draw
    the cycle waits a day (`sampling_retry_at`, from the step's clock) and asks again; sampled subjects get
    the expert committee's review, the others go on."""
    check = b.node("ask_sampling", "serviceTask", "查询学校抽样结果", "office", service("check_sampling"))
    b.flow(prev, check)
    gw = b.node("gw_sampled", "exclusiveGateway", "是否被抽中", "office")
    b.flow(check, gw)
    wait = b.node("wait_sampling", "intermediateCatchEvent", "等待学校抽样（次日再查）", "office",
                  "<bpmn:timerEventDefinition><bpmn:timeDate>sampling_retry_at</bpmn:timeDate>"
                  "</bpmn:timerEventDefinition>")  # fmt: skip
    b.flow(gw, wait, "尚未抽样", "sampled == None")
    b.flow(wait, check)
    join = b.node("join_sampled", "exclusiveGateway", "", "office")
    pub = plain_step(b, gw, "school_review", "9 学校抽样复核", "expert", "edit", "supervision",
                     cond=("抽中", "sampled == True"))  # fmt: skip
    b.flow(pub, join)
    b.defaults[gw] = b.flow(gw, join, "未抽中")
    return join


def feedback(b, prev):
    """11 书面结论反馈: 质量管理处 writes and issues the conclusion of a sampled subject; a subject not sampled
    gets it composed from its upper-level review and published at once. The subject acknowledges it."""
    p = prep(b, "feedback", "office", "准备复核性诊断结论反馈")
    b.flow(prev, p)
    gw = b.node("gw_feedback", "exclusiveGateway", "是否被抽中", "office")
    b.flow(p, gw)
    join = b.node("join_feedback", "exclusiveGateway", "", "office")
    task = b.node("task_feedback_write", "userTask", "11 书面结论反馈", "office",
                  user_task("edit", "due_feedback", "supervision"))  # fmt: skip
    b.steps[task] = 11
    b.flow(gw, task, "抽中", "sampled == True")
    b.flow(task, join)
    b.extra.append(("feedback_write", "due_feedback"))
    b.defaults[gw] = b.flow(gw, join, "未抽中（由上一级复核意见生成）")
    pub = b.node("publish_feedback", "serviceTask", "下发书面结论", "office", service("publish_document"))
    b.flow(join, pub)
    ack = b.node(
        "task_feedback", "userTask", "11 确认结论反馈", "author", user_task("ack", "due_feedback", "supervision")
    )
    b.steps[ack] = 11
    b.flow(pub, ack)
    b.extra.append(("feedback", "due_feedback"))
    return ack


def lanes_of(types) -> dict[str, tuple[str, str, str]]:
    """The level's lanes, top to bottom: the subject, its upper-level reviewers, 质量管理处, the experts."""
    lanes = {"author": ("诊改主体", "author", "subject")}
    for t in types:
        lid, lname, role, scope = UPPER[t]
        lanes.setdefault(lid, (lname, role, scope))
    lanes["office"] = ("质量管理处（诊改办公室）", "reviewer,head", "function:quality_office")
    lanes[EXPERT_LANE[0]] = EXPERT_LANE[1:]
    return lanes


def render(key, name, types, labels) -> str:
    b = build(key, types, labels)
    lanes = lanes_of(types)
    defaults = {src: fid for fid, src, dst, fname, cond in b.flows if fname == "沿用已发布" or fname == "否"}
    defaults.update(b.defaults)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
           'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
           'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
           f'xmlns:zhengai="http://zhengai.cn/schema/bpmn/1.0" id="defs_{key}" targetNamespace="http://zhengai.cn/bpmn">',
           f'  <bpmn:collaboration id="collab_{key}"><bpmn:participant id="pool_{key}" name="{name}" processRef="{key}" /></bpmn:collaboration>',
           f'  <bpmn:process id="{key}" name="{name}" isExecutable="true">',
           '    <bpmn:extensionElements><zhengai:process category="cycle" owner="function:quality_office" /></bpmn:extensionElements>',
           '    <bpmn:laneSet id="lanes">']  # fmt: skip
    for lid, (lname, role, scope) in lanes.items():
        out.append(f'      <bpmn:lane id="lane_{lid}" name="{lname}"><bpmn:extensionElements>'
                   f'<zhengai:assignment role="{role}" scope="{scope}" /></bpmn:extensionElements>')  # fmt: skip
        for nid, _k, _n, lane, _b in b.nodes:
            if lane == lid:
                out.append(f"        <bpmn:flowNodeRef>{nid}</bpmn:flowNodeRef>")
        for step, _due in b.extra:
            task_lane = next(lane for nid, _k, _n, lane, _b in b.nodes if nid == f"task_{step}")
            if task_lane == lid:
                out += [f"        <bpmn:flowNodeRef>timer_{step}</bpmn:flowNodeRef>",
                        f"        <bpmn:flowNodeRef>escalate_{step}</bpmn:flowNodeRef>",
                        f"        <bpmn:flowNodeRef>end_escalate_{step}</bpmn:flowNodeRef>"]  # fmt: skip
        out.append("      </bpmn:lane>")
    out.append("    </bpmn:laneSet>")
    for nid, kind, nname, _lane, body in b.nodes:
        attrs = f' id="{nid}"' + (f' name="{escape(nname)}"' if nname else "")
        if nid in defaults:
            attrs += f' default="{defaults[nid]}"'
        if nid in b.steps:
            attrs += f' zhengai:step="{b.steps[nid]}"'
        if kind == "callActivity":
            out.append(f'    <bpmn:callActivity{attrs} calledElement="{body}" />')
        else:
            out.append(f"    <bpmn:{kind}{attrs}>{body}</bpmn:{kind}>")
    for step, due in b.extra:
        out += [
            f'    <bpmn:boundaryEvent id="timer_{step}" name="到期" attachedToRef="task_{step}" cancelActivity="false">'
            f"<bpmn:timerEventDefinition><bpmn:timeDate>{due}</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:boundaryEvent>",
            f'    <bpmn:serviceTask id="escalate_{step}" name="逾期督办">{service("notify_overdue")}</bpmn:serviceTask>',
            f'    <bpmn:endEvent id="end_escalate_{step}" name="已督办" />',
            f'    <bpmn:sequenceFlow id="f_timer_{step}" sourceRef="timer_{step}" targetRef="escalate_{step}" />',
            f'    <bpmn:sequenceFlow id="f_escalate_{step}" sourceRef="escalate_{step}" targetRef="end_escalate_{step}" />',
        ]  # fmt: skip
    for fid, src, dst, fname, cond in b.flows:
        nm = f' name="{escape(fname)}"' if fname else ""
        if cond:
            out.append(f'    <bpmn:sequenceFlow id="{fid}"{nm} sourceRef="{src}" targetRef="{dst}">'
                       f"<bpmn:conditionExpression>{escape(cond)}</bpmn:conditionExpression></bpmn:sequenceFlow>")  # fmt: skip
        else:
            out.append(f'    <bpmn:sequenceFlow id="{fid}"{nm} sourceRef="{src}" targetRef="{dst}" />')
    out.append("  </bpmn:process>")
    out += diagram(key, b, list(lanes))
    out.append("</bpmn:definitions>")
    return "\n".join(out) + "\n"


def diagram(key, b, lane_ids) -> list[str]:
    """A left-to-right layout: one column per node in its lane, timers below tasks."""
    lane_h = 270
    lane_y = {lid: 60 + i * lane_h for i, lid in enumerate(lane_ids)}
    pos = {}
    x = 220
    for nid, kind, _n, lane, _b in b.nodes:
        w, h = (36, 36) if kind.endswith("Event") else (50, 50) if kind.endswith("Gateway") else (W, H)
        cy = lane_y[lane] + 90
        pos[nid] = (x, cy - h // 2, w, h)
        x += w + GAP
    for step, _due in b.extra:
        tx, ty, tw, th = pos[f"task_{step}"]
        pos[f"timer_{step}"] = (tx + tw - 28, ty + th - 18, 36, 36)
        pos[f"escalate_{step}"] = (tx + tw - 50, ty + th + 50, 100, 60)
        pos[f"end_escalate_{step}"] = (tx + tw + 80, ty + th + 62, 36, 36)
    width = x + 40 - 160
    out = [f'  <bpmndi:BPMNDiagram id="diagram_{key}"><bpmndi:BPMNPlane id="plane_{key}" bpmnElement="collab_{key}">',
           f'    <bpmndi:BPMNShape id="pool_{key}_di" bpmnElement="pool_{key}" isHorizontal="true">'
           f'<dc:Bounds x="160" y="60" width="{width}" height="{len(lane_y) * lane_h}" /></bpmndi:BPMNShape>']  # fmt: skip
    for lid, y in lane_y.items():
        out.append(f'    <bpmndi:BPMNShape id="lane_{lid}_di" bpmnElement="lane_{lid}" isHorizontal="true">'
                   f'<dc:Bounds x="190" y="{y}" width="{width - 30}" height="{lane_h}" /></bpmndi:BPMNShape>')  # fmt: skip
    for nid, (nx, ny, w, h) in pos.items():
        out.append(
            f'    <bpmndi:BPMNShape id="{nid}_di" bpmnElement="{nid}"><dc:Bounds x="{nx}" y="{ny}" width="{w}" height="{h}" /></bpmndi:BPMNShape>'
        )
    edges = [(fid, src, dst) for fid, src, dst, _n, _c in b.flows]
    edges += [(f"f_timer_{s}", f"timer_{s}", f"escalate_{s}") for s, _d in b.extra]
    edges += [(f"f_escalate_{s}", f"escalate_{s}", f"end_escalate_{s}") for s, _d in b.extra]
    for fid, src, dst in edges:
        sx, sy, sw, sh = pos[src]
        dx, dy, dw, dh = pos[dst]
        if src.startswith("timer_"):
            pts = [(sx + sw // 2, sy + sh), (sx + sw // 2, dy)]
        elif dx > sx:
            p1, p2 = (sx + sw, sy + sh // 2), (dx, dy + dh // 2)
            pts = [p1, p2] if p1[1] == p2[1] else [p1, ((p1[0] + p2[0]) // 2, p1[1]), ((p1[0] + p2[0]) // 2, p2[1]), p2]
        else:
            pts = [(sx + sw // 2, sy), (sx + sw // 2, sy - 30), (dx + dw // 2, sy - 30), (dx + dw // 2, dy)]
        wps = "".join(f'<di:waypoint x="{px}" y="{py}" />' for px, py in pts)
        out.append(f'    <bpmndi:BPMNEdge id="{fid}_di" bpmnElement="{fid}">{wps}</bpmndi:BPMNEdge>')
    out.append("  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>")
    return out


# Steps 2 and 3 at school level: each lead department of the basic standards (seed table 10) confirms its
# revision of them, then each template owner its templates (文档模板). (function, lane name, owns templates)
SCHOOL_KEY, SCHOOL_NAME = "cycle_school", "学校层面年度诊改（制定基本标准、研制模板）"
SCHOOL_LANES = [
    ("quality_office", "质量管理处", True), ("party_office", "党政办公室", True),
    ("human_resources", "人力资源处", True), ("academic_affairs", "教务处", True),
    ("student_affairs", "党委学生工作部", True), ("cooperation", "合作发展处", False),
]  # fmt: skip


def render_school() -> str:
    key, name = SCHOOL_KEY, SCHOOL_NAME
    nodes, flows = [], []  # (id, xml, lane index, column); (id, src, dst)
    nodes.append(("start", '<bpmn:startEvent id="start" name="开始本年度学校层面诊改" />', 0, 0))
    nodes.append(("split", '<bpmn:parallelGateway id="split" name="各牵头部门" />', 0, 1))
    flows.append(("f_start_split", "start", "split"))
    for i, (fn, label, templates) in enumerate(SCHOOL_LANES):
        basic = f"basic_{fn}"
        nodes.append((basic, f'<bpmn:userTask id="{basic}" name="2 制定基本标准（{label}）" zhengai:step="2">'
                             f"{confirm_task('due_basic_standard')}</bpmn:userTask>", i, 2))  # fmt: skip
        flows.append((f"f_split_{basic}", "split", basic))
        last = basic
        if templates:
            tpl = f"templates_{fn}"
            nodes.append((tpl, f'<bpmn:userTask id="{tpl}" name="3 研制模板（{label}）" zhengai:step="3">'
                               f"{confirm_task('due_templates')}</bpmn:userTask>", i, 3))  # fmt: skip
            flows.append((f"f_{basic}_{tpl}", basic, tpl))
            last = tpl
        # each department's branch ends on its own (no join): the process completes when every branch has;
        # a parallel join after two person steps per branch never fires once the engine compacts the state
        end = f"end_{fn}"
        nodes.append((end, f'<bpmn:endEvent id="{end}" name="已就绪" />', i, 4))
        flows.append((f"f_{last}_{end}", last, end))
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
           'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
           'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
           f'xmlns:zhengai="http://zhengai.cn/schema/bpmn/1.0" id="defs_{key}" targetNamespace="http://zhengai.cn/bpmn">',
           f'  <bpmn:collaboration id="collab_{key}"><bpmn:participant id="pool_{key}" name="{name}" processRef="{key}" /></bpmn:collaboration>',
           f'  <bpmn:process id="{key}" name="{name}" isExecutable="true">',
           '    <bpmn:extensionElements><zhengai:process category="cycle" owner="function:quality_office" /></bpmn:extensionElements>',
           '    <bpmn:laneSet id="lanes">']  # fmt: skip
    for i, (fn, label, _t) in enumerate(SCHOOL_LANES):
        out.append(f'      <bpmn:lane id="lane_{fn}" name="{label}"><bpmn:extensionElements>'
                   f'<zhengai:assignment role="head,reviewer" scope="function:{fn}" /></bpmn:extensionElements>')  # fmt: skip
        out += [f"        <bpmn:flowNodeRef>{nid}</bpmn:flowNodeRef>" for nid, _x, lane, _c in nodes if lane == i]
        out.append("      </bpmn:lane>")
    out.append("    </bpmn:laneSet>")
    out += [f"    {xml}" for _n, xml, _l, _c in nodes]
    out += [f'    <bpmn:sequenceFlow id="{fid}" sourceRef="{src}" targetRef="{dst}" />' for fid, src, dst in flows]
    out.append("  </bpmn:process>")
    lane_h, top, cols = 130, 60, [230, 320, 420, 590, 780]
    pos = {}
    for nid, _x, lane, col in nodes:
        w, h = (36, 36) if nid == "start" or nid.startswith("end") else (50, 50) if nid == "split" else (W + 30, H)
        cy = top + lane * lane_h + lane_h // 2
        pos[nid] = (cols[col], cy - h // 2, w, h)
    width, height = 720, lane_h * len(SCHOOL_LANES)
    out += [f'  <bpmndi:BPMNDiagram id="diagram_{key}"><bpmndi:BPMNPlane id="plane_{key}" bpmnElement="collab_{key}">',
            f'    <bpmndi:BPMNShape id="pool_{key}_di" bpmnElement="pool_{key}" isHorizontal="true">'
            f'<dc:Bounds x="160" y="{top}" width="{width}" height="{height}" /></bpmndi:BPMNShape>']  # fmt: skip
    for i, (fn, _label, _t) in enumerate(SCHOOL_LANES):
        out.append(f'    <bpmndi:BPMNShape id="lane_{fn}_di" bpmnElement="lane_{fn}" isHorizontal="true">'
                   f'<dc:Bounds x="190" y="{top + i * lane_h}" width="{width - 30}" height="{lane_h}" /></bpmndi:BPMNShape>')  # fmt: skip
    for nid, (nx, ny, w, h) in pos.items():
        out.append(f'    <bpmndi:BPMNShape id="{nid}_di" bpmnElement="{nid}"><dc:Bounds x="{nx}" y="{ny}" '
                   f'width="{w}" height="{h}" /></bpmndi:BPMNShape>')  # fmt: skip
    for fid, src, dst in flows:
        sx, sy, sw, sh = pos[src]
        dx, dy, dw, dh = pos[dst]
        p1, p2 = (sx + sw, sy + sh // 2), (dx, dy + dh // 2)
        if src == "split":
            p1 = (sx + sw // 2, sy + sh)
            pts = [p1, p2] if p1[1] >= p2[1] else [p1, (p1[0], p2[1]), p2]
            if dy + dh // 2 == sy + sh // 2:
                pts = [(sx + sw, sy + sh // 2), p2]
        else:
            pts = [p1, p2]
        wps = "".join(f'<di:waypoint x="{px}" y="{py}" />' for px, py in pts)
        out.append(f'    <bpmndi:BPMNEdge id="{fid}_di" bpmnElement="{fid}">{wps}</bpmndi:BPMNEdge>')
    out.append("  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>")
    out.append("</bpmn:definitions>")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    for key, name, types, labels in LEVELS:
        (HERE / f"{key}.bpmn").write_text(render(key, name, types, labels), encoding="utf-8")
        print("wrote", key)
    (HERE / f"{SCHOOL_KEY}.bpmn").write_text(render_school(), encoding="utf-8")
    print("wrote", SCHOOL_KEY)
