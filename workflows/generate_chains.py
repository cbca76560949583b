"""Write the eight approval chains (seed figures 3-9) as BPMN files with diagram layout.

The generated files are the source of truth once committed: process owners change them in the
modeler, not here. Run `python workflows/generate_chains.py` only to rebuild them from scratch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

HERE = Path(__file__).parent


@dataclass
class Step:
    id: str
    name: str
    lane: str
    role: str
    scope: str
    due: str = "P7D"


@dataclass
class Chain:
    key: str
    name: str
    subject_type: str
    owner: str
    vertical: str
    author_lane: str
    steps: list[Step]


PARTY_OFFICE_REVIEW = ("党政办公室", "reviewer", "function:party_office")
CHAINS = [
    Chain("chain_functional_dept", "职能部门目标、标准、诊改计划审核上传流程", "functional_dept", "function:party_office", "decision",
          "职能部门", [Step("review_office", "党政办公室审核", *PARTY_OFFICE_REVIEW),
                      Step("approve_leader", "分管领导或联系领导审定", "分管领导/联系领导",
                           "leader_in_charge,liaison_leader", "subject_unit")]),
    Chain("chain_college", "二级学院目标、标准、诊改计划审核上传流程", "college", "function:party_office", "decision",
          "二级学院", [Step("review_office", "党政办公室审核", *PARTY_OFFICE_REVIEW),
                      Step("approve_leader", "分管领导或联系领导审定", "分管领导/联系领导",
                           "leader_in_charge,liaison_leader", "subject_unit")]),
    Chain("chain_major", "专业建设目标、标准、诊改计划审核上传流程", "major", "function:academic_affairs", "generation",
          "专业带头人及团队", [Step("review_college", "二级学院审核", "二级学院", "reviewer", "subject_unit"),
                           Step("approve_academic", "教务处审定", "教务处", "reviewer", "function:academic_affairs")]),
    Chain("chain_course", "课程建设目标、标准、诊改计划审核上传流程", "course", "function:academic_affairs", "generation",
          "课程教学团队", [Step("review_college", "二级学院审核", "二级学院", "reviewer", "subject_unit"),
                         Step("approve_academic", "教务处审定", "教务处", "reviewer", "function:academic_affairs")]),
    Chain("chain_faculty_team", "师资队伍建设目标、标准、诊改计划审核上传流程", "faculty_team", "function:human_resources", "resource",
          "二级学院", [Step("review_hr", "人力资源处审核", "人力资源处", "reviewer", "function:human_resources"),
                      Step("approve_leader", "分管领导审定", "分管领导", "leader_in_charge", "function:human_resources")]),
    Chain("chain_teacher", "教师发展目标、标准、诊改计划审核上传流程", "teacher", "function:human_resources", "generation",
          "教师", [Step("review_college", "二级学院审定", "二级学院", "reviewer", "subject_unit")]),
    Chain("chain_student_cultivation", "专业/专业群学生综合素质培养目标、标准、诊改计划审核上传流程",
          "student_cultivation", "function:student_affairs", "generation", "专业学生工作团队",
          [Step("read_college", "二级学院审阅", "二级学院", "reviewer", "subject_unit"),
           Step("review_student_affairs", "党委学生工作部审核", "党委学生工作部", "reviewer", "function:student_affairs"),
           Step("approve_leader", "分管领导审定", "分管领导", "leader_in_charge", "function:student_affairs")]),
    Chain("chain_student", "学生综合素质发展目标、标准、诊改计划审核上传流程", "student", "function:student_affairs", "generation",
          "学生", [Step("approve_counselor", "辅导员审定", "辅导员", "counselor", "subject_class")]),
]  # fmt: skip

LANE_H = 160
LABEL_W = 30
POOL_X, POOL_Y = 160, 60
TASK_W, TASK_H = 100, 80


def render(chain: Chain) -> str:
    lanes = [(chain.author_lane, "author", "subject")]
    for s in chain.steps:
        if s.lane not in [name for name, _, _ in lanes]:
            lanes.append((s.lane, s.role, s.scope))
    lane_index = {name: i for i, (name, _, _) in enumerate(lanes)}

    def lane_mid(name):
        return POOL_Y + lane_index[name] * LANE_H + LANE_H // 2

    shapes: dict[str, tuple[int, int, int, int, str]] = {}  # id -> x, y, w, h, lane
    flows: list[tuple[str, str, str, str | None, list[tuple[int, int]] | None]] = []
    x = POOL_X + LABEL_W + 40
    a = chain.author_lane
    shapes["start"] = (x, lane_mid(a) - 18, 36, 36, a)
    x += 90
    shapes["edit_document"] = (x, lane_mid(a) - TASK_H // 2, TASK_W, TASK_H, a)
    flows.append(("flow_start", "start", "edit_document", None, None))
    prev = "edit_document"
    x += TASK_W + 60
    for i, s in enumerate(chain.steps):
        shapes[s.id] = (x, lane_mid(s.lane) - TASK_H // 2, TASK_W, TASK_H, s.lane)
        flows.append((f"flow_to_{s.id}", prev, s.id, None, None))
        gw = f"gw_{s.id}"
        shapes[gw] = (x + TASK_W + 50, lane_mid(s.lane) - 25, 50, 50, s.lane)
        flows.append((f"flow_{s.id}_done", s.id, gw, None, None))
        gx, gy = x + TASK_W + 75, lane_mid(s.lane) - 25
        ex = shapes["edit_document"][0] + TASK_W // 2 + 10 * (i + 1)
        ret_y = POOL_Y + LANE_H - 12 - 8 * i
        flows.append(
            (f"flow_{s.id}_return", gw, "edit_document", "return",
             [(gx, gy), (gx, ret_y), (ex, ret_y), (ex, lane_mid(a) + TASK_H // 2)])
        )  # fmt: skip
        prev = gw
        x += TASK_W + 50 + 50 + 60
    last_lane = chain.steps[-1].lane
    shapes["publish"] = (x, lane_mid(last_lane) - TASK_H // 2, TASK_W, TASK_H, last_lane)
    flows.append((f"flow_{chain.steps[-1].id}_approve", prev, "publish", "approve", None))
    for s, nxt in zip(chain.steps, chain.steps[1:], strict=False):
        for j, f in enumerate(flows):
            if f[0] == f"flow_to_{nxt.id}":
                flows[j] = (f"flow_{s.id}_approve", f"gw_{s.id}", nxt.id, "approve", None)
    x += TASK_W + 60
    shapes["end"] = (x, lane_mid(last_lane) - 18, 36, 36, last_lane)
    flows.append(("flow_end", "publish", "end", None, None))
    pool_w = x + 36 + 50 - POOL_X

    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for fid, src, dst, _, _ in flows:
        outgoing.setdefault(src, []).append(fid)
        incoming.setdefault(dst, []).append(fid)

    def io(eid):
        return "".join(f"\n      <bpmn:incoming>{f}</bpmn:incoming>" for f in incoming.get(eid, [])) + "".join(
            f"\n      <bpmn:outgoing>{f}</bpmn:outgoing>" for f in outgoing.get(eid, [])
        )

    out = []
    w = out.append
    w('<?xml version="1.0" encoding="UTF-8"?>')
    w(
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
        'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
        'xmlns:zhengai="http://zhengai.cn/schema/bpmn/1.0" '
        f'id="defs_{chain.key}" targetNamespace="http://zhengai.cn/bpmn">'
    )
    w(f'  <bpmn:collaboration id="collab_{chain.key}">')
    w(f'    <bpmn:participant id="pool_{chain.key}" name={quoteattr(chain.name)} processRef="{chain.key}" />')
    w("  </bpmn:collaboration>")
    w(f'  <bpmn:process id="{chain.key}" name={quoteattr(chain.name)} isExecutable="true">')
    w("    <bpmn:extensionElements>")
    w(f'      <zhengai:process category="chain" subjectType="{chain.subject_type}" owner="{chain.owner}" />')
    w("    </bpmn:extensionElements>")
    w('    <bpmn:laneSet id="lanes">')
    for i, (name, role, scope) in enumerate(lanes):
        w(f'      <bpmn:lane id="lane_{i}" name={quoteattr(name)}>')
        w("        <bpmn:extensionElements>")
        w(f'          <zhengai:assignment role="{role}" scope="{scope}" />')
        w("        </bpmn:extensionElements>")
        for eid, shape in shapes.items():
            if shape[4] == name:
                w(f"        <bpmn:flowNodeRef>{eid}</bpmn:flowNodeRef>")
        w("      </bpmn:lane>")
    w("    </bpmn:laneSet>")
    w(f'    <bpmn:startEvent id="start" name="开始">{io("start")}\n    </bpmn:startEvent>')
    w('    <bpmn:userTask id="edit_document" name="填写并提交">')
    w("      <bpmn:documentation>填写文档；退回后按审核意见修改并重新提交。</bpmn:documentation>")
    w("      <bpmn:extensionElements>")
    w(
        f'        <zhengai:task kind="edit" form="document" due="=step_due|P14D" remind="P3D,P1D" vertical="{chain.vertical}" />'
    )
    w(f"      </bpmn:extensionElements>{io('edit_document')}")
    w("    </bpmn:userTask>")
    for s in chain.steps:
        w(f'    <bpmn:userTask id="{s.id}" name="{s.name}">')
        w("      <bpmn:extensionElements>")
        w(
            f'        <zhengai:task kind="review" form="document" due="{s.due}" remind="P2D,P1D" '
            f'vertical="{chain.vertical}" />'
        )
        w(f"      </bpmn:extensionElements>{io(s.id)}")
        w("    </bpmn:userTask>")
        gw = f"gw_{s.id}"
        w(f'    <bpmn:exclusiveGateway id="{gw}" name="{s.name}结果" default="flow_{s.id}_return">{io(gw)}')
        w("    </bpmn:exclusiveGateway>")
    w('    <bpmn:serviceTask id="publish" name="上传诊改信息平台">')
    w("      <bpmn:extensionElements>")
    w('        <spiffworkflow:serviceTaskOperator id="publish_document" resultVariable="published">')
    w("          <spiffworkflow:parameters />")
    w("        </spiffworkflow:serviceTaskOperator>")
    w(f"      </bpmn:extensionElements>{io('publish')}")
    w("    </bpmn:serviceTask>")
    w(f'    <bpmn:endEvent id="end" name="已发布">{io("end")}\n    </bpmn:endEvent>')
    for fid, src, dst, cond, _ in flows:
        name = {"approve": ' name="同意"', "return": ' name="退回修改"'}.get(cond or "", "")
        if cond == "approve":
            w(f'    <bpmn:sequenceFlow id="{fid}"{name} sourceRef="{src}" targetRef="{dst}">')
            w('      <bpmn:conditionExpression>decision == "approve"</bpmn:conditionExpression>')
            w("    </bpmn:sequenceFlow>")
        else:
            w(f'    <bpmn:sequenceFlow id="{fid}"{name} sourceRef="{src}" targetRef="{dst}" />')
    w("  </bpmn:process>")
    w(f'  <bpmndi:BPMNDiagram id="diagram_{chain.key}">')
    w(f'    <bpmndi:BPMNPlane id="plane_{chain.key}" bpmnElement="collab_{chain.key}">')
    w(f'      <bpmndi:BPMNShape id="pool_{chain.key}_di" bpmnElement="pool_{chain.key}" isHorizontal="true">')
    w(f'        <dc:Bounds x="{POOL_X}" y="{POOL_Y}" width="{pool_w}" height="{LANE_H * len(lanes)}" />')
    w("      </bpmndi:BPMNShape>")
    for i, _ in enumerate(lanes):
        w(f'      <bpmndi:BPMNShape id="lane_{i}_di" bpmnElement="lane_{i}" isHorizontal="true">')
        w(
            f'        <dc:Bounds x="{POOL_X + LABEL_W}" y="{POOL_Y + i * LANE_H}" '
            f'width="{pool_w - LABEL_W}" height="{LANE_H}" />'
        )
        w("      </bpmndi:BPMNShape>")
    for eid, (sx, sy, sw, sh, _) in shapes.items():
        marker = ' isMarkerVisible="true"' if eid.startswith("gw_") else ""
        w(f'      <bpmndi:BPMNShape id="{eid}_di" bpmnElement="{eid}"{marker}>')
        w(f'        <dc:Bounds x="{sx}" y="{sy}" width="{sw}" height="{sh}" />')
        if eid.startswith("gw_") or eid in ("start", "end"):
            w(
                f'        <bpmndi:BPMNLabel><dc:Bounds x="{sx - 20}" y="{sy + sh + 5}" width="{sw + 40}" height="14" /></bpmndi:BPMNLabel>'
            )
        w("      </bpmndi:BPMNShape>")
    for fid, src, dst, _, points in flows:
        if points is None:
            sx, sy, sw, sh, _ = shapes[src]
            dx, dy, dw, dh, _ = shapes[dst]
            p1 = (sx + sw, sy + sh // 2)
            p2 = (dx, dy + dh // 2)
            points = (
                [p1, p2] if p1[1] == p2[1] else [p1, ((p1[0] + p2[0]) // 2, p1[1]), ((p1[0] + p2[0]) // 2, p2[1]), p2]
            )
        w(f'      <bpmndi:BPMNEdge id="{fid}_di" bpmnElement="{fid}">')
        for px, py in points:
            w(f'        <di:waypoint x="{px}" y="{py}" />')
        w("      </bpmndi:BPMNEdge>")
    w("    </bpmndi:BPMNPlane>")
    w("  </bpmndi:BPMNDiagram>")
    w("</bpmn:definitions>")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    for chain in CHAINS:
        (HERE / f"{chain.key}.bpmn").write_text(render(chain), encoding="utf-8")
        print("wrote", chain.key)
