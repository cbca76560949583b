"""Write the processes of the school's four reports: 人才培养质量年度报告, 人才培养状态数据分析报告,
内部质量保证体系诊断与改进报告 and 校企协同育人年度报告, one file per report type, all of one shape (seed §六(二)7(5)):

    start → each heading in `PROCESS_SECTIONS` written in parallel by the department its data names (`=unit_<key>`)
    → 质量管理处 compiles → (a contribution returned once with a reason → its department revises → compile again)
    → 学校领导 approve (or return to the compilation) → publish.

The headings come from engine/reports/catalogue.py, so a new report type is a catalogue entry and a run of this
script. Like generate_cycles.py, the generated files are the source of truth once committed
(tests/workflows/test_shipped_bpmn.py checks they are what this script writes).
Run `python workflows/generate_reports.py` from the repository root to rebuild them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from xml.sax.saxutils import quoteattr

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from engine.reports.catalogue import DATA, DEFAULTS, PROCESS_SECTIONS, PROCESSES, RETURNS  # noqa: E402
from engine.reports.prefill import FROM_UNITS  # noqa: E402

ROLES = "head,reviewer,office_staff"
LANE_H, X0, W = 90, 150, 1300
NS = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
    'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" xmlns:zhengai="http://zhengai.cn/schema/bpmn/1.0"'
)


def _task(nid: str, name: str, doc: str) -> str:
    return (f'<bpmn:userTask id="{nid}" name={quoteattr(name)}><bpmn:documentation>{doc}</bpmn:documentation>'
            '<bpmn:extensionElements><zhengai:task kind="report" due="P30D" /></bpmn:extensionElements></bpmn:userTask>')  # fmt: skip


def _lane(lid: str, name: str, roles: str, scope: str, nodes: list[str]) -> str:
    refs = "".join(f"\n        <bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in nodes)
    return (f'      <bpmn:lane id="{lid}" name={quoteattr(name)}><bpmn:extensionElements><zhengai:assignment '
            f'role="{roles}" scope="{scope}" /></bpmn:extensionElements>{refs}\n      </bpmn:lane>')  # fmt: skip


def build(type_key: str) -> str:
    """The BPMN of one report type's process."""
    process = PROCESSES[type_key]
    title = DEFAULTS[type_key][2]
    headings = {s["key"]: s["title"] for s in DEFAULTS[type_key][3]}
    keys = PROCESS_SECTIONS[type_key]
    returns = type_key in RETURNS
    prefilled = "（已按平台数据和各单位报告预填，可修改）" if type_key == DATA or type_key in FROM_UNITS else ""
    name = f"学校{title}"
    office = ["start", "split", "join", "compile", *(["gw_compile"] if returns else []), "publish", "end_published"]
    lanes = [_lane("lane_quality_office", "质量管理处", ROLES, "function:quality_office", office)]
    lanes += [_lane(f"lane_{k}", f"“{headings[k]}”撰写部门", ROLES, f"=unit_{k}", [f"contrib_{k}"]) for k in keys]
    if returns:
        lanes.append(_lane("lane_returned", "被退回章节的撰写部门", ROLES, "=unit_returned", ["revise"]))
    lanes.append(_lane("lane_leaders", "学校领导", "school_leader", "school", ["approve", "gw_approve"]))
    nodes = ['<bpmn:startEvent id="start" name="质量管理处启动本年度报告" />',
             '<bpmn:parallelGateway id="split" name="分送各部门撰写" />']  # fmt: skip
    nodes += [_task(f"contrib_{k}", f"撰写“{headings[k]}”部分",
                    f"按{title}的提纲撰写“{headings[k]}”部分{prefilled}，提交质量管理处汇编。")
              for k in keys]  # fmt: skip
    nodes.append('<bpmn:parallelGateway id="join" name="各部分均已提交" />')
    nodes.append(_task("compile", "汇编报告", "质量管理处按提纲顺序汇编各部门提交的内容，修改后报学校领导审定；"
                       "也可将某一部门的内容退回修改一次（须说明理由）。" if returns else
                       "质量管理处按提纲顺序汇编各部门提交的内容，修改后报学校领导审定。"))  # fmt: skip
    if returns:
        nodes.append('<bpmn:exclusiveGateway id="gw_compile" name="是否退回部门修改" default="f_to_approve" />')
        nodes.append(_task("revise", "按退回意见修改", "按质量管理处的退回理由修改本部门撰写的部分，再次提交汇编。"))
    nodes += [
        _task("approve", "学校领导审定", "学校领导审定报告：同意发布，或退回质量管理处修改（须填写意见）。"),
        '<bpmn:exclusiveGateway id="gw_approve" name="是否同意发布" default="f_return" />',
        '<bpmn:serviceTask id="publish" name="发布报告（向社会公开）"><bpmn:extensionElements>'
        '<spiffworkflow:serviceTaskOperator id="publish_report" resultVariable="published"><spiffworkflow:parameters />'
        "</spiffworkflow:serviceTaskOperator></bpmn:extensionElements></bpmn:serviceTask>",
        '<bpmn:endEvent id="end_published" name="报告已发布" />',
    ]  # fmt: skip
    flows = [("f_start", "start", "split", None, None)]
    for k in keys:
        flows += [
            (f"f_to_{k}", "split", f"contrib_{k}", None, None),
            (f"f_from_{k}", f"contrib_{k}", "join", None, None),
        ]
    flows.append(("f_join", "join", "compile", None, None))
    if returns:
        flows += [("f_compile", "compile", "gw_compile", None, None),
                  ("f_to_approve", "gw_compile", "approve", "报学校领导审定", None),
                  ("f_to_revise", "gw_compile", "revise", "退回部门修改", 'compile_decision == "return"'),
                  ("f_revised", "revise", "compile", None, None)]  # fmt: skip
    else:
        flows.append(("f_compile", "compile", "approve", None, None))
    flows += [("f_approve", "approve", "gw_approve", None, None),
              ("f_publish", "gw_approve", "publish", "同意发布", 'report_decision == "approve"'),
              ("f_return", "gw_approve", "compile", "退回修改", None),
              ("f_published", "publish", "end_published", None, None)]  # fmt: skip
    flow_xml = []
    for fid, src, dst, label, cond in flows:
        attrs = f'id="{fid}"' + (f" name={quoteattr(label)}" if label else "") + f' sourceRef="{src}" targetRef="{dst}"'
        body = f"<bpmn:conditionExpression>{cond}</bpmn:conditionExpression>" if cond else ""
        flow_xml.append(f"<bpmn:sequenceFlow {attrs}>{body}</bpmn:sequenceFlow>" if body else
                        f"<bpmn:sequenceFlow {attrs} />")  # fmt: skip
    diagram = _diagram(process, keys, returns, flows)
    body = "\n    ".join(nodes + flow_xml)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} id="defs_{process}" targetNamespace="http://zhengai.cn/bpmn">
  <bpmn:collaboration id="collab_{process}"><bpmn:participant id="pool_{process}" name="{name}" processRef="{process}" /></bpmn:collaboration>
  <bpmn:process id="{process}" name="{name}" isExecutable="true">
    <bpmn:extensionElements><zhengai:process category="report" owner="function:quality_office" /></bpmn:extensionElements>
    <bpmn:laneSet id="lanes">
{chr(10).join(lanes)}
    </bpmn:laneSet>
    {body}
  </bpmn:process>
{diagram}
</bpmn:definitions>
"""


def _diagram(process: str, keys, returns: bool, flows) -> str:
    lane_ids = ["lane_quality_office", *(f"lane_{k}" for k in keys), *(["lane_returned"] if returns else []),
                "lane_leaders"]  # fmt: skip
    top = {lid: 30 + i * LANE_H for i, lid in enumerate(lane_ids)}
    mid = {lid: y + LANE_H // 2 for lid, y in top.items()}
    box = {}  # node -> (x, y, w, h)

    def put(nid, lane, x, w, h):
        box[nid] = (x, mid[lane] - h // 2, w, h)

    office = "lane_quality_office"
    put("start", office, 200, 36, 36)
    put("split", office, 270, 50, 50)
    for k in keys:
        put(f"contrib_{k}", f"lane_{k}", 400, 120, 80)
    put("join", office, 600, 50, 50)
    put("compile", office, 680, 100, 80)
    if returns:
        put("gw_compile", office, 820, 50, 50)
        put("revise", "lane_returned", 795, 100, 80)
    put("approve", "lane_leaders", 920, 100, 80)
    put("gw_approve", "lane_leaders", 1060, 50, 50)
    put("publish", office, 1150, 100, 80)
    put("end_published", office, 1290, 36, 36)
    height = len(lane_ids) * LANE_H
    shapes = [f'      <bpmndi:BPMNShape id="pool_{process}_di" bpmnElement="pool_{process}" isHorizontal="true">'
              f'<dc:Bounds x="{X0 - 30}" y="30" width="{W + 30}" height="{height}" /></bpmndi:BPMNShape>']  # fmt: skip
    for nid, (x, y, w, h) in box.items():
        shapes.append(f'      <bpmndi:BPMNShape id="{nid}_di" bpmnElement="{nid}"><dc:Bounds x="{x}" y="{y}" '
                      f'width="{w}" height="{h}" /></bpmndi:BPMNShape>')  # fmt: skip
    for lid in lane_ids:
        shapes.append(f'      <bpmndi:BPMNShape id="{lid}_di" bpmnElement="{lid}" isHorizontal="true"><dc:Bounds '
                      f'x="{X0}" y="{top[lid]}" width="{W}" height="{LANE_H}" /></bpmndi:BPMNShape>')  # fmt: skip
    edges = []
    for fid, src, dst, _label, _cond in flows:
        sx, sy, sw, sh = box[src]
        tx, ty, tw, th = box[dst]
        if tx > sx:  # forward: out on the right, in on the left, one vertical leg between
            a, b = (sx + sw, sy + sh // 2), (tx, ty + th // 2)
            leg = a[0] + 10 if a[1] != b[1] and src == "split" else b[0] - 10 if a[1] != b[1] else a[0]
            points = [a, (leg, a[1]), (leg, b[1]), b]
        else:  # a loop back: out at the top or bottom, into the target's bottom
            a = (sx + sw // 2, sy if sy > ty else sy + sh)
            b = (tx + tw // 2, ty + th)
            turn = b[1] + 15 if sy > ty else a[1] + 15
            points = [a, (a[0], turn), (b[0], turn), b]
        way = "".join(f'<di:waypoint x="{x}" y="{y}" />' for x, y in points)
        edges.append(f'      <bpmndi:BPMNEdge id="{fid}_di" bpmnElement="{fid}">{way}</bpmndi:BPMNEdge>')
    return (f'  <bpmndi:BPMNDiagram id="diagram_{process}">\n    <bpmndi:BPMNPlane id="plane_{process}" '
            f'bpmnElement="collab_{process}">\n' + "\n".join(shapes + edges) +
            "\n    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>")  # fmt: skip


GENERATED = sorted(PROCESSES)


def main() -> None:
    for type_key in GENERATED:
        path = HERE / f"{PROCESSES[type_key]}.bpmn"
        path.write_text(build(type_key), encoding="utf-8")
        print(path)


if __name__ == "__main__":
    main()
