"""The stored workflow state stays bounded however often a chain loops, and nothing a person sees changes.

SpiffWorkflow keeps every task it ran; engine/workflow/bpmn/compaction.py drops what it never reads again
when the state is stored. These tests loop chains many times and check what people see: the chain still
returns, resubmits, withdraws and publishes; the instance page still counts every pass; a parallel review
still waits for both reviewers; and completing a task costs the same after 50 loops as after one.
"""

from __future__ import annotations

from lxml import etree
from SpiffWorkflow.util.task import TaskState as SpiffState
from sqlalchemy import event, select

from engine import modeling, org
from engine.documents import service as documents
from engine.documents import withdrawal
from engine.models import Document, DocumentVersion, HumanTask, ProcessInstance
from engine.workflow import runtime
from engine.workflow.bpmn.compiler import BPMN, NSMAP, ZG
from tests.conftest import NOW, filled, own_subject, user
from tests.engine.test_deadlines import submit_target
from tests.engine.test_modeling import TEACHER, definition, owner

STATE_LIMIT = 6_000  # bytes: the teacher chain's state after its first submission is ~4 KB


def open_tasks(session, instance_id) -> list[HumanTask]:
    return list(
        session.scalars(
            select(HumanTask)
            .where(HumanTask.instance_id == instance_id, HumanTask.state == "open")
            .order_by(HumanTask.id)
        )
    )


def stored_state(session, instance_id) -> str:
    return runtime.load_instance(session, instance_id).state_json


def decide(session, task: HumanTask, username: str, decision: str) -> None:
    comment = "请补充具体措施" if decision == "return" else "同意"
    runtime.complete_task(session, user(session, username), task.id, {"decision": decision, "comment": comment}, NOW)


def resubmit(session, instance_id, username="t01") -> None:
    [edit] = open_tasks(session, instance_id)
    assert edit.kind == "edit" and edit.returned_by_id is not None  # the author's task carries the 退回 mark
    data = filled(session.get(Document, edit.document_id).data)
    runtime.complete_task(session, user(session, username), edit.id, {"document": data}, NOW)


def deployed_and_submitted(session, xml: str, note: str) -> tuple:
    """t01's target under the teacher chain redeployed as `xml`, started and submitted: (author, edit task)."""
    modeling.deploy(session, owner(session), definition(session), xml, note, NOW)
    author = user(session, "t01")
    task = documents.start_document(session, author, own_subject(session, "t01").id, "target", NOW)
    runtime.complete_task(session, author, task.id, {"document": filled(session.get(Document, task.document_id).data)},
                          NOW)  # fmt: skip
    return author, task


def latest_submission(session, instance_id) -> HumanTask:
    return session.scalar(
        select(HumanTask)
        .where(HumanTask.instance_id == instance_id, HumanTask.kind == "edit", HumanTask.state == "completed")
        .order_by(HumanTask.id.desc())
        .limit(1)
    )


def test_fifty_return_loops_keep_the_state_small_and_the_chain_still_publishes(session, login_as):
    review = submit_target(session, "t01")
    instance_id = review.instance_id
    sizes = []
    for _ in range(50):
        [review] = open_tasks(session, instance_id)
        decide(session, review, "dzxy_reviewer", "return")
        resubmit(session, instance_id)
        sizes.append(len(stored_state(session, instance_id)))
    # bounded: the 50th pass stores what the 2nd did (give or take the digits of a timestamp)
    assert max(sizes) < STATE_LIMIT and abs(sizes[-1] - sizes[1]) < 50

    # the instance page still counts every pass and the flows taken, before and after the end
    state = login_as("t01").get(f"/instances/{instance_id}/state.json").get_json()
    assert state["completed"] == {"start": 1, "edit_document": 51, "review_college": 50, "gw_review_college": 50}
    assert state["flows"] == ["flow_review_college_done", "flow_review_college_return", "flow_start",
                              "flow_to_review_college"]  # fmt: skip
    assert [c["id"] for c in state["current"]] == ["review_college"]

    [review] = open_tasks(session, instance_id)
    decide(session, review, "dzxy_reviewer", "approve")
    session.flush()
    instance = session.get(ProcessInstance, instance_id)
    doc = session.get(Document, instance.document_id)
    assert instance.status == "completed" and doc.status == "published" and doc.published_version == 1
    version = session.scalar(select(DocumentVersion).where(DocumentVersion.document_id == doc.id))
    assert version.data == doc.data
    done = login_as("t01").get(f"/instances/{instance_id}/state.json").get_json()
    assert done["completed"] == {"start": 1, "edit_document": 51, "review_college": 51, "gw_review_college": 51,
                                 "publish": 1, "end": 1}  # fmt: skip
    assert "flow_review_college_approve" in done["flows"] and "flow_end" in done["flows"]
    page = login_as("t01").get(f"/instances/{instance_id}").get_data(as_text=True)
    assert "data-highlight='{" in page and "已完成" in page


def test_withdrawing_after_many_loops_takes_the_submission_back(session):
    review = submit_target(session, "t01")
    instance_id = review.instance_id
    for _ in range(20):
        decide(session, open_tasks(session, instance_id)[0], "dzxy_reviewer", "return")
        resubmit(session, instance_id)
    submitted = latest_submission(session, instance_id)
    reopened = withdrawal.withdraw(session, user(session, "t01"), submitted.id, NOW)
    session.flush()
    assert reopened.id == submitted.id and reopened.state == "open"
    assert [t.kind for t in open_tasks(session, instance_id)] == ["edit"]
    assert session.get(Document, reopened.document_id).status == "returned"
    resubmit_data = filled(session.get(Document, reopened.document_id).data)
    runtime.complete_task(session, user(session, "t01"), reopened.id, {"document": resubmit_data}, NOW)
    decide(session, open_tasks(session, instance_id)[0], "dzxy_reviewer", "approve")
    session.flush()
    assert session.get(ProcessInstance, instance_id).status == "completed"


def test_completing_costs_the_same_after_fifty_loops(session, connection):
    """The statements a completion runs and the state it stores do not grow with the instance's history."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    reviewer = user(session, "dzxy_reviewer")
    principals = org.principals_of(session, reviewer.id)  # the request knows them already

    def measured_return(instance_id) -> tuple[int, int]:
        [review] = open_tasks(session, instance_id)
        session.flush()
        statements.clear()
        event.listen(connection, "before_cursor_execute", count)
        try:
            runtime.complete_task(session, reviewer, review.id, {"decision": "return", "comment": "请补充"}, NOW,
                                  principals)  # fmt: skip
        finally:
            event.remove(connection, "before_cursor_execute", count)
        return len(statements), len(stored_state(session, instance_id))

    instance_id = submit_target(session, "t01").instance_id
    decide(session, open_tasks(session, instance_id)[0], "dzxy_reviewer", "return")
    resubmit(session, instance_id)
    first = measured_return(instance_id)  # the second pass
    for _ in range(48):
        resubmit(session, instance_id)
        decide(session, open_tasks(session, instance_id)[0], "dzxy_reviewer", "return")
    resubmit(session, instance_id)
    later = measured_return(instance_id)  # the fifty-first
    assert later[0] == first[0] and abs(later[1] - first[1]) < 100  # the trail's counts grow by digits
    # the task with its permission, the instance, the document; the read-model diff (close, insert, candidates,
    # deadlines, notice), the document, the instance and the audit log: one statement each, no ORM autoflush
    assert first[0] <= 15, statements


def with_boundary_timers(xml: str = TEACHER) -> str:
    """The teacher chain with a non-interrupting reminder timer on the author's step and on the review."""
    root = etree.fromstring(xml.encode("utf-8"))
    process = root.find("bpmn:process", NSMAP)
    lanes = {"edit_document": "lane_0", "review_college": "lane_1"}
    for step, lane_id in lanes.items():
        lane = process.find(f"bpmn:laneSet/bpmn:lane[@id='{lane_id}']", NSMAP)
        timer = etree.SubElement(process, f"{{{BPMN}}}boundaryEvent", id=f"remind_{step}", name="超时提醒",
                                 attachedToRef=step, cancelActivity="false")  # fmt: skip
        definition_ = etree.SubElement(timer, f"{{{BPMN}}}timerEventDefinition")
        etree.SubElement(definition_, f"{{{BPMN}}}timeDuration").text = '"P3D"'
        etree.SubElement(process, f"{{{BPMN}}}endEvent", id=f"reminded_{step}", name="已提醒")
        etree.SubElement(process, f"{{{BPMN}}}sequenceFlow", id=f"flow_remind_{step}", sourceRef=f"remind_{step}",
                         targetRef=f"reminded_{step}")  # fmt: skip
        for node in (f"remind_{step}", f"reminded_{step}"):
            etree.SubElement(lane, f"{{{BPMN}}}flowNodeRef").text = node
    return etree.tostring(root, encoding="unicode")


def waiting_timers(session, instance_id) -> set[str]:
    wf, _meta = runtime.load_workflow(session, runtime.load_instance(session, instance_id))
    return {t.task_spec.bpmn_id for t in wf.get_tasks(state=SpiffState.WAITING)}


def test_withdrawing_after_loops_under_boundary_timers(session):
    """A submission made from a step with a boundary event (Spiff puts a split above it) is still taken back
    after many loops: the compacted state keeps what the reset reads (the step, its split, their data)."""
    author, task = deployed_and_submitted(session, with_boundary_timers(), "审核带提醒")
    instance_id = task.instance_id
    sizes = []
    for _ in range(12):
        decide(session, open_tasks(session, instance_id)[0], "dzxy_reviewer", "return")
        resubmit(session, instance_id)
        sizes.append(len(stored_state(session, instance_id)))
    assert abs(sizes[-1] - sizes[2]) < 50 and max(sizes) < 2 * STATE_LIMIT
    submitted = latest_submission(session, instance_id)
    assert waiting_timers(session, instance_id) == {"remind_review_college"}
    reopened = withdrawal.withdraw(session, author, submitted.id, NOW)
    session.flush()
    assert [t.bpmn_id for t in open_tasks(session, instance_id)] == ["edit_document"]
    assert waiting_timers(session, instance_id) == {"remind_edit_document"}  # the reopened step's reminder
    assert session.get(Document, task.document_id).status == "returned"
    runtime.complete_task(session, author, reopened.id,
                          {"document": filled(session.get(Document, task.document_id).data)}, NOW)  # fmt: skip
    [review] = open_tasks(session, instance_id)
    assert review.bpmn_id == "review_college"
    decide(session, review, "dzxy_reviewer", "approve")
    session.flush()
    assert session.get(ProcessInstance, instance_id).status == "completed"
    assert session.get(Document, task.document_id).status == "published"


def parallel_review(xml: str = TEACHER) -> str:
    """The teacher chain with two reviews at once (the college and 人事处), joined before the decision."""
    root = etree.fromstring(xml.encode("utf-8"))
    process = root.find("bpmn:process", NSMAP)
    lane_set = process.find("bpmn:laneSet", NSMAP)
    lane = etree.SubElement(lane_set, f"{{{BPMN}}}lane", id="lane_rsc", name="人事处")
    etree.SubElement(etree.SubElement(lane, f"{{{BPMN}}}extensionElements"), f"{{{ZG}}}assignment",
                     role="reviewer", scope="unit:RSC")  # fmt: skip
    college = process.find("bpmn:laneSet/bpmn:lane[@id='lane_1']", NSMAP)
    for node, owner_lane in (("review_rsc", lane), ("fork", college), ("join", college)):
        etree.SubElement(owner_lane, f"{{{BPMN}}}flowNodeRef").text = node
    review = etree.SubElement(process, f"{{{BPMN}}}userTask", id="review_rsc", name="人事处审核")
    etree.SubElement(etree.SubElement(review, f"{{{BPMN}}}extensionElements"), f"{{{ZG}}}task", kind="review",
                     form="document", due="P7D")  # fmt: skip
    etree.SubElement(process, f"{{{BPMN}}}parallelGateway", id="fork", name="分送审核")
    etree.SubElement(process, f"{{{BPMN}}}parallelGateway", id="join", name="汇总")
    process.find("bpmn:sequenceFlow[@id='flow_to_review_college']", NSMAP).set("targetRef", "fork")
    process.find("bpmn:sequenceFlow[@id='flow_review_college_done']", NSMAP).set("targetRef", "join")
    for flow_id, source, target in (("flow_fork_college", "fork", "review_college"),
                                    ("flow_fork_rsc", "fork", "review_rsc"),
                                    ("flow_rsc_join", "review_rsc", "join"),
                                    ("flow_join_decide", "join", "gw_review_college")):  # fmt: skip
        etree.SubElement(process, f"{{{BPMN}}}sequenceFlow", id=flow_id, sourceRef=source, targetRef=target)
    return etree.tostring(root, encoding="unicode")


def test_a_parallel_review_in_a_loop_still_waits_for_both_reviewers(session):
    author, task = deployed_and_submitted(session, parallel_review(), "两处同时审核")
    instance_id = task.instance_id
    sizes = []
    for _ in range(15):
        college, rsc = sorted(open_tasks(session, instance_id), key=lambda t: t.bpmn_id)
        assert (college.bpmn_id, rsc.bpmn_id) == ("review_college", "review_rsc")
        decide(session, college, "dzxy_reviewer", "return")
        assert [t.bpmn_id for t in open_tasks(session, instance_id)] == ["review_rsc"]  # the join waits
        decide(session, rsc, "rsc_reviewer", "return")
        resubmit(session, instance_id)
        sizes.append(len(stored_state(session, instance_id)))
    assert abs(sizes[-1] - sizes[2]) < 50 and max(sizes) < 2 * STATE_LIMIT
    college, rsc = sorted(open_tasks(session, instance_id), key=lambda t: t.bpmn_id)
    decide(session, rsc, "rsc_reviewer", "approve")
    assert session.get(ProcessInstance, instance_id).status == "running"  # still waiting for the college
    decide(session, college, "dzxy_reviewer", "approve")
    session.flush()
    assert session.get(ProcessInstance, instance_id).status == "completed"
    assert session.get(Document, task.document_id).status == "published"
