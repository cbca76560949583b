"""The scheduler keeps its lease while it works, and one contended instance never stops a tick."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine import cycle, scheduler
from engine.models import AuditEntry, CycleInstance, CycleRun, ProcessInstance, ScheduledEffect, SchedulerLease
from engine.workflow import runtime
from tests.conftest import NOW, SETTINGS, TZ, own_subject, user
from tests.engine.test_deadlines import submit_target
from tests.workflows.test_cycle import do, open_tasks


def factory_on(connection):
    """Sessions whose commits are savepoints of the test's transaction (the scheduler commits per job)."""
    return lambda: Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False, info=SETTINGS.session_info()
    )


def lease_row(session) -> SchedulerLease:
    session.expire_all()
    return session.scalar(select(SchedulerLease).where(SchedulerLease.name == "scheduler"))


def other_scheduler_takes(connection, holder: str, now) -> bool:
    """A second scheduler process tries to take the lease (in a transaction of its own)."""
    with factory_on(connection)() as other:
        taken = scheduler.acquire_lease(other, holder, now)
        other.commit()
    return taken


def test_the_lease_is_renewed_between_the_batches_of_a_long_year_start(connection, session, clock, monkeypatch):
    run = cycle.create_run(session, user(session, "zlc_admin"), 2027, ["person"], cycle.default_dues(2027, TZ), NOW)
    session.commit()
    real = cycle.process_run
    seen = []

    def slow_batch(session_, run_id, now, batch=500):
        """Each batch takes 40 s of the clock; meanwhile a second scheduler tries to take over."""
        with factory_on(connection)() as probe:
            held = lease_row(probe)
            seen.append((clock.now, held.holder, held.expires_at))
        taken = other_scheduler_takes(connection, "intruder:2", clock.now)
        assert not taken, "the lease lapsed while its holder was still starting the year"
        result = real(session_, run_id, now, batch=10)
        clock.advance(timedelta(seconds=40))
        return result

    monkeypatch.setattr(cycle, "process_run", slow_batch)
    result = scheduler.run_tick(factory_on(connection), "host:1", clock)
    assert result["cycle_batches"] == len(seen) >= 4  # 160 s and more: longer than the 90 s lease
    assert all(holder == "host:1" and expires > at for at, holder, expires in seen)
    session.expire_all()
    assert session.get(CycleRun, run.id).status == "finished"
    assert lease_row(session).expires_at > NOW + timedelta(seconds=90)  # renewed, not the tick's first lease


def test_a_scheduler_that_lost_its_lease_stops_its_long_work(connection, session, clock, monkeypatch):
    run = cycle.create_run(session, user(session, "zlc_admin"), 2027, ["person"], cycle.default_dues(2027, TZ), NOW)
    session.commit()
    real = cycle.process_run

    def stalled_batch(session_, run_id, now, batch=500):
        clock.advance(timedelta(minutes=5))  # this batch stalls far beyond the lease: another scheduler takes over
        assert other_scheduler_takes(connection, "other:2", clock.now)
        return real(session_, run_id, now, batch=10)

    monkeypatch.setattr(cycle, "process_run", stalled_batch)
    result = scheduler.run_tick(factory_on(connection), "host:1", clock)
    assert result["lease_lost"] is True and result.get("cycle_batches") is None
    session.expire_all()
    assert session.get(CycleRun, run.id).status != "finished"  # left to the scheduler that holds the lease
    assert session.scalar(select(func.count()).select_from(CycleInstance)) == 10  # its one batch is kept
    assert lease_row(session).holder == "other:2"


def cycle_at_step_6(session, username):
    from tests.workflows.test_cycle import dues_after_now

    dues = dues_after_now()
    instance = cycle.start_for_subject(session, own_subject(session, username), 2026, dues, None, NOW)
    while (task := open_tasks(session, instance.id)[0]).name != "6 诊改实施":
        do(session, task)
    return instance, task


def test_an_instance_that_loses_a_race_during_a_wake_is_woken_at_the_next_tick(session, monkeypatch):
    contended, task = cycle_at_step_6(session, "t02")
    other, _ = cycle_at_step_6(session, "t03")
    review = submit_target(session, "t06")  # another college's review, reminded in the same tick
    late = task.due_at + timedelta(minutes=5)
    real = runtime.fire_due_timers

    def a_step_commits_meanwhile(session_, instance, now):
        if instance.id == contended.id:  # a person's step on the same instance committed after the wake loaded it
            with session_.no_autoflush:
                session_.execute(
                    update(ProcessInstance)
                    .where(ProcessInstance.id == instance.id)
                    .values(lock_version=ProcessInstance.lock_version + 1)
                    .execution_options(synchronize_session=False)
                )
        real(session_, instance, now)  # its UPDATE of the instance no longer matches the version it loaded

    monkeypatch.setattr(runtime, "fire_due_timers", a_step_commits_meanwhile)
    result = scheduler.tick(session, late)
    assert result["retry"] == 1 and result["sent"] >= 2  # the other instance's wake and the review's reminder
    assert "failed" not in result
    pending = session.scalar(
        select(ScheduledEffect).where(ScheduledEffect.effect == "wake", ScheduledEffect.object_id == contended.id)
    )
    assert pending.fired_at is None and pending.fire_at <= late  # still due: the next tick wakes it
    assert escalated(session) == {open_tasks(session, other.id)[0].id}  # the other instance's timer fired
    assert session.get(ProcessInstance, contended.id).status == "running"  # a race is not an error
    assert not session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "instance.error"))
    reminded = session.scalar(
        select(func.count())
        .select_from(ScheduledEffect)
        .where(ScheduledEffect.object_id == review.id, ScheduledEffect.fired_at.is_not(None))
    )
    assert reminded

    monkeypatch.undo()
    again = scheduler.tick(session, late + timedelta(seconds=30))
    assert again.get("sent", 0) >= 1 and "retry" not in again
    assert escalated(session) == {open_tasks(session, other.id)[0].id, open_tasks(session, contended.id)[0].id}


def escalated(session) -> set[int]:
    """Tasks a BPMN timer has escalated (the `notify_overdue` service queues them for the digest)."""
    return set(
        session.scalars(select(ScheduledEffect.object_id).where(ScheduledEffect.key.like("human_task:%:timer:%")))
    )


def test_the_lease_is_renewed_while_a_slow_mail_server_takes_the_outbox(connection, session, clock):
    from aiosmtpd.controller import Controller

    from tests.web.test_notifications import _free_port

    received = []

    class SlowServer:
        async def handle_DATA(self, server, smtp_session, envelope):
            received.append(envelope.rcpt_tos)
            clock.advance(timedelta(seconds=40))  # each message takes 40 s
            return "250 OK"

    submit_target(session, "t01")  # each submission notifies the college's two reviewers: the outbox's messages
    submit_target(session, "t02")
    session.commit()
    factory = factory_on(connection)
    lease = scheduler.Lease(factory, "host:1", clock)
    assert lease.acquire()
    port = _free_port()
    controller = Controller(SlowServer(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        sent = scheduler.send_outbox(factory, {"host": "127.0.0.1", "port": port}, NOW, lease=lease)
    finally:
        controller.stop()
    assert sent == len(received) == 4 and clock.now == NOW + timedelta(seconds=160)  # longer than the lease
    held = lease_row(session)
    assert held.holder == "host:1" and held.expires_at > clock.now
    assert not other_scheduler_takes(connection, "other:2", clock.now)
