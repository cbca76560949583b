"""Joins still fire when the stored state is compacted (engine/workflow/bpmn/compaction.py).

A parallel or inclusive join decides whether to fire by reading every task of its gateway in the current
pass: a branch that arrived first waits there, and is cancelled by the next branch that arrives; the
cancelled task's parent (the branch's last step, completed) is what tells the join that branch is in.
These tests drive small diagrams the way production does: after every step the state is compacted,
stored, and restored onto the compiled spec before the next task is completed; the last test runs the
reported case (three offices, two steps each) through the runtime and the database.
"""

from __future__ import annotations

import pytest
from lxml import etree
from SpiffWorkflow.util.task import TaskState

from engine import modeling
from engine.documents import service as documents
from engine.models import Document, ProcessInstance
from engine.workflow import runtime
from engine.workflow.bpmn.compaction import compact
from engine.workflow.bpmn.compiler import BPMN, NSMAP, ZG, compile_bpmn
from engine.workflow.bpmn.scripting import SafeScriptEngine, run_engine
from engine.workflow.bpmn.serializer import dump_state, load_specs, load_state
from engine.workflow.runtime import new_workflow
from tests.conftest import NOW, filled, own_subject, user
from tests.engine.test_modeling import TEACHER, definition, owner
from tests.engine.test_state_compaction import decide, open_tasks

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:zhengai="http://zhengai.cn/schema/bpmn/1.0" id="defs_joins" targetNamespace="http://zhengai.cn/bpmn">'
    '<bpmn:process id="joins" name="汇总测试" isExecutable="true">'
)
UNITS = ("quality_office", "party_office", "human_resources")


def diagram(branches: dict[str, int], gateway: str = "parallelGateway", loop: bool = False) -> str:
    """start → split → per branch `n` person steps in the branch's own lane → join → `after` → end.

    An inclusive split takes the branches whose `take_<branch>` is true. With `loop`, a gateway after
    `after` goes back to a merge before the split when `decision == "return"`.
    """
    lanes = {"lane_main": ["start", "split", "join", "after", "end"] + (["again"] if loop else [])}
    default = ' default="f_split_none"' if gateway == "inclusiveGateway" else ""
    nodes = [
        '<bpmn:startEvent id="start" name="开始" />',
        f'<bpmn:{gateway} id="split" name="分送"{default} />',
        f'<bpmn:{gateway} id="join" name="汇总" />',
        '<bpmn:userTask id="after" name="汇总后确认"><bpmn:extensionElements><zhengai:task kind="confirm" />'
        "</bpmn:extensionElements></bpmn:userTask>",
        '<bpmn:endEvent id="end" name="结束" />',
    ]
    flows = [("f_join_after", "join", "after", None)]
    if loop:  # a return goes back to an exclusive merge before the split
        lanes["lane_main"].append("merge")
        nodes.append('<bpmn:exclusiveGateway id="merge" name="重新分送" />')
        nodes.append('<bpmn:exclusiveGateway id="again" name="是否退回" default="f_again_end" />')
        flows += [("f_start", "start", "merge", None), ("f_merge_split", "merge", "split", None),
                  ("f_after_again", "after", "again", None), ("f_again_end", "again", "end", None),
                  ("f_again_merge", "again", "merge", 'decision == "return"')]  # fmt: skip
    else:
        flows += [("f_start", "start", "split", None), ("f_after_end", "after", "end", None)]
    if gateway == "inclusiveGateway":
        flows.append(("f_split_none", "split", "join", None))
    for (branch, steps), unit in zip(branches.items(), UNITS, strict=False):
        lane = lanes.setdefault(f"lane_{branch}", [])
        previous = "split"
        for i in range(1, steps + 1):
            node = f"{branch}{i}"
            lane.append(node)
            nodes.append(f'<bpmn:userTask id="{node}" name="{branch} 第{i}步"><bpmn:extensionElements>'
                         '<zhengai:task kind="confirm" /></bpmn:extensionElements></bpmn:userTask>')  # fmt: skip
            condition = f"take_{branch} == True" if previous == "split" and gateway == "inclusiveGateway" else None
            flows.append((f"f_{previous}_{node}", previous, node, condition))
            previous = node
        flows.append((f"f_{previous}_join", previous, "join", None))
        lane.append(f"_unit:{unit}")
    lane_xml = []
    for lane_id, refs in lanes.items():
        scope = next((r[6:] for r in refs if r.startswith("_unit:")), "quality_office")
        lane_xml.append(
            f'<bpmn:lane id="{lane_id}" name="{lane_id}"><bpmn:extensionElements><zhengai:assignment role="head" '
            f'scope="function:{scope}" /></bpmn:extensionElements>'
            + "".join(f"<bpmn:flowNodeRef>{r}</bpmn:flowNodeRef>" for r in refs if not r.startswith("_unit:"))
            + "</bpmn:lane>"
        )
    flow_xml = []
    for flow_id, source, target, condition in flows:
        body = f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression>" if condition else ""
        flow_xml.append(f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">{body}'
                        "</bpmn:sequenceFlow>")  # fmt: skip
    return (HEAD + '<bpmn:laneSet id="lanes">' + "".join(lane_xml) + "</bpmn:laneSet>" + "".join(nodes)
            + "".join(flow_xml) + "</bpmn:process></bpmn:definitions>")  # fmt: skip


class Instance:
    """A workflow stored as production stores it: compacted and serialized after every step."""

    def __init__(self, xml: str, data: dict | None = None):
        self.spec, self.subs = load_specs(compile_bpmn(xml).spec_json)
        wf = new_workflow(self.spec, self.subs, data)
        run_engine(wf)
        self.store(wf)

    def store(self, wf) -> None:
        compact(wf)
        self.state = dump_state(wf)

    def load(self):
        wf = load_state(self.state, self.spec, self.subs)
        wf.script_engine = SafeScriptEngine()
        return wf

    def ready(self) -> list[str]:
        return sorted(t.task_spec.bpmn_id for t in self.load().get_tasks(state=TaskState.READY, manual=True))

    def complete(self, bpmn_id: str, **data) -> None:
        wf = self.load()
        ready = [t for t in wf.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.bpmn_id == bpmn_id]
        assert ready, f"{bpmn_id} is not offered; offered: {self.ready()}"
        ready[0].set_data(**data)
        ready[0].run()
        run_engine(wf)
        self.store(wf)

    def completed(self) -> bool:
        return self.load().is_completed()


def run(instance: Instance, order: list[str]) -> None:
    """Complete `order`; the join waits until the last branch is in, then offers `after`."""
    for i, bpmn_id in enumerate(order):
        assert "after" not in instance.ready(), f"the join fired before {order[i:]}"
        instance.complete(bpmn_id)
    assert instance.ready() == ["after"], f"after {order} the join did not fire"


TWO = {"a": 2, "b": 2}
THREE = {"a": 2, "b": 2, "c": 2}


@pytest.mark.parametrize(
    "order",
    [
        ["a1", "a2", "b1", "b2"],  # branch a fully first
        ["a1", "b1", "a2", "b2"],  # interleaved
        ["b1", "a1", "b2", "a2"],
        ["b1", "b2", "a1", "a2"],  # branch b first
    ],
)
def test_a_parallel_join_of_two_branches_fires_once_both_are_in(order):
    instance = Instance(diagram(TWO))
    run(instance, order)
    instance.complete("after")
    assert instance.completed()


@pytest.mark.parametrize(
    "order",
    [
        ["a1", "a2", "b1", "b2", "c1", "c2"],  # one branch after the other
        ["c1", "c2", "b1", "b2", "a1", "a2"],
        ["a1", "b1", "c1", "a2", "b2", "c2"],  # interleaved
        ["a1", "b1", "c1", "c2", "b2", "a2"],
        ["b1", "a1", "a2", "c1", "b2", "c2"],
    ],
)
def test_a_parallel_join_of_three_branches_fires_once_all_are_in(order):
    instance = Instance(diagram(THREE))
    run(instance, order)
    instance.complete("after")
    assert instance.completed()


def test_branches_of_different_lengths_join():
    """As the school-level cycle has them: one office has a single step, the others two."""
    instance = Instance(diagram({"a": 2, "b": 2, "c": 1}))
    run(instance, ["a1", "a2", "b1", "c1", "b2"])


@pytest.mark.parametrize(
    "order",
    [["a1", "a2", "b1", "b2", "c1", "c2"], ["c1", "b1", "a1", "c2", "b2", "a2"], ["b1", "b2", "a1", "c1", "a2", "c2"]],
)
def test_an_inclusive_join_of_every_branch_taken_fires_once_all_are_in(order):
    instance = Instance(diagram(THREE, "inclusiveGateway"), {"take_a": True, "take_b": True, "take_c": True})
    run(instance, order)


def test_an_inclusive_join_waits_only_for_the_branches_taken():
    instance = Instance(diagram(THREE, "inclusiveGateway"), {"take_a": True, "take_b": False, "take_c": True})
    assert instance.ready() == ["a1", "c1"]
    run(instance, ["c1", "a1", "c2", "a2"])


LOOP_ORDERS = [
    ["a1", "a2", "b1", "b2", "c1", "c2"],
    ["a1", "b1", "c1", "a2", "b2", "c2"],
    ["c1", "c2", "b1", "a1", "a2", "b2"],
]


def test_a_join_in_a_return_loop_waits_for_every_branch_each_time_and_the_state_stays_bounded():
    instance = Instance(diagram(THREE, loop=True))
    sizes = []
    for rounds in range(12):
        run(instance, LOOP_ORDERS[rounds % len(LOOP_ORDERS)])
        instance.complete("after", decision="return")
        assert instance.ready() == ["a1", "b1", "c1"]
        sizes.append(len(instance.state))
    # the same orders every three rounds: the state is what it was three rounds before, give or take the trail's digits
    assert all(abs(sizes[i] - sizes[i - 3]) < 40 for i in range(6, len(sizes))), sizes
    run(instance, LOOP_ORDERS[0])
    instance.complete("after", decision="approve")
    assert instance.completed()


def test_an_inclusive_join_in_a_return_loop_waits_for_the_branches_taken_each_time():
    instance = Instance(diagram(THREE, "inclusiveGateway", loop=True), {"take_a": True, "take_b": True, "take_c": True})
    sizes = []
    for rounds in range(8):
        run(instance, LOOP_ORDERS[rounds % len(LOOP_ORDERS)])
        instance.complete("after", decision="return")
        assert instance.ready() == ["a1", "b1", "c1"]
        sizes.append(len(instance.state))
    assert all(abs(sizes[i] - sizes[i - 3]) < 40 for i in range(5, len(sizes))), sizes
    run(instance, LOOP_ORDERS[1])
    instance.complete("after", decision="approve")
    assert instance.completed()


@pytest.mark.parametrize("gateway", ["parallelGateway", "inclusiveGateway"])
def test_long_branches_in_a_return_loop_still_join(gateway):
    """Branches longer than the history kept above a person's step: the split they share is still known."""
    data = {"take_a": True, "take_b": True, "take_c": True}
    instance = Instance(diagram({"a": 4, "b": 4, "c": 3}, gateway, loop=True), data)
    orders = [["a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4", "c1", "c2", "c3"],
              ["b1", "b2", "b3", "c1", "c2", "c3", "b4", "a1", "a2", "a3", "a4"],
              ["a1", "b1", "c1", "a2", "b2", "c2", "a3", "b3", "a4", "b4", "c3"]]  # fmt: skip
    sizes = []
    for rounds in range(6):
        run(instance, orders[rounds % 3])
        instance.complete("after", decision="return")
        assert instance.ready() == ["a1", "b1", "c1"]
        sizes.append(len(instance.state))
    assert all(abs(sizes[i] - sizes[i - 3]) < 40 for i in range(4, len(sizes))), sizes


OFFICES = (("college", None, "dzxy_reviewer"), ("rsc", "unit:RSC", "rsc_reviewer"), ("jwc", "unit:JWC", "jwc_reviewer"))


def three_offices(xml: str = TEACHER) -> str:
    """The teacher chain reviewed by the college, 人事处 and 教务处 at once, each with a review and a recheck,
    joined before the decision."""
    root = etree.fromstring(xml.encode("utf-8"))
    process = root.find("bpmn:process", NSMAP)
    lane_set = process.find("bpmn:laneSet", NSMAP)
    college = process.find("bpmn:laneSet/bpmn:lane[@id='lane_1']", NSMAP)
    process.find("bpmn:sequenceFlow[@id='flow_to_review_college']", NSMAP).set("targetRef", "fork")
    flow = process.find("bpmn:sequenceFlow[@id='flow_review_college_done']", NSMAP)
    flow.set("sourceRef", "join")
    for node in ("fork", "join"):
        etree.SubElement(college, f"{{{BPMN}}}flowNodeRef").text = node
        etree.SubElement(process, f"{{{BPMN}}}parallelGateway", id=node, name=node)
    for office, scope, _reviewer in OFFICES:
        lane = college
        if scope:
            lane = etree.SubElement(lane_set, f"{{{BPMN}}}lane", id=f"lane_{office}", name=office)
            etree.SubElement(etree.SubElement(lane, f"{{{BPMN}}}extensionElements"), f"{{{ZG}}}assignment",
                             role="reviewer", scope=scope)  # fmt: skip
        steps = [f"review_{office}", f"recheck_{office}"]
        for step in steps:
            if step == "review_college":
                continue  # the chain's own
            etree.SubElement(lane, f"{{{BPMN}}}flowNodeRef").text = step
            task = etree.SubElement(process, f"{{{BPMN}}}userTask", id=step, name=f"{office} {step}")
            etree.SubElement(etree.SubElement(task, f"{{{BPMN}}}extensionElements"), f"{{{ZG}}}task", kind="review",
                             form="document", due="P7D")  # fmt: skip
        for source, target in (("fork", steps[0]), (steps[0], steps[1]), (steps[1], "join")):
            etree.SubElement(process, f"{{{BPMN}}}sequenceFlow", id=f"flow_{source}_{target}", sourceRef=source,
                             targetRef=target)  # fmt: skip
    return etree.tostring(root, encoding="unicode")


@pytest.mark.parametrize("order", [
    ["college", "college", "rsc", "rsc", "jwc", "jwc"],  # office after office
    ["jwc", "rsc", "college", "college", "rsc", "jwc"],  # interleaved
])  # fmt: skip
def test_three_offices_with_two_steps_each_publish_through_the_runtime(session, order):
    """The reported case, as production runs it: each completion loads, steps, compacts and stores the state."""
    modeling.deploy(session, owner(session), definition(session), three_offices(), "三处同时审核", NOW)
    author = user(session, "t01")
    task = documents.start_document(session, author, own_subject(session, "t01").id, "target", NOW)
    runtime.complete_task(session, author, task.id, {"document": filled(session.get(Document, task.document_id).data)},
                          NOW)  # fmt: skip
    reviewers = {office: reviewer for office, _scope, reviewer in OFFICES}
    for i, office in enumerate(order):
        assert session.get(ProcessInstance, task.instance_id).status == "running", f"published before {order[i:]}"
        [step] = [t for t in open_tasks(session, task.instance_id) if t.bpmn_id.endswith(f"_{office}")]
        decide(session, step, reviewers[office], "approve")
    session.flush()
    assert not open_tasks(session, task.instance_id)
    assert session.get(ProcessInstance, task.instance_id).status == "completed"
    assert session.get(Document, task.document_id).status == "published"
