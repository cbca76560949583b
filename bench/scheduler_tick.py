"""One scheduler tick with 100,000 pending effects of which 500 are due (SQLite); then the daily digest
tick with 5,000 tasks of every subject's department going overdue at once.

Run: `make bench` or `.venv/bin/python bench/scheduler_tick.py [pending] [due] [overdue]`.
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta

from _setup import NOW, SETTINGS, fresh_database
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from engine import scheduler
from engine.core.db import make_engine
from engine.models import HumanTask, ProcessInstance, ProcessVersion, ScheduledEffect, Subject, TaskCandidate, User


def seed(url: str, pending: int, due: int, overdue: int = 0) -> None:
    eng = make_engine(url)
    with Session(eng, info=SETTINGS.session_info()) as s:
        version = s.scalar(select(ProcessVersion.id))
        inst = ProcessInstance(
            version_id=version, process_key="chain_teacher", status="running", state_json="{}", started_at=NOW
        )
        s.add(inst)
        s.flush()
        users = s.scalars(select(User.id).where(User.kind == "teacher")).all()
        subjects = s.scalars(select(Subject.id).where(Subject.org_unit_id.is_not(None))).all()
        tasks, cands, effects = [], [], []
        for i in range(pending):
            tid = i + 1
            late = i < overdue
            due_at = NOW + (timedelta(minutes=-5) if i < max(due, overdue) else timedelta(days=3 + i % 300))
            tasks.append(
                {
                    "id": tid,
                    "instance_id": inst.id,
                    "spiff_task_id": f"{tid:036d}",
                    "bpmn_id": "review",
                    "name": "二级学院审定",
                    "kind": "review",
                    "process_key": "chain_teacher",
                    "process_name": "教师发展流程",
                    "title": f"文档{i}",
                    "state": "open",
                    "created_at": NOW,
                    "due_at": due_at - timedelta(days=2) if late else due_at,
                    "subject_id": subjects[i % len(subjects)] if late else None,
                }
            )
            cands.append({"principal": f"u:{users[i % len(users)]}", "task_id": tid})
            effects.append(
                {
                    "key": f"human_task:{tid}:{'overdue:3' if late else 'due:2'}",
                    "effect": "overdue" if late else "due",
                    "stage": 3 if late else 2,
                    "object_type": "human_task",
                    "object_id": tid,
                    "fire_at": due_at,
                    "params": {},
                }
            )
            if len(tasks) == 20000:
                s.execute(insert(HumanTask), tasks)
                s.execute(insert(TaskCandidate), cands)
                s.execute(insert(ScheduledEffect), effects)
                tasks, cands, effects = [], [], []
        if tasks:
            s.execute(insert(HumanTask), tasks)
            s.execute(insert(TaskCandidate), cands)
            s.execute(insert(ScheduledEffect), effects)
        s.commit()
    eng.dispose()


def timed_tick(url: str) -> tuple[dict, float]:
    eng = make_engine(url)
    with Session(eng, info=SETTINGS.session_info()) as s:
        started = time.perf_counter()
        result = scheduler.tick(s, NOW)
        s.commit()
        elapsed = time.perf_counter() - started
    eng.dispose()
    return result, elapsed


def main(pending: int = 100_000, due: int = 500, overdue: int = 5000) -> None:
    url = fresh_database("tick")
    seed(url, pending, due)
    result, elapsed = timed_tick(url)
    print(f"scheduler tick: {pending} pending effects, {due} due -> {result} in {elapsed * 1000:.0f} ms")
    url = fresh_database("digest")
    seed(url, pending, 0, overdue)
    result, elapsed = timed_tick(url)
    print(f"digest tick: {pending} pending effects, {overdue} tasks overdue -> {result} in {elapsed * 1000:.0f} ms")


if __name__ == "__main__":
    main(*[int(a) for a in sys.argv[1:]])
