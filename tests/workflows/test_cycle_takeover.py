"""Starting a year never skips a step: drafts are continued, chains of their own are taken over."""

from __future__ import annotations

import copy
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from engine import cycle
from engine.core.errors import Conflict
from engine.documents import service as documents
from engine.models import AuditEntry, Document, HumanTask, ProcessInstance, ScheduledEffect, Subject
from engine.oversight import instance_admin
from engine.workflow import runtime, tasks
from tests.conftest import NOW, TZ, filled, own_subject, publish_document, user
from tests.workflows.test_chain_paths import actor_for, submitter
from tests.workflows.test_cycle import FORM_DATES, do, future_dues, open_tasks


def mine(session, username, doc_type="target", text="我的草稿"):
    """The author starts a document from 我的文档 and saves a draft with their own text."""
    author = user(session, username)
    task = documents.start_document(session, author, own_subject(session, username).id, doc_type, NOW)
    data = filled(session.get(Document, task.document_id).data, text)
    documents.save_draft(session, author, task.id, data, NOW)
    session.flush()
    return task


def start(session, subject, year=2026):
    instance = cycle.start_for_subject(session, subject, year, future_dues(), None, NOW)
    session.flush()
    return instance


def only_open(session, instance_id) -> HumanTask:
    tasks_ = open_tasks(session, instance_id)
    assert len(tasks_) == 1, [t.name for t in tasks_]
    return tasks_[0]


def assert_form_has_rows(session, task: HumanTask) -> None:
    """The step's form is never empty: its document has rows to fill in or review."""
    doc = session.get(Document, task.document_id)
    assert any(r.get("included", True) for r in doc.data["rows"]), (task.name, doc.doc_type)


def assert_taken_over(session, standalone_id, cycle_instance_id, cancelled_task_ids):
    standalone = session.get(ProcessInstance, standalone_id)
    assert (standalone.status, standalone.ended_at) == ("terminated", NOW)
    for tid in cancelled_task_ids:
        assert session.get(HumanTask, tid).state == "cancelled"
        pending = session.scalars(
            select(ScheduledEffect).where(
                ScheduledEffect.object_type == "human_task", ScheduledEffect.object_id == tid,
                ScheduledEffect.fired_at.is_(None),
            )
        ).all()  # fmt: skip
        assert pending == []  # no reminder for a task that is gone
    entry = session.scalar(
        select(AuditEntry).where(AuditEntry.action == "instance.take_over", AuditEntry.object_id == str(standalone_id))
    )
    assert entry.after["taken_over_by"] == cycle_instance_id and entry.after["cancelled_tasks"] == cancelled_task_ids


def test_a_draft_in_its_own_chain_at_the_author_step_is_continued_by_the_cycle(session):
    own = mine(session, "t01")
    subject = own_subject(session, "t01")
    instance = start(session, subject)

    assert_taken_over(session, own.instance_id, instance.id, [own.id])
    task = only_open(session, instance.id)
    assert (task.kind, task.document_id, task.step) == ("edit", own.document_id, 1)
    assert task.due_at == cycle.end_of_day(date.fromisoformat(FORM_DATES["target"]), TZ)  # the step's date
    doc = session.get(Document, own.document_id)
    assert doc.instance_id == instance.id and doc.status == "draft"
    assert doc.data["rows"][0]["cells"] and all(
        v.startswith("我的草稿") for r in doc.data["rows"] for v in r["cells"].values()
    )  # the author keeps their text
    inbox = tasks.list_tasks(session, user(session, "t01"), tab="mine").rows
    assert [r.id for r in inbox] == [task.id]  # one task for the document, the cycle's

    do(session, task)  # submit, then the college approves: published, and the cycle goes on to step 4
    do(session, only_open(session, instance.id))
    assert session.get(Document, own.document_id).status == "published"
    standard = only_open(session, instance.id)
    assert (standard.step, session.get(Document, standard.document_id).doc_type) == (4, "standard")
    assert_form_has_rows(session, standard)


def test_a_submission_under_review_in_its_own_chain_stays_with_its_reviewer(session):
    own = mine(session, "t01")
    author, reviewer = user(session, "t01"), user(session, "dzxy_reviewer")
    doc = session.get(Document, own.document_id)
    runtime.complete_task(session, author, own.id, {"document": doc.data}, NOW)
    review = session.scalar(
        select(HumanTask).where(HumanTask.instance_id == own.instance_id, HumanTask.state == "open")
    )
    runtime.claim_task(session, reviewer, review.id, NOW)
    session.flush()

    later = NOW + timedelta(days=2)
    instance = cycle.start_for_subject(session, own_subject(session, "t01"), 2026, future_dues(), None, later)
    session.flush()
    standalone = session.get(ProcessInstance, own.instance_id)
    assert standalone.status == "terminated" and session.get(HumanTask, review.id).state == "cancelled"
    task = only_open(session, instance.id)
    assert (task.bpmn_id, task.kind, task.step) == (review.bpmn_id, "review", 1)
    assert (task.claimant_id, task.due_at) == (reviewer.id, review.due_at)  # the claim and the due date stay
    assert session.get(Document, own.document_id).status == "in_review"
    assert tasks.list_tasks(session, author, tab="mine").rows == []  # nothing to resubmit

    runtime.complete_task(session, reviewer, task.id, {"decision": "approve", "comment": "同意"}, later)
    session.flush()
    assert session.get(Document, own.document_id).published_version == 1
    standard = only_open(session, instance.id)
    assert standard.step == 4
    assert_form_has_rows(session, standard)


def test_a_two_review_chain_continues_at_the_second_review_after_a_return(session):
    subject = session.scalar(select(Subject).where(Subject.type == "major", Subject.code == "510102"))
    leader = submitter(session, subject)
    own = documents.start_document(session, leader, subject.id, "target", NOW)
    doc = session.get(Document, own.document_id)
    runtime.complete_task(session, leader, own.id, {"document": filled(doc.data, "专业草稿")}, NOW)

    def waiting():
        return session.scalar(
            select(HumanTask).where(HumanTask.instance_id == own.instance_id, HumanTask.state == "open")
        )

    college = waiting()
    returned = {"decision": "return", "comment": "补充"}
    runtime.complete_task(session, actor_for(session, college), college.id, returned, NOW)
    again = waiting()
    revised = copy.deepcopy(doc.data)
    for row in revised["rows"]:
        row["cells"] = {k: f"修改后：{row['label']}" for k in row["cells"]}
    runtime.complete_task(session, leader, again.id, {"document": revised}, NOW)
    college = waiting()
    runtime.complete_task(session, actor_for(session, college), college.id, {"decision": "approve"}, NOW)
    jwc = waiting()
    assert jwc.name == "教务处审定"
    session.flush()

    instance = start(session, subject)
    task = only_open(session, instance.id)
    assert (task.name, task.bpmn_id, task.step, task.document_id) == ("教务处审定", jwc.bpmn_id, 1, doc.id)
    assert session.get(HumanTask, jwc.id).state == "cancelled"
    runtime.complete_task(session, actor_for(session, task), task.id, {"decision": "approve"}, NOW)
    session.flush()
    published = session.get(Document, doc.id)
    assert published.published_version == 1 and published.data["rows"][0]["cells"]
    assert all(v.startswith("修改后") for v in published.data["rows"][0]["cells"].values())
    assert only_open(session, instance.id).step == 4


def test_a_draft_left_without_a_chain_is_continued(session):
    own = mine(session, "t02")
    instance_admin.terminate(session, user(session, "admin"), own.instance_id, "误操作", NOW)
    doc = session.get(Document, own.document_id)
    assert (doc.instance_id, doc.status) == (None, "draft")

    instance = start(session, own_subject(session, "t02"))
    task = only_open(session, instance.id)
    assert (task.kind, task.document_id, task.step) == ("edit", doc.id, 1)
    assert session.get(Document, doc.id).data["rows"][0]["cells"]
    assert all(v.startswith("我的草稿") for v in doc.data["rows"][0]["cells"].values())


def test_published_steps_are_done_and_the_next_step_has_rows(session):
    publish_document(session, "t01", "target")
    subject = own_subject(session, "t01")
    instance = start(session, subject)
    task = only_open(session, instance.id)
    assert (task.step, session.get(Document, task.document_id).doc_type) == (4, "standard")
    assert_form_has_rows(session, task)
    assert task.due_at == cycle.end_of_day(date.fromisoformat(FORM_DATES["standard"]), TZ)

    publish_document(session, "t02", "target")
    publish_document(session, "t02", "standard")
    second = start(session, own_subject(session, "t02"))
    plan = only_open(session, second.id)
    assert (plan.step, session.get(Document, plan.document_id).doc_type) == (5, "plan")
    assert_form_has_rows(session, plan)


def test_a_standard_in_its_own_chain_is_taken_over_at_step_4(session):
    publish_document(session, "t03", "target")
    own = mine(session, "t03", "standard", "标准草稿")
    instance = start(session, own_subject(session, "t03"))
    assert_taken_over(session, own.instance_id, instance.id, [own.id])
    task = only_open(session, instance.id)
    assert (task.step, task.document_id) == (4, own.document_id)
    assert_form_has_rows(session, task)


def test_a_chain_started_while_the_cycle_is_at_step_1_is_taken_over_when_the_cycle_gets_there(session):
    subject = own_subject(session, "t04")
    instance = start(session, subject)
    own = mine(session, "t04", "standard", "提前写的标准")  # while the targets are still being written
    do(session, only_open(session, instance.id))
    do(session, only_open(session, instance.id))  # the college approves the targets
    assert_taken_over(session, own.instance_id, instance.id, [own.id])
    task = only_open(session, instance.id)
    assert (task.step, task.document_id) == (4, own.document_id)


def test_the_bulk_start_hands_drafts_to_the_one_by_one_path(session):
    own = mine(session, "t01")
    run = cycle.create_run(session, None, 2026, ["person"], future_dues(), NOW)
    cycle.process_run(session, run.id, NOW, batch=100)
    assert run.status == "finished" and run.done == 79 and run.skipped == []
    rows = session.scalars(select(HumanTask).where(HumanTask.state == "open", HumanTask.process_key == "cycle_person"))
    rows = list(rows)
    assert len(rows) == 79 and {r.step for r in rows} == {1}
    assert {r.due_at for r in rows} == {cycle.end_of_day(date.fromisoformat(FORM_DATES["target"]), TZ)}
    t01 = next(r for r in rows if r.subject_id == own_subject(session, "t01").id)
    assert t01.document_id == own.document_id
    assert session.get(ProcessInstance, own.instance_id).status == "terminated"


def test_a_target_still_in_last_years_cycle_keeps_this_years_cycle_from_starting(session):
    subject = own_subject(session, "t05")
    start(session, subject, 2026)  # its 2025-2027 targets are still being written in the 2026 cycle
    with pytest.raises(Conflict):
        start(session, subject, 2027)
    run = cycle.create_run(session, None, 2027, ["person"], future_dues(), NOW)
    cycle.process_run(session, run.id, NOW, batch=100)
    assert run.status == "finished" and [s["subject_id"] for s in run.skipped] == [subject.id]
    assert "2026" in run.skipped[0]["message"] % run.skipped[0]["params"]
