"""One scheduler tick with 100,000 pending effects of which 500 are due (SQLite).

Run: `make bench` or `.venv/bin/python bench/scheduler_tick.py [pending] [due]`.
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta

from _setup import NOW, fresh_database
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from engine import deadlines
from engine.db import make_engine
from engine.models import HumanTask, ProcessInstance, ProcessVersion, ScheduledEffect, TaskCandidate, User


def seed(url: str, pending: int, due: int) -> None:
    eng = make_engine(url)
    with Session(eng) as s:
        version = s.scalar(select(ProcessVersion.id))
        inst = ProcessInstance(
            version_id=version, process_key="chain_teacher", status="running", state_json="{}", started_at=NOW
        )
        s.add(inst)
        s.flush()
        users = s.scalars(select(User.id).where(User.kind == "teacher")).all()
        tasks, cands, effects = [], [], []
        for i in range(pending):
            tid = i + 1
            due_at = NOW + (timedelta(minutes=-5) if i < due else timedelta(days=3 + i % 300))
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
                    "due_at": due_at,
                }
            )
            cands.append({"principal": f"u:{users[i % len(users)]}", "task_id": tid})
            effects.append(
                {
                    "key": f"human_task:{tid}:due:2",
                    "effect": "due",
                    "stage": 2,
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


def main(pending: int = 100_000, due: int = 500) -> None:
    url = fresh_database("tick")
    seed(url, pending, due)
    eng = make_engine(url)
    with Session(eng) as s:
        started = time.perf_counter()
        result = deadlines.tick(s, NOW)
        s.commit()
        elapsed = time.perf_counter() - started
    print(f"scheduler tick: {pending} pending effects, {due} due -> {result} in {elapsed * 1000:.0f} ms")
    eng.dispose()


if __name__ == "__main__":
    main(*[int(a) for a in sys.argv[1:]])
