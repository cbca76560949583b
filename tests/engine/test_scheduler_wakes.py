"""The scheduler wakes each due instance in a transaction of its own (issue #14, denial of service).

On a real SQLite file, as `zhengai scheduler` runs: a poisoned instance (its timer path loops past the run
budget) between two healthy ones is recorded once and spent, the other two advance and are committed
before and while it runs, the write lock is free between the wakes, and neither the next tick nor a
restarted scheduler runs the poisoned step again.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from engine import scheduler
from engine.core.db import make_engine, make_session_factory
from engine.models import AuditEntry, ProcessInstance, ScheduledEffect, SchedulerLease
from engine.models.base import Base
from engine.workflow import deploy, runtime
from tests.conftest import NOW, SETTINGS
from tests.engine.test_hostile_bpmn import LATER, process


@pytest.fixture
def file_db(tmp_path):
    """A fresh SQLite file in the server's mode (pysqlite opens a transaction at the first write)."""
    eng = make_engine(f"sqlite:///{tmp_path / 'wakes.db'}")
    Base.metadata.create_all(eng)
    with Session(eng) as s:
        s.add(SchedulerLease(name="scheduler"))
        s.commit()
    yield eng
    eng.dispose()


def statuses(eng, ids) -> list[str]:
    """What another process reading the database sees (committed rows only)."""
    with eng.connect() as conn:
        rows = dict(conn.execute(select(ProcessInstance.id, ProcessInstance.status)).all())
    return [rows[i] for i in ids]


def test_each_wake_commits_alone_and_a_poisoned_instance_stops_neither_the_others_nor_a_restart(
    file_db, clock, monkeypatch
):
    factory = make_session_factory(file_db, SETTINGS)
    with factory() as s:
        deploy.deploy(s, process(), actor_id=None, now=NOW)
        at = LATER.isoformat()
        ids = [
            runtime.start_instance(s, process_key="probe", actor=None, now=NOW, data={"at": at, "spin": spin}).id
            for spin in (0, 1, 0)  # the middle one loops without waiting for anybody once its timer fires
        ]
        s.commit()
    first, poisoned, last = ids

    seen = {}
    real = runtime.fire_due_timers

    def observed(session_, instance, now):  # what another process sees as each wake begins
        seen[instance.id] = statuses(file_db, ids)
        real(session_, instance, now)

    opened = []

    def lock_free_factory():
        """Every transaction the scheduler opens finds SQLite's write lock free: none of its earlier ones
        still holds it (another writer gets "database is locked" at once with no busy timeout)."""
        with file_db.connect() as other:
            other.exec_driver_sql("PRAGMA busy_timeout=0")
            other.exec_driver_sql("BEGIN IMMEDIATE")
            other.exec_driver_sql("ROLLBACK")
        opened.append(len(seen))
        return factory()

    monkeypatch.setattr(runtime, "fire_due_timers", observed)
    clock.now = LATER + timedelta(minutes=1)
    result = scheduler.run_tick(lock_free_factory, "host:1", clock)
    assert result["sent"] == 2 and result["failed"] == 1, result

    # the first instance was committed before the poisoned one ran, the poisoned one's failure before the last
    assert seen[poisoned] == ["completed", "running", "running"]
    assert seen[last] == ["completed", "error", "running"]
    assert {1, 2, 3} <= set(opened)  # a new transaction after each wake
    assert statuses(file_db, ids) == ["completed", "error", "completed"]
    with factory() as s:
        broken = s.get(ProcessInstance, poisoned)
        assert "步骤过多" in broken.incident
        incidents = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "instance.error"))
        assert incidents == 1
        spent = s.scalar(select(ScheduledEffect).where(ScheduledEffect.object_id == poisoned))
        assert spent.fired_at is not None and spent.outcome == "failed"

    # the next tick, and a scheduler started afresh after a crash, find nothing to run for it
    seen.clear()
    clock.advance(timedelta(seconds=30))
    again = scheduler.run_tick(factory, "host:1", clock)
    clock.advance(timedelta(minutes=5))  # the old holder's lease has run out
    restarted = scheduler.run_tick(factory, "host:2", clock)
    assert not seen and "failed" not in again and "failed" not in restarted and "sent" not in restarted
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "instance.error")) == 1
        assert s.get(ProcessInstance, poisoned).status == "error"  # until an administrator retries it
        assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
