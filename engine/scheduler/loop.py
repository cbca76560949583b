"""The scheduler process (`zhengai scheduler`): one per installation, never inside a web worker.

Every heartbeat takes the database lease and then commits in small steps, the lease renewed between them:

- the due reminders, due notices and escalations: one transaction (rows only, no workflow runs: the
  notifications and the fired marks together, so nothing fires twice and nothing is lost);
- the due BPMN timers: one transaction per instance (`tick.wake_due`), so SQLite's write lock is never held
  across several workflow runs, and a slow or poisoned instance costs only its own bounded run (its failure
  is recorded and spent in its own transaction; the others go on);
- the warning rules: one transaction (a failing rule leaves the fired reminders committed);
- pending annual cycles: one transaction per batch;
- the e-mail outbox: one per message (an e-mail cannot be taken back, so each is marked sent once out).

APScheduler only provides the heartbeat: what is due and what has fired lives in the database, so a restart
after downtime catches up and a second process started by mistake stays idle.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select

from .. import credits, cycle
from ..models import CycleRun
from ..warnings import rules
from .lease import Lease, LeaseLost
from .outbox import send_outbox
from .tick import due_wakes, merge_counts, tick, wake_due

log = logging.getLogger("zhengai.scheduler")


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def wall_clock() -> datetime:
    return datetime.now(UTC)


def run_tick(session_factory, holder: str, clock: Callable[[], datetime] = wall_clock, smtp: dict | None = None):
    """One heartbeat: None if another process holds the lease, else what fired (and what was sent)."""
    lease = Lease(session_factory, holder, clock)
    if not lease.acquire():
        return None
    now = clock()
    with session_factory() as session:
        result = tick(session, now, wake=False)
        session.commit()  # the notifications and the fired marks, together
    try:
        result = merge_counts(result, wake_instances(session_factory, lease, now))
        lease.renew()
        with session_factory() as session:
            result["warnings"] = rules.evaluate(session, now)
            result["credit_warnings"] = credits.graduation.tick(session, now)  # graduating students below 10
            session.commit()
        result["cycle_batches"] = run_cycle_batches(session_factory, lease)
        if smtp:
            result["emails"] = send_outbox(session_factory, smtp, clock(), lease=lease)
    except LeaseLost:
        log.warning("scheduler %s lost its lease during a tick; another scheduler goes on", holder)
        result["lease_lost"] = True
    return result


def logged_tick(session_factory, holder: str, clock: Callable[[], datetime] = wall_clock, smtp: dict | None = None,
                timer: Callable[[], float] = time.perf_counter):  # fmt: skip
    """`run_tick` with one log line: what it fired and how long it took (a failed tick is logged, not raised:
    the next heartbeat retries it)."""
    started = timer()
    try:
        result = run_tick(session_factory, holder, clock, smtp)
    except Exception as exc:  # noqa: BLE001 - a failed tick is retried at the next one
        log.exception("scheduler tick failed", extra={"event": "scheduler.tick", "holder": holder,
                      "duration_ms": round((timer() - started) * 1000, 1), "error": repr(exc)})  # fmt: skip
        return None
    duration = round((timer() - started) * 1000, 1)
    if result is None:
        log.debug("scheduler tick skipped: another scheduler holds the lease",
                  extra={"event": "scheduler.idle", "holder": holder, "duration_ms": duration})  # fmt: skip
    else:
        log.info("scheduler tick", extra={"event": "scheduler.tick", "holder": holder, "fired": result,
                 "duration_ms": duration})  # fmt: skip
    return result


def wake_instances(session_factory, lease: Lease, now: datetime) -> Counter:
    """Wake the instances whose BPMN timers are due at `now`, one transaction each, the lease renewed before
    each; what happened, counted by outcome (engine/scheduler/tick.py `wake_due`)."""
    with session_factory() as session:
        due = due_wakes(session, now)
        session.commit()  # duplicates marked superseded
    woken: Counter = Counter()
    for effect_id, instance_id in due:
        lease.renew()
        with session_factory() as session:
            woken[wake_due(session, effect_id, instance_id, now)] += 1
            session.commit()
    return woken


def run_cycle_batches(session_factory, lease: Lease, batch: int = 500) -> int:
    """Start pending annual cycles batch by batch, one transaction per batch (progress is visible), the
    lease renewed before each batch."""
    batches = 0
    with session_factory() as session:
        pending = session.scalars(select(CycleRun.id).where(CycleRun.status != "finished")).all()
    for run_id in pending:
        while True:
            lease.renew()
            with session_factory() as session:
                run = cycle.process_run(session, run_id, lease.clock(), batch=batch)
                finished = run is None or run.status == "finished"
                session.commit()
            batches += 1
            if finished:
                break
    return batches


def serve(session_factory, smtp: dict, interval_seconds: int = 30) -> None:
    """Block forever: a tick every `interval_seconds` (APScheduler, one job, no overlap)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    holder = holder_name()

    def job():
        logged_tick(session_factory, holder, wall_clock, smtp)

    scheduler = BlockingScheduler(timezone="UTC")
    scheduler.add_job(job, "interval", seconds=interval_seconds, max_instances=1, coalesce=True,
                      next_run_time=datetime.now(UTC))  # fmt: skip
    log.info("scheduler %s started, tick every %s s", holder, interval_seconds)
    try:
        scheduler.start()
    finally:
        Lease(session_factory, holder, wall_clock).release()
