"""Overdue digests: one per department and one summary per 诊改办公室 monitor a day, whatever the number of
items and ticks; assignees still get their own notice; a table generated late floods nobody."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import func, select

from engine import scheduler
from engine.cycle import annual
from engine.documents import service as documents
from engine.models import AnnualTask, HumanTask, Notification, QualityWarning, ScheduledEffect, User
from engine.notify import digests
from engine.warnings import rules as warning_rules
from tests.conftest import NOW, SETTINGS, own_subject, user

ROW = {"category": "诊改运行", "cooperating": [], "note": ""}


def start(session, username, now=NOW) -> HumanTask:
    """The teacher's own target task (due 14 days after it starts)."""
    return documents.start_document(session, user(session, username), own_subject(session, username).id, "target", now)


def digest_rows(session, **where):
    stmt = select(User.username, Notification).join(User, User.id == Notification.user_id)
    stmt = stmt.where(Notification.kind == "digest")
    for k, v in where.items():
        stmt = stmt.where(getattr(Notification, k) == v)
    return sorted(session.execute(stmt).all(), key=lambda r: (r[0], r[1].id))


def test_the_digest_moment_and_day():
    assert digests.next_slot(datetime(2026, 11, 24, 23, 30, tzinfo=UTC), SETTINGS) == datetime(
        2026, 11, 25, 0, 0, tzinfo=UTC
    )
    at_eight = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
    assert digests.next_slot(at_eight, SETTINGS) == at_eight
    assert digests.day_of(at_eight - timedelta(seconds=1), SETTINGS).isoformat() == "2026-11-24"
    assert digests.day_of(at_eight, SETTINGS).isoformat() == "2026-11-25"


def test_one_digest_per_department_and_one_summary_per_monitor(session):
    tasks = [start(session, name) for name in ("t01", "t02", "t06")]  # two in 电子与物联网学院, one in 软件
    slot = digests.next_slot(tasks[0].due_at + SETTINGS.escalate_after, SETTINGS)
    scheduler.tick(session, slot - timedelta(minutes=1))  # the due moment has passed, the escalation waits
    assert not digest_rows(session) and "overdue" not in set(session.scalars(select(Notification.kind)))
    result = scheduler.tick(session, slot)
    assert result["sent"] == 3
    overdue = sorted(session.scalars(
        select(User.username).join(Notification, Notification.user_id == User.id).where(Notification.kind == "overdue")
    ))  # fmt: skip
    assert overdue == ["t01", "t02", "t06"]  # each author about their own task
    got = digest_rows(session)
    assert [u for u, _ in got] == ["admin", "dzxy_reviewer", "rjxy_reviewer", "xxh_admin", "zlc_admin"]
    dzxy = dict(got)["dzxy_reviewer"]
    assert dzxy.title == "【逾期汇总】电子与物联网学院：2项逾期"
    assert dzxy.link == "/monitor/tasks?" + urlencode({"department": "电子与物联网学院"})
    assert [i["href"] for i in dzxy.details["items"]] == [f"/tasks/{tasks[0].id}", f"/tasks/{tasks[1].id}"]
    assert "张伟" in dzxy.body and "王芳" in dzxy.body and "杨磊" not in dzxy.body
    office = dict(got)["zlc_admin"]
    assert office.title == "【逾期汇总】全校：3项逾期，涉及2个部门"
    assert office.body.splitlines() == ["电子与物联网学院：任务2项", "软件与信息技术学院：任务1项"]
    assert office.digest_key == f"{digests.day_of(slot, SETTINGS).isoformat()}:office"

    # more ticks the same day: nothing new, nothing twice
    for later in (slot + timedelta(minutes=1), slot + timedelta(hours=5)):
        assert scheduler.tick(session, later)["notifications"] == 0
    assert len(digest_rows(session)) == 5


def test_something_overdue_after_the_days_digest_waits_for_the_next_one(session):
    first = start(session, "t01")
    slot = digests.next_slot(first.due_at + SETTINGS.escalate_after, SETTINGS)
    scheduler.tick(session, slot)
    assert len(digest_rows(session, user_id=user(session, "dzxy_reviewer").id)) == 1
    # An annual-table row of 电子与物联网学院 generated late that day goes overdue at once - after the digest
    row = dict(ROW, no=1, task="学院诊改方案", responsible=["电子与物联网学院"], due_text="3月1日")
    table = {"years": {"2026": [row]}}
    noon = slot + timedelta(hours=4)
    annual.instantiate(session, 2026, None, noon, table)
    result = scheduler.tick(session, noon + timedelta(minutes=1))
    assert result == {"notifications": 0, "deferred": 1}
    pending = session.scalar(
        select(ScheduledEffect.fire_at).where(
            ScheduledEffect.object_type == "annual_task", ScheduledEffect.fired_at.is_(None)
        )
    )
    assert pending == slot + timedelta(days=1)  # tomorrow's digest moment
    assert scheduler.tick(session, slot + timedelta(hours=23))["notifications"] == 0
    scheduler.tick(session, slot + timedelta(days=1))
    head = [n for _, n in digest_rows(session, user_id=user(session, "dzxy_reviewer").id)]
    assert [n.digest_key.split(":", 1)[0] for n in head] == [
        digests.day_of(slot, SETTINGS).isoformat(), digests.day_of(slot + timedelta(days=1), SETTINGS).isoformat()
    ]  # fmt: skip
    assert "学院诊改方案" in head[1].body and head[1].link.startswith("/annual/2026?state=overdue&department=")
    per_day = Counter((n.user_id, n.digest_key) for _, n in digest_rows(session))
    assert set(per_day.values()) == {1}


def test_a_table_generated_late_is_marked_and_floods_nobody(session):
    rows = annual.instantiate(session, 2026, None, NOW)  # the 2017 table moved to 2026, generated in November
    late = [r for r in rows if r.late_at_generation]
    assert len(rows) == 100 and len(late) == 82
    assert all(annual.board_status(r, NOW.date()) == "overdue" for r in late)
    assert not any(r.late_at_generation for r in rows if r.due_date and r.due_date >= NOW.date())
    # no reminder and no "due" notice is planned for what is already late: only its overdue notice
    effects = session.execute(
        select(ScheduledEffect.effect, func.count())
        .where(ScheduledEffect.object_id.in_([r.id for r in late]), ScheduledEffect.object_type == "annual_task")
        .group_by(ScheduledEffect.effect)
    ).all()
    assert effects == [("overdue", 82)]

    scheduler.tick(session, NOW + timedelta(minutes=1))
    for day in range(1, 4):
        scheduler.tick(session, digests.next_slot(NOW, SETTINGS) + timedelta(days=day - 1))
    kinds = Counter(session.scalars(select(Notification.kind)))
    assert set(kinds) == {"digest"} and kinds["digest"] <= 5  # heads of the matched departments + 3 monitors
    summary = dict(digest_rows(session))["zlc_admin"]
    assert "82项逾期" in [n.title for _, n in digest_rows(session, user_id=summary.user_id)][-1]

    # their warnings start yellow: the 30 days count from the generation, not from the old due day
    warning_rules.evaluate(session, NOW + timedelta(hours=1))
    levels = Counter(session.scalars(select(QualityWarning.level)))
    assert levels["red"] == 0 and levels["yellow"] > 10
    assert {w.since_at for w in session.scalars(select(QualityWarning))} == {NOW}
    assert warning_rules.evaluate(session, NOW + timedelta(days=29)) == {}
    assert warning_rules.evaluate(session, NOW + timedelta(days=31))["escalated"] == levels["yellow"]


def test_a_row_generated_before_its_due_day_keeps_its_due_day(session):
    table = {"years": {"2026": [dict(ROW, no=1, category="工作标准制定", task="部门职责", responsible=["教务处"],
                                     due_text="12月20日")]}}  # fmt: skip
    annual.instantiate(session, 2026, None, NOW, table)
    row = session.scalar(select(AnnualTask).where(AnnualTask.year == 2026))
    assert row.generated_at == NOW and not row.late_at_generation
    warning_rules.evaluate(session, datetime(2026, 12, 21, 2, 0, tzinfo=UTC))
    w = session.scalar(select(QualityWarning))
    assert w.since_at == datetime(2026, 12, 20, 15, 59, 59, tzinfo=UTC)  # the due moment
