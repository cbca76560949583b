"""The annual task table: instantiate a year, flag impossible dates, milestones to the right people."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import org, scheduler
from engine.core.errors import Conflict, InvalidInput, NotFound
from engine.cycle import annual
from engine.models import AnnualTask, Notification, OrgUnit, RoleAssignment, User
from tests.conftest import NOW, TZ, user

TABLE = {
    "years": {
        "2017": [
            {"no": 1, "category": "工作标准制定", "task": "制定部门职责", "responsible": ["教务处"],
             "cooperating": ["二级学院"], "due_text": "12月20日", "note": ""},
            {"no": 2, "category": "基本标准制定", "task": "教职工安全标准", "responsible": ["保卫处"],
             "cooperating": [], "due_text": "2月31日", "note": ""},
            {"no": 3, "category": "诊改运行", "task": "专业诊改", "responsible": ["教务处", "二级学院"],
             "cooperating": [], "due_text": "2017年上期", "note": "按 10 个流程执行"},
            {"no": 4, "category": "诊改运行", "task": "平台运行", "responsible": ["信息化处"],
             "cooperating": [], "due_text": "全年常态运行", "note": ""},
            {"no": 5, "category": "诊改运行", "task": "年度质量报告", "responsible": ["质量管理处"],
             "cooperating": [], "due_text": "2018年2月28日", "note": ""},
        ]
    }
}  # fmt: skip


def test_a_new_year_is_made_from_the_2017_table(session):
    rows = annual.instantiate(session, 2026, None, NOW, TABLE)
    by_no = {r.no: r for r in rows}
    assert by_no[1].due_date.isoformat() == "2026-12-20" and by_no[1].due_kind == "date"
    assert by_no[2].due_date is None and "2月31日" in by_no[2].problem  # flagged, nothing crashes
    assert by_no[3].due_text == "2026年上期" and by_no[3].due_date.isoformat() == "2026-06-30"
    assert by_no[4].due_kind == "ongoing" and by_no[4].problem is None
    assert by_no[5].due_text == "2027年2月28日"  # explicit years move with the table
    jwc = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "JWC"))
    assert by_no[1].responsible_unit_ids == [jwc]
    with pytest.raises(Conflict):
        annual.instantiate(session, 2026, None, NOW, TABLE)
    with pytest.raises(NotFound):
        annual.instantiate(session, 2030, None, NOW, {"years": {}})


def test_milestone_reminders_and_escalation(session):
    annual.instantiate(session, 2026, None, NOW, TABLE)
    row = session.scalar(select(AnnualTask).where(AnnualTask.year == 2026, AnnualTask.no == 1))
    due = annual.due_at(annual.parse_due(row.due_text, 2026), TZ)
    scheduler.tick(session, due - timedelta(days=7) + timedelta(minutes=1))
    mine = Notification.title.contains("制定部门职责")
    heads = sorted(
        session.scalars(select(User.username).join(Notification, Notification.user_id == User.id).where(mine))
    )
    assert heads == []  # 教务处 has no head in the demo: nobody to remind yet
    session.add(RoleAssignment(user_id=user(session, "jwc_reviewer").id, role="head", scope_type="unit",
                                          scope_id=row.responsible_unit_ids[0]))  # fmt: skip
    session.flush()
    scheduler.tick(session, due - timedelta(days=1) + timedelta(minutes=1))
    got = session.execute(
        select(User.username, Notification.kind).join(User, User.id == Notification.user_id).where(mine)
    ).all()
    assert got == [("jwc_reviewer", "remind")]
    scheduler.tick(session, due + timedelta(days=2))
    digest = session.execute(
        select(User.username, Notification.title, Notification.body, Notification.link)
        .join(User, User.id == Notification.user_id)
        .where(Notification.kind == "digest", Notification.created_at == due + timedelta(days=2))
        .order_by(User.username)
    ).all()
    # 教务处's head hears of it in the department's digest, 诊改办公室 in the day's summary; nobody one by one
    assert [u for u, *_ in digest] == ["admin", "jwc_reviewer", "xxh_admin", "zlc_admin"]
    head = digest[1]
    assert "教务处" in head.title and "制定部门职责" in head.body
    assert head.link == "/annual/2026?state=overdue&department=%E6%95%99%E5%8A%A1%E5%A4%84"
    assert "教务处：年度任务1项" in digest[0].body
    assert not session.scalar(select(Notification.id).where(Notification.kind.in_(("overdue", "escalation"))))


def test_done_rows_are_not_reminded_and_need_evidence(session):
    annual.instantiate(session, 2026, None, NOW, TABLE)
    row = session.scalar(select(AnnualTask).where(AnnualTask.year == 2026, AnnualTask.no == 1))
    staff, outsider = user(session, "jwc_staff"), user(session, "t01")
    with pytest.raises(NotFound):
        annual.mark_done(session, outsider, org.principals_of(session, outsider.id), row.id, "done", NOW)
    with pytest.raises(InvalidInput):
        annual.mark_done(session, staff, org.principals_of(session, staff.id), row.id, "  ", NOW)
    annual.mark_done(session, staff, org.principals_of(session, staff.id), row.id, "已印发《部门职责》", NOW)
    assert scheduler.tick(session, NOW + timedelta(days=400))["notifications"] >= 0
    assert not session.scalars(select(Notification).where(Notification.title.contains("制定部门职责"))).all()


def test_admin_corrects_an_impossible_date(session):
    annual.instantiate(session, 2026, None, NOW, TABLE)
    row = session.scalar(select(AnnualTask).where(AnnualTask.year == 2026, AnnualTask.no == 2))
    admin = user(session, "zlc_admin")
    ps = org.principals_of(session, admin.id)
    with pytest.raises(NotFound):
        teacher = user(session, "t01")
        annual.update_row(session, teacher, org.principals_of(session, teacher.id), row.id, {}, NOW)
    annual.update_row(session, admin, ps, row.id, {"due_text": "2月28日", "responsible": "保卫处", "note": "改期"}, NOW)
    assert row.problem is None and row.due_date.isoformat() == "2026-02-28"
    assert annual.board_status(row, NOW.date()) == "overdue"
