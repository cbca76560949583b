"""Warning rules with a fixed clock, idempotence, levels, the lifecycle and who sees what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import org
from engine.core.errors import Conflict, InvalidInput, NotFound
from engine.cycle import annual
from engine.models import (
    AnnualTask,
    AuditEntry,
    Document,
    DocumentVersion,
    Notification,
    OrgUnit,
    QualityWarning,
)
from engine.warnings import rules as warning_rules
from engine.warnings import service as warnings
from tests.conftest import NOW, SETTINGS, own_subject, user

TABLE = {
    "years": {
        "2017": [
            {"no": 1, "category": "工作标准制定", "task": "部门职责", "responsible": ["教务处"],
             "cooperating": [], "due_text": "12月20日", "note": ""},
            {"no": 2, "category": "工作标准制定", "task": "岗位标准", "responsible": ["职能部门", "二级学院"],
             "cooperating": [], "due_text": "12月20日", "note": ""},
            {"no": 3, "category": "基本标准制定", "task": "教师课时量基本标准", "responsible": ["人力资源处"],
             "cooperating": [], "due_text": "10月15日", "note": ""},
            {"no": 4, "category": "诊改运行", "task": "平台运行", "responsible": ["信息化处"],
             "cooperating": [], "due_text": "11月1日", "note": ""},
        ]
    }
}  # fmt: skip
# The table is generated before its first due day (a table generated late: tests/engine/test_annual_generation.py)
GENERATED = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
# 2026-12-20 is due at 23:59:59 in Shanghai, i.e. 15:59:59 UTC
BEFORE_DUE = datetime(2026, 12, 20, 15, 0, tzinfo=UTC)
AFTER_DUE = datetime(2026, 12, 21, 2, 0, tzinfo=UTC)


def unit_id(session, code: str) -> int:
    return session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))


def ps(session, username: str):
    u = user(session, username)
    return u, org.principals_of(session, u.id)


def of_kind(session, kind: str) -> list[QualityWarning]:
    return list(session.scalars(select(QualityWarning).where(QualityWarning.kind == kind).order_by(QualityWarning.id)))


def row(session, no: int) -> AnnualTask:
    return session.scalar(select(AnnualTask).where(AnnualTask.year == 2026, AnnualTask.no == no))


def audit_actions(session, warning_id: int) -> list[str]:
    return list(
        session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == "warning", AuditEntry.object_id == str(warning_id))
            .order_by(AuditEntry.id)
        )
    )


@pytest.fixture
def table(session):
    return annual.instantiate(session, 2026, None, GENERATED, TABLE)


def test_overdue_basic_standard_raises_for_the_responsible_department(session, table):
    assert warning_rules.evaluate(session, NOW) == {"raised": 1}
    (w,) = of_kind(session, "basic_standard_missing")
    assert w.org_unit_id == unit_id(session, "RSC") and w.source == "rule"
    assert w.title == "基本标准制定未落实：教师课时量基本标准"
    assert w.level == "red"  # 10月15日 is more than 30 days before NOW
    assert "第3项 教师课时量基本标准" in w.description
    assert of_kind(session, "work_standard_missing") == []  # 12月20日 is not due yet
    assert audit_actions(session, w.id) == ["warning.raise"]


def test_work_standard_warning_not_before_due_then_for_every_department(session, table):
    warning_rules.evaluate(session, BEFORE_DUE)
    assert of_kind(session, "work_standard_missing") == []
    warning_rules.evaluate(session, AFTER_DUE)
    raised = of_kind(session, "work_standard_missing")
    units = session.scalars(select(OrgUnit.id).where(OrgUnit.kind.in_(("functional", "college")))).all()
    assert sorted(w.org_unit_id for w in raised) == sorted(units)  # "职能部门、二级学院": each of them
    by_unit = {w.org_unit_id: w for w in raised}
    jwc = by_unit[unit_id(session, "JWC")]
    assert jwc.details["rows"] == [row(session, 1).id, row(session, 2).id]  # 教务处's two rows, one warning
    assert jwc.title == "工作标准制定未落实：部门职责等2项" and jwc.level == "yellow"
    assert by_unit[unit_id(session, "DZXY")].details["rows"] == [row(session, 2).id]
    assert of_kind(session, "below_basic_standard") == []
    assert not [w for w in session.scalars(select(QualityWarning)) if row(session, 4).id in w.details.get("rows", [])]
    # the department's head is told
    head = user(session, "dzxy_reviewer")
    note = session.scalar(select(Notification).where(Notification.user_id == head.id, Notification.kind == "warning"))
    assert note.title == "【黄色预警】工作标准制定未落实：岗位标准" and note.link.startswith("/warnings/")


def test_rules_are_idempotent(session, table):
    first = warning_rules.evaluate(session, AFTER_DUE)
    count = session.scalar(select(func.count()).select_from(QualityWarning))
    notes = session.scalar(select(func.count()).select_from(Notification))
    assert first["raised"] == count == 23  # 22 departments for 工作标准, 人力资源处 for 基本标准
    assert warning_rules.evaluate(session, AFTER_DUE) == {}
    assert warning_rules.evaluate(session, AFTER_DUE + timedelta(hours=1)) == {}
    assert session.scalar(select(func.count()).select_from(QualityWarning)) == count
    assert session.scalar(select(func.count()).select_from(Notification)) == notes


def test_a_yellow_rule_warning_turns_red_after_30_days(session, table):
    warning_rules.evaluate(session, AFTER_DUE)
    jwc = next(w for w in of_kind(session, "work_standard_missing") if w.org_unit_id == unit_id(session, "JWC"))
    assert warning_rules.evaluate(session, AFTER_DUE + timedelta(days=29)) == {}
    assert jwc.level == "yellow"
    assert warning_rules.evaluate(session, AFTER_DUE + timedelta(days=31))["escalated"] == 22
    assert jwc.level == "red" and jwc.notes[-1]["action"] == "escalate"
    assert audit_actions(session, jwc.id) == ["warning.raise", "warning.escalate"]
    assert warning_rules.evaluate(session, AFTER_DUE + timedelta(days=32)) == {}


def test_milestone_warnings_resolve_themselves_when_the_rows_are_done(session, table):
    warning_rules.evaluate(session, AFTER_DUE)
    jwc = next(w for w in of_kind(session, "work_standard_missing") if w.org_unit_id == unit_id(session, "JWC"))
    staff, staff_ps = ps(session, "jwc_staff")
    annual.mark_done(session, staff, staff_ps, row(session, 1).id, "已印发《部门职责》", AFTER_DUE)
    assert warning_rules.evaluate(session, AFTER_DUE + timedelta(hours=1)) == {}
    assert jwc.status == "raised"  # row 2 is still overdue
    office, office_ps = ps(session, "zlc_admin")
    annual.mark_done(session, office, office_ps, row(session, 2).id, "各部门岗位标准已汇编", AFTER_DUE)
    assert warning_rules.evaluate(session, AFTER_DUE + timedelta(hours=2)) == {"resolved": 22}
    assert jwc.status == "resolved" and jwc.resolved_by_id is None
    assert jwc.notes[-1]["action"] == "auto_resolve"
    assert "已印发《部门职责》" in jwc.notes[-1]["text"] and "各部门岗位标准已汇编" in jwc.notes[-1]["text"]
    entry = session.scalar(
        select(AuditEntry).where(AuditEntry.object_id == str(jwc.id), AuditEntry.action == "warning.resolve")
    )
    assert entry.actor_id is None and entry.after["auto"] is True
    assert warning_rules.evaluate(session, AFTER_DUE + timedelta(days=60)) == {}  # never raised again


def test_a_person_resolving_a_rule_warning_is_final(session, table):
    warning_rules.evaluate(session, NOW)
    (w,) = of_kind(session, "basic_standard_missing")
    head, head_ps = ps(session, "rsc_reviewer")
    warnings.resolve(session, head, head_ps, w.id, "该标准并入《教师负面清单》", NOW)
    assert warning_rules.evaluate(session, NOW + timedelta(days=20)) == {}  # still overdue, not raised again
    assert w.status == "resolved" and len(of_kind(session, "basic_standard_missing")) == 1


def test_lifecycle_with_notes_and_audit(session, table):
    warning_rules.evaluate(session, NOW)
    (w,) = of_kind(session, "basic_standard_missing")
    reviewer, reviewer_ps = ps(session, "rsc_reviewer")
    warnings.acknowledge(session, reviewer, reviewer_ps, w.id, "已安排起草", NOW + timedelta(hours=1))
    assert (w.status, w.acknowledged_by_id) == ("acknowledged", reviewer.id)
    with pytest.raises(Conflict):
        warnings.acknowledge(session, reviewer, reviewer_ps, w.id, "", NOW + timedelta(hours=2))
    with pytest.raises(InvalidInput) as bad:
        warnings.resolve(session, reviewer, reviewer_ps, w.id, "   ", NOW + timedelta(hours=2))
    assert bad.value.fields == {"note": ["请填写处理说明"]} and w.status == "acknowledged"
    warnings.add_note(session, reviewer, reviewer_ps, w.id, "初稿已提交党委会", NOW + timedelta(days=1))
    warnings.resolve(session, reviewer, reviewer_ps, w.id, "标准已印发", NOW + timedelta(days=2))
    assert (w.status, w.resolved_by_id, w.resolved_at) == ("resolved", reviewer.id, NOW + timedelta(days=2))
    assert [(n["action"], n["text"]) for n in w.notes] == [
        ("raise", ""), ("acknowledge", "已安排起草"), ("note", "初稿已提交党委会"), ("resolve", "标准已印发"),
    ]  # fmt: skip
    assert audit_actions(session, w.id) == ["warning.raise", "warning.acknowledge", "warning.note", "warning.resolve"]
    with pytest.raises(Conflict):
        warnings.resolve(session, reviewer, reviewer_ps, w.id, "again", NOW + timedelta(days=3))


def test_who_sees_and_acts(session, table):
    warning_rules.evaluate(session, AFTER_DUE)
    rsc = of_kind(session, "basic_standard_missing")[0]
    dzxy = next(w for w in of_kind(session, "work_standard_missing") if w.org_unit_id == unit_id(session, "DZXY"))
    teacher, teacher_ps = ps(session, "t01")  # a teacher of 电子与物联网学院
    mine = warnings.list_warnings(session, teacher, teacher_ps)
    assert [w.id for w in mine.rows] == [dzxy.id] and mine.total == 1
    with pytest.raises(NotFound):
        warnings.get_warning(session, teacher, teacher_ps, rsc.id)
    with pytest.raises(NotFound):
        warnings.get_warning(session, teacher, teacher_ps, "999999")
    with pytest.raises(NotFound):  # a teacher reads the college's warning but does not act on it
        warnings.acknowledge(session, teacher, teacher_ps, dzxy.id, "", AFTER_DUE)
    office, office_ps = ps(session, "dzxy_office")  # staff of the college act for it
    warnings.acknowledge(session, office, office_ps, dzxy.id, "", AFTER_DUE)
    zlc, zlc_ps = ps(session, "zlc_admin")
    assert warnings.list_warnings(session, zlc, zlc_ps).total == 23
    assert warnings.list_warnings(session, zlc, zlc_ps, kind="basic_standard_missing").total == 1
    assert warnings.list_warnings(session, zlc, zlc_ps, status="acknowledged").rows == [dzxy]
    student, student_ps = ps(session, "s01")
    assert warnings.list_warnings(session, student, student_ps).total == 0
    rows, total = warnings.inbox_panel(session, zlc, zlc_ps, limit=3)
    assert total == 23 and len(rows) == 3 and rows[0].level == "red"  # the most severe first


def test_manual_report_is_validated_and_changes_nothing_on_bad_input(session):
    teacher, teacher_ps = ps(session, "t01")
    before = session.scalar(select(func.count()).select_from(AuditEntry))
    with pytest.raises(InvalidInput) as bad:
        warnings.report(session, teacher, teacher_ps, {"kind": "quality_accident", "title": "x" * 101}, NOW)
    assert set(bad.value.fields) == {"kind", "level", "org_unit_id", "title", "description"}
    assert bad.value.fields["kind"] == ["请选择预警类型"]  # teachers report safety hazards, not accidents
    assert session.scalar(select(func.count()).select_from(QualityWarning)) == 0
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == before
    w = warnings.report(
        session, teacher, teacher_ps,
        {"kind": "safety_hazard", "level": "yellow", "org_unit_id": str(unit_id(session, "DZXY")),
         "title": "实训室配电箱未上锁", "description": "物联网实训室 A302 配电箱门未上锁"}, NOW,
    )  # fmt: skip
    assert (w.kind, w.level, w.source, w.reporter_id, w.status) == (
        "safety_hazard",
        "yellow",
        "manual",
        teacher.id,
        "raised",
    )
    assert audit_actions(session, w.id) == ["warning.raise"]
    guard = user(session, "dzxy_reviewer")
    assert session.scalar(select(func.count()).where(Notification.user_id == guard.id, Notification.kind == "warning"))
    warning_rules.evaluate(session, NOW + timedelta(days=90))
    assert w.level == "yellow"  # a manual report keeps the level its reporter chose
    student, student_ps = ps(session, "s01")
    with pytest.raises(NotFound):
        warnings.report(session, student, student_ps, {}, NOW)
    jwc, jwc_ps = ps(session, "jwc_staff")
    assert warnings.reportable_kinds(jwc, jwc_ps) == ["quality_accident", "safety_hazard"]


def review_document(session, username: str, opinions: list[str], published_at: datetime) -> Document:
    subject = own_subject(session, username)
    rows = [{"id": f"r{i}", "section": "s", "label": f"项目{i}", "included": True,
             "cells": {"self_conclusion": "", "opinion": text}} for i, text in enumerate(opinions, 1)]  # fmt: skip
    data = {"header": {}, "rows": rows, "sections": []}
    doc = Document(subject_id=subject.id, doc_type="school_review", period="2026", title="学校复核诊断（2026）",
                   template_key="teacher_school_review", template_version=1, status="published", data=data,
                   published_version=1, created_at=published_at, updated_at=published_at)  # fmt: skip
    session.add(doc)
    session.flush()
    session.add(DocumentVersion(document_id=doc.id, version=1, data=data, template_key=doc.template_key,
                                template_version=1, published_at=published_at))  # fmt: skip
    session.flush()
    return doc


def test_a_reviews_free_text_raises_no_warning_any_more(session):
    """未达到基本标准 comes from a structured 规定性诊断 (tests/web/test_prescriptive.py), not from the words of a
    review's opinion: the rule that read them is gone."""
    review_document(session, "t01", ["教学工作量未达到学校基本标准", "科研不达标"], NOW)
    assert warning_rules.evaluate(session, NOW + timedelta(hours=1)) == {}
    assert of_kind(session, "below_basic_standard") == []


def test_scheduler_tick_runs_the_rules_in_its_transaction(connection, session, table):
    from engine.scheduler import run_tick

    def factory():
        return Session(
            bind=connection,
            join_transaction_mode="create_savepoint",
            expire_on_commit=False,
            info=SETTINGS.session_info(),
        )

    result = run_tick(factory, "test:1", lambda: AFTER_DUE)
    assert result["warnings"] == {"raised": 23}
    assert session.scalar(select(func.count()).select_from(QualityWarning)) == 23
    assert run_tick(factory, "test:1", lambda: AFTER_DUE + timedelta(minutes=1))["warnings"] == {}
