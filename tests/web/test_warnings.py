"""Warning pages: the list and its filters, permissions (404), the report form, the lifecycle, the inbox."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from engine.models import AuditEntry, OrgUnit, QualityWarning
from engine.warnings import rules as warning_rules
from tests.engine.test_warnings import AFTER_DUE


def test_department_members_see_their_own_only(login_as, session, raised):
    dzxy, rsc = raised["DZXY"]["work_standard_missing"], raised["RSC"]["basic_standard_missing"]
    teacher = login_as("t01")
    page = teacher.get("/warnings").get_data(as_text=True)
    assert f'data-warning-id="{dzxy.id}"' in page and 'data-warning-id="' + str(rsc.id) + '"' not in page
    assert page.count("data-warning-id=") == 1
    assert teacher.get(f"/warnings/{dzxy.id}").status_code == 200
    assert teacher.get(f"/warnings/{rsc.id}").status_code == 404  # another department's warning
    assert teacher.get("/warnings/999999").status_code == 404
    assert teacher.get("/warnings/abc").status_code == 404
    assert teacher.post(f"/warnings/{rsc.id}/acknowledge", data={"note": ""}).status_code == 404
    session.refresh(rsc)
    assert rsc.status == "raised"


def test_quality_office_sees_all_and_filters(login_as, raised):
    office = login_as("zlc_admin")
    page = office.get("/warnings").get_data(as_text=True)
    assert page.count("data-warning-id=") == 23 and "全校" in page
    red = office.get("/warnings?level=red").get_data(as_text=True)
    assert red.count("data-warning-id=") == 1 and "教师课时量基本标准" in red
    rsc_unit = raised["RSC"]["basic_standard_missing"].org_unit_id
    by_unit = office.get(f"/warnings?unit={rsc_unit}").get_data(as_text=True)
    assert by_unit.count("data-warning-id=") == 2  # its basic standard and its share of 工作标准
    assert office.get("/warnings?kind=safety_hazard").get_data(as_text=True).count("data-warning-id=") == 0
    assert office.get("/warnings?status=resolved").get_data(as_text=True).count("data-warning-id=") == 0
    assert office.get(f"/warnings/{raised['DZXY']['work_standard_missing'].id}").status_code == 200


def test_inbox_shows_the_users_open_warnings(login_as, raised):
    inbox = login_as("rsc_reviewer").get("/tasks").get_data(as_text=True)
    assert 'data-testid="inbox-warnings"' in inbox and "基本标准制定未落实：教师课时量基本标准" in inbox
    assert 'data-testid="inbox-warning-count">2<' in inbox
    student = login_as("s01").get("/tasks").get_data(as_text=True)
    assert 'data-testid="inbox-warnings"' not in student


def test_lifecycle_through_the_pages(login_as, session, raised):
    w = raised["RSC"]["basic_standard_missing"]
    head = login_as("rsc_reviewer")
    page = head.get(f"/warnings/{w.id}").get_data(as_text=True)
    assert 'data-testid="acknowledge"' in page and 'data-testid="resolve"' in page
    assert head.post(f"/warnings/{w.id}/acknowledge", data={"note": "已安排起草"}).status_code == 302
    session.refresh(w)
    assert w.status == "acknowledged"
    bad = head.post(f"/warnings/{w.id}/resolve", data={"note": "  "})
    assert bad.status_code == 400 and "请填写处理说明" in bad.get_data(as_text=True)
    session.refresh(w)
    assert w.status == "acknowledged"
    assert head.post(f"/warnings/{w.id}/resolve", data={"note": "标准已印发"}).status_code == 302
    shown = head.get(f"/warnings/{w.id}").get_data(as_text=True)
    session.refresh(w)
    assert w.status == "resolved" and 'data-status="resolved"' in shown and 'data-testid="resolve"' not in shown
    assert "已安排起草" in shown and "标准已印发" in shown and shown.count('<li class="list-group-item small"') == 3
    actions = session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.object_type == "warning", AuditEntry.object_id == str(w.id))
        .order_by(AuditEntry.id)  # PostgreSQL returns rows in no fixed order without it
    ).all()
    assert actions == ["warning.raise", "warning.acknowledge", "warning.resolve"]
    assert head.post(f"/warnings/{w.id}/resolve", data={"note": "again"}).status_code == 409
    teacher_reads = login_as("t01").get(f"/warnings/{raised['DZXY']['work_standard_missing'].id}")
    assert 'data-testid="warning-actions"' not in teacher_reads.get_data(as_text=True)


def test_report_form_validates_in_chinese_and_creates_nothing_on_bad_input(login_as, session):
    teacher = login_as("t01")
    form = teacher.get("/warnings/new").get_data(as_text=True)
    assert 'value="safety_hazard"' in form and 'value="quality_accident"' not in form  # table 39's providers
    bad = teacher.post(
        "/warnings/new", data={"kind": "safety_hazard", "level": "purple", "title": "", "description": "x"}
    )
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "请选择预警等级" in body and "请选择责任部门" in body and "请填写事项" in body
    assert 'value="x"' not in body and ">x</textarea>" in body  # what was typed is kept
    assert session.scalar(select(func.count()).select_from(QualityWarning)) == 0
    dzxy = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "DZXY"))
    fields = {"kind": "safety_hazard", "level": "red", "org_unit_id": dzxy, "title": "实训室配电箱未上锁",
              "description": "A302 配电箱门未上锁"}  # fmt: skip
    ok = teacher.post("/warnings/new", data=fields)
    assert ok.status_code == 302
    w = session.scalar(select(QualityWarning))
    assert ok.headers["Location"].endswith(f"/warnings/{w.id}")
    assert (w.kind, w.level, w.org_unit_id, w.source) == ("safety_hazard", "red", dzxy, "manual")
    head_inbox = login_as("dzxy_reviewer").get("/tasks").get_data(as_text=True)
    assert "实训室配电箱未上锁" in head_inbox
    assert "实训室配电箱未上锁" not in login_as("t06").get("/warnings").get_data(as_text=True)
    assert "实训室配电箱未上锁" in login_as("zlc_admin").get("/warnings").get_data(as_text=True)


def test_students_cannot_report(login_as):
    student = login_as("s01")
    assert student.get("/warnings/new").status_code == 404
    assert student.post("/warnings/new", data={"kind": "safety_hazard"}).status_code == 404


def test_a_later_escalation_shows_on_the_page(login_as, session, raised, clock):
    w = raised["JWC"]["work_standard_missing"]
    warning_rules.evaluate(session, AFTER_DUE + timedelta(days=31))
    session.flush()
    page = login_as("jwc_staff").get(f"/warnings/{w.id}").get_data(as_text=True)
    assert 'data-level="red"' in page and "升级为红色" in page


def test_a_counselor_acts_on_the_warnings_of_their_unit_and_a_teacher_only_reads_them(login_as, session, raised):
    w = raised["DZXY"]["work_standard_missing"]
    counselor = login_as("c01")  # 辅导员 of the college (kind counselor): administrative staff
    assert 'data-testid="acknowledge"' in counselor.get(f"/warnings/{w.id}").get_data(as_text=True)
    assert counselor.post(f"/warnings/{w.id}/acknowledge", data={"note": "已通知教研室"}).status_code == 302
    session.refresh(w)
    assert w.status == "acknowledged"
    teacher = login_as("t01")
    assert teacher.post(f"/warnings/{w.id}/resolve", data={"note": "已处理"}).status_code == 404
    session.refresh(w)
    assert w.status == "acknowledged"
