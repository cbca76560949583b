"""The demo school's year (engine/demo/year.py) holds what a newcomer is promised, made by the services."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import install
from engine.core.db import make_engine
from engine.cycle import annual
from engine.demo.script import RETURN_PLAN_T06, RETURN_TARGET_T01
from engine.models import (
    Attachment,
    AuditEntry,
    CycleInstance,
    Document,
    DocumentShare,
    HumanTask,
    Notification,
    ProcessDefinition,
    ProcessInstance,
    ProcessVersion,
    QualityWarning,
    Subject,
    TaskCandidate,
)
from tests.conftest import NOW, SETTINGS, fresh_database, user

SCHOOL = ZoneInfo("Asia/Shanghai")


def open_tasks(session, **where):
    stmt = select(HumanTask).where(HumanTask.state == "open")
    for key, value in where.items():
        stmt = stmt.where(getattr(HumanTask, key) == value)
    return session.scalars(stmt.order_by(HumanTask.id)).all()


def test_every_subject_runs_the_year_and_chain_steps_are_40_10_and_2_days_late(demo_year_session):
    s = demo_year_session
    # every subject of the cycle: a basic standard is the subject of its own document, not of the cycle
    subjects = s.scalar(select(func.count()).select_from(Subject).where(Subject.type != "basic_standard"))
    assert s.scalar(select(func.count()).select_from(CycleInstance).where(CycleInstance.year == 2026)) == subjects
    late, today = defaultdict(set), NOW.astimezone(SCHOOL).date()
    for ht, doc_type in s.execute(
        select(HumanTask, Document.doc_type)
        .join(Document, Document.id == HumanTask.document_id)
        .where(HumanTask.state == "open", HumanTask.kind == "edit", HumanTask.process_key.like("cycle_%"))
    ):
        if ht.due_at < NOW:  # calendar days late, in the school's time zone (as the pages count them)
            late[doc_type].add((today - ht.due_at.astimezone(SCHOOL).date()).days)
    assert 40 in late["target"] and 10 in late["standard"] and 2 in late["plan"]


def test_subjects_stand_at_every_later_step_at_several_levels(demo_year_session):
    levels_at = defaultdict(set)
    for ht in open_tasks(demo_year_session):
        levels_at[ht.bpmn_id].add(ht.process_key)
    for step in ("task_implementation", "task_diagnosis", "task_report", "task_school_review", "task_feedback"):
        assert step in levels_at, step
    assert levels_at["task_quality_report"] == {"cycle_unit"}  # colleges only
    assert len(set().union(*(levels_at[k] for k in levels_at if k.startswith("task_")))) == 4
    assert {"edit_document", "review_college", "approve_academic", "approve_counselor"} <= set(levels_at)


def test_reviews_wait_claimed_by_one_reviewer_and_in_the_group(demo_year_session):
    s = demo_year_session
    zhao = user(s, "dzxy_reviewer")
    reviews = open_tasks(s, bpmn_id="review_college", process_key="cycle_person")
    dzxy = [t for t in reviews if t.candidates_label and t.candidates_label.startswith("电子与物联网学院")]
    assert any(t.claimant_id == zhao.id for t in dzxy)
    waiting = [t for t in dzxy if t.claimant_id is None]
    assert waiting
    group = s.scalars(select(TaskCandidate.principal).where(TaskCandidate.task_id == waiting[0].id)).all()
    assert group and all(p.startswith("g:reviewer:unit:") for p in group)


def test_a_plan_and_a_target_were_returned_with_the_reviewers_comment(demo_year_session):
    s = demo_year_session
    for username, doc_type, comment in (("t06", "plan", RETURN_PLAN_T06), ("t01", "target", RETURN_TARGET_T01)):
        subject = s.scalar(select(Subject).where(Subject.code == username))
        doc = s.scalar(select(Document).where(Document.subject_id == subject.id, Document.doc_type == doc_type))
        assert doc.status == "returned"
        (task,) = open_tasks(s, document_id=doc.id)
        assert task.kind == "edit" and task.return_comment == comment  # the author's next step, with the comment


def test_one_instance_is_suspended_and_one_errored_on_a_rolled_back_version(demo_year_session):
    s = demo_year_session
    suspended = s.scalars(select(ProcessInstance).where(ProcessInstance.status == "suspended")).all()
    errored = s.scalars(select(ProcessInstance).where(ProcessInstance.status == "error")).all()
    assert len(suspended) == 1 and len(errored) == 1
    note = s.scalar(select(AuditEntry.note).where(AuditEntry.action == "instance.suspend"))
    assert "休学" in note
    broken = errored[0]
    assert "出错" in broken.incident
    assert broken.version.version == 2
    chain = s.scalar(select(ProcessDefinition).where(ProcessDefinition.key == "chain_teacher"))
    latest = s.get(ProcessVersion, chain.latest_version_id)
    assert latest.version == 3 and latest.checksum != broken.version.checksum
    detail = s.scalar(select(AuditEntry.after).where(AuditEntry.action == "instance.error"))["detail"]
    assert "score" in detail


def test_warnings_of_every_kind_raised_acknowledged_and_resolved(demo_year_session):
    rows = demo_year_session.scalars(select(QualityWarning)).all()
    assert {w.kind for w in rows} == {
        "work_standard_missing", "basic_standard_missing", "quality_accident", "below_basic_standard",
        "safety_hazard",
    }  # fmt: skip
    assert {w.status for w in rows} == {"raised", "acknowledged", "resolved"}
    resolved = [w for w in rows if w.status == "resolved"]
    assert any(w.source == "rule" and w.notes[-1]["action"] == "auto_resolve" for w in resolved)
    assert any(w.source == "manual" and w.resolved_by_id for w in resolved)
    assert any(w.source == "manual" and w.status == "raised" for w in rows)


def test_the_annual_table_has_done_due_soon_and_overdue_rows(demo_year_session):
    rows = annual.rows_of(demo_year_session, 2026)
    status = annual.board(rows, NOW.astimezone(SCHOOL).date())["totals"]
    assert status["done"] and status["due_soon"] and status["overdue"] and status["not_due"]
    assert all(r.evidence and r.done_by_id for r in rows if r.status == "done")


def test_reminders_and_overdue_notices_some_read_some_not(demo_year_session):
    s = demo_year_session
    kinds = set(s.scalars(select(Notification.kind)))
    assert {"task", "returned", "published", "remind", "due", "overdue", "digest", "warning"} <= kinds
    for username in ("t01", "zlc_admin"):
        uid = user(s, username).id
        read = {n.read_at is not None for n in s.scalars(select(Notification).where(Notification.user_id == uid))}
        assert read == {True, False}, username


def test_administrators_intervened_and_people_shared_and_attached(demo_year_session):
    s = demo_year_session
    actions = set(s.scalars(select(AuditEntry.action)))
    expected = {"task.remind", "task.reassign", "task.extend", "task.claim", "document.share", "attachment.upload",
                "process.deploy", "process.rollback", "annual.done", "warning.acknowledge", "cycle.start"}  # fmt: skip
    assert expected <= actions
    assert s.scalar(select(func.count()).select_from(DocumentShare)) == 1
    assert s.scalar(select(func.count()).select_from(Attachment)) == 2


@pytest.mark.slow
def test_the_year_loads_on_any_date(tmp_path):
    """`zhengai init` runs on whatever day it is: here early in a year, a new target period, before 08:00."""
    other = datetime(2028, 1, 10, 23, 30, tzinfo=UTC)
    url = fresh_database(tmp_path, "demo_year_other_date")
    install.install_database(url, other, SETTINGS, demo_year=True)
    eng = make_engine(url)
    with Session(eng, info=SETTINGS.session_info()) as s:
        statuses = set(s.scalars(select(ProcessInstance.status)))
        year = s.scalar(select(func.count()).select_from(CycleInstance).where(CycleInstance.year == 2028))
    eng.dispose()
    assert {"running", "suspended", "error"} <= statuses
    assert year == 100  # 教师 level: 10 teachers, 2 辅导员 and 27 职员 (the seed's 教师（辅导员、职员）)


@pytest.mark.slow
def test_the_year_loads_in_another_school(tmp_path):
    """A school in New York whose target periods count from 2017: the demo's documents, cycle and days are its."""
    from engine.core.settings import Settings
    from engine.models import Document

    ny = Settings(timezone=ZoneInfo("America/New_York"), cycle_base_year=2017)
    eve = datetime(2026, 12, 31, 19, 0, tzinfo=UTC)  # New Year's Eve in New York, 1 January 2027 in Shanghai
    url = fresh_database(tmp_path, "demo_year_new_york")
    install.install_database(url, eve, ny, demo_year=True)
    eng = make_engine(url)
    with Session(eng, info=ny.session_info()) as s:
        years = set(s.scalars(select(CycleInstance.year)))
        targets = set(s.scalars(select(Document.period).where(Document.doc_type == "target")))
        standards = set(s.scalars(select(Document.period).where(Document.doc_type == "standard")))
    eng.dispose()
    assert years == {2026}  # the school's year (Shanghai's would be 2027)
    assert targets == {"2026-2028"} and standards <= {"2026"}  # base 2016 would make 2025-2027
