"""Reminders, due moments and escalations fired by the scheduler, with a clock passed in."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import scheduler
from engine.core.db import make_engine
from engine.documents import service as documents
from engine.models import Document, HumanTask, Notification, ScheduledEffect, User
from engine.notify import digests
from engine.workflow import runtime
from tests.conftest import NOW, SETTINGS, TZ, filled, fresh_database, own_subject, seed, user


def submit_target(session, username="t01"):
    teacher = user(session, username)
    task = documents.start_document(session, teacher, own_subject(session, username).id, "target", NOW)
    doc = session.get(Document, task.document_id)
    runtime.complete_task(session, teacher, task.id, {"document": filled(doc.data)}, NOW)
    session.flush()
    return session.scalar(select(HumanTask).where(HumanTask.instance_id == task.instance_id, HumanTask.state == "open"))


def notes(session, **where):
    stmt = select(User.username, Notification.kind, Notification.title).join(User, User.id == Notification.user_id)
    for k, v in where.items():
        stmt = stmt.where(getattr(Notification, k) == v)
    return sorted(session.execute(stmt).all())


def test_reminder_then_escalation_to_the_right_people(session):
    review = submit_target(session)  # due in 7 days
    assert review.due_at == NOW + timedelta(days=7)
    # nothing is due yet
    assert scheduler.tick(session, NOW + timedelta(hours=1)) == {"notifications": 0}

    one_day_before = review.due_at - timedelta(days=1) + timedelta(minutes=1)
    result = scheduler.tick(session, one_day_before)
    assert result["sent"] == 1
    got = notes(session, kind="remind")
    assert [u for u, _, _ in got] == ["dzxy_reviewer", "dzxy_reviewer2"]
    assert "1天后到期" in got[0][2] and "二级学院审定" in got[0][2]
    # the same tick again fires nothing
    assert scheduler.tick(session, one_day_before)["notifications"] == 0

    at_due = review.due_at + timedelta(minutes=1)
    scheduler.tick(session, at_due)
    assert [u for u, k, _ in notes(session, kind="due")] == ["dzxy_reviewer", "dzxy_reviewer2"]

    # a day later the escalation waits for the day's digest moment (08:00 school time)
    assert scheduler.tick(session, review.due_at + timedelta(days=1, minutes=1))["notifications"] == 0
    slot = digests.next_slot(review.due_at + timedelta(days=1), SETTINGS)
    assert slot.astimezone(TZ).hour == 8
    scheduler.tick(session, slot)
    overdue = [u for u, _, _ in notes(session, kind="overdue")]
    assert overdue == ["dzxy_reviewer", "dzxy_reviewer2"]
    summary = notes(session, kind="digest")
    # 诊改办公室 (monitors) get the day's summary; the college head is already an assignee and is not told twice
    assert [u for u, _, _ in summary] == ["admin", "xxh_admin", "zlc_admin"]
    assert all("逾期汇总" in t for _, _, t in summary)


def test_catch_up_after_downtime_sends_one_notice(session):
    submit_target(session)
    three_days_late = NOW + timedelta(days=10)
    result = scheduler.tick(session, three_days_late)
    assert result["sent"] == 1 and result["superseded"] == 3  # its reminders (remind="P2D,P1D") and the due moment
    kinds = [k for _, k, _ in notes(session)]
    assert kinds.count("overdue") == 2 and "remind" not in kinds and "due" not in kinds
    assert scheduler.tick(session, three_days_late + timedelta(hours=1))["notifications"] == 0


def test_done_work_is_not_reminded(session):
    review = submit_target(session)
    runtime.complete_task(session, user(session, "dzxy_reviewer"), review.id, {"decision": "approve"}, NOW)
    result = scheduler.tick(session, NOW + timedelta(days=30))
    assert result == {"notifications": 0}
    pending = session.scalar(
        select(func.count()).select_from(ScheduledEffect).where(ScheduledEffect.fired_at.is_(None))
    )
    assert pending == 0


def test_lease_lets_one_scheduler_run(session):
    assert scheduler.acquire_lease(session, "host-a:1", NOW)
    assert not scheduler.acquire_lease(session, "host-b:2", NOW + timedelta(seconds=30))
    assert scheduler.acquire_lease(session, "host-a:1", NOW + timedelta(seconds=30))  # renewal
    assert scheduler.acquire_lease(session, "host-b:2", NOW + timedelta(minutes=5))  # a dead holder expires


@pytest.mark.slow
def test_two_scheduler_processes_do_not_double_fire(tmp_path_factory):
    from engine.scheduler import run_tick

    url = fresh_database(tmp_path_factory.mktemp("sched"), "sched")
    seed(url)
    eng = make_engine(url)
    factory = lambda: Session(eng, expire_on_commit=False, info=SETTINGS.session_info())  # noqa: E731
    with factory() as s:
        for name in ("t01", "t02", "t03"):
            submit_target(s, name)
        s.commit()
    later = NOW + timedelta(days=10)
    barrier = threading.Barrier(2)
    results = {}

    def process(name):
        barrier.wait()
        results[name] = run_tick(factory, name, lambda: later)

    threads = [threading.Thread(target=process, args=(n,)) for n in ("a:1", "b:2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    ran = [r for r in results.values() if r is not None]
    assert len(ran) == 1 and ran[0]["sent"] == 3
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Notification).where(Notification.kind == "overdue")) == 6
        # the second process, once the first is gone, finds nothing left to fire
        scheduler.release_lease(s, next(n for n, r in results.items() if r is not None))
        s.commit()
    loser = next(n for n, r in results.items() if r is None)
    assert run_tick(factory, loser, lambda: later + timedelta(minutes=1))["notifications"] == 0
    eng.dispose()


def test_an_errored_instance_is_not_reminded_until_it_runs_again(session):
    """Nobody can act on the task of an errored instance: its reminders wait, and fire once it runs again."""
    from engine.models import ProcessInstance

    review = submit_target(session)
    instance = session.get(ProcessInstance, review.instance_id)
    instance.status = "error"  # a step failed (engine/oversight/problems.py); the task stays open but blocked
    at_due = review.due_at + timedelta(minutes=1)
    result = scheduler.tick(session, at_due)
    assert result.get("deferred") == 1 and notes(session, kind="due") == []
    pending = session.scalar(
        select(ScheduledEffect).where(ScheduledEffect.object_id == review.id, ScheduledEffect.fired_at.is_(None))
        .order_by(ScheduledEffect.fire_at).limit(1)
    )  # fmt: skip
    assert pending.fire_at == digests.next_slot(at_due, SETTINGS)
    instance.status = "running"  # retried by an administrator
    scheduler.tick(session, pending.fire_at)
    assert [u for u, _, _ in notes(session, kind="due")] == ["dzxy_reviewer", "dzxy_reviewer2"]


def pending_reminders(session, task_id) -> list:
    return sorted(
        session.scalars(
            select(ScheduledEffect.fire_at).where(
                ScheduledEffect.object_type == "human_task", ScheduledEffect.object_id == task_id,
                ScheduledEffect.effect == "remind", ScheduledEffect.fired_at.is_(None),
            )
        )
    )  # fmt: skip


def test_a_task_s_own_remind_list_sets_its_reminders(session):
    review = submit_target(session)  # chain_teacher.bpmn: the review says remind="P2D,P1D", due in 7 days
    assert review.remind == "P2D,P1D"
    due = review.due_at
    assert pending_reminders(session, review.id) == [due - timedelta(days=2), due - timedelta(days=1)]
    scheduler.tick(session, due - timedelta(days=2) + timedelta(minutes=1))
    got = notes(session, kind="remind")
    assert [u for u, _, _ in got] == ["dzxy_reviewer", "dzxy_reviewer2"] and "2天后到期" in got[0][2]


def test_tasks_without_a_remind_list_use_the_configured_days(connection):
    from engine import cycle
    from engine.core.settings import Settings
    from tests.workflows.test_cycle import do, dues_after_now, open_tasks

    configured = Settings(reminder_days=(3, 2))
    with Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False,
                 info=configured.session_info()) as session:  # fmt: skip
        dues = dues_after_now()
        instance = cycle.start_for_subject(session, own_subject(session, "t02"), 2026, dues, None, NOW)
        author = open_tasks(session, instance.id)[0]  # the chain's edit task: remind="P3D,P1D" of its own
        assert pending_reminders(session, author.id) == []  # due 2026-04-30, long past on NOW: only the overdue
        while (task := open_tasks(session, instance.id)[0]).name != "6 诊改实施":
            do(session, task)
        assert task.remind is None  # cycle_person.bpmn gives step 6 no list of its own
        assert pending_reminders(session, task.id) == [task.due_at - timedelta(days=3), task.due_at - timedelta(days=2)]
        scheduler.tick(session, task.due_at - timedelta(days=3) + timedelta(minutes=1))
        assert [t for u, _, t in notes(session, kind="remind") if u == "t02"] == [
            "【3天后到期】6 诊改实施：" + task.title
        ]


def test_remind_in_hours_is_worded_in_hours(session):
    from engine.workflow import deadlines

    review = submit_target(session)
    deadlines.replan_task(session, review.id, review.due_at, NOW, "PT12H")  # as if the BPMN said remind="PT12H"
    assert pending_reminders(session, review.id) == [review.due_at - timedelta(hours=12)]
    scheduler.tick(session, review.due_at - timedelta(hours=12) + timedelta(minutes=1))
    assert all("12小时后到期" in t for _, _, t in notes(session, kind="remind"))
    assert notes(session, kind="remind")
