"""The overdue dashboard's aggregates over 200,000 human tasks, 20,000 of them overdue (SQLite).

Tasks are spread over every department, every deployed process and its steps, 20,000 subjects and
5,000 people (a third of the open tasks claimed). We time `monitoring.overdue_dashboard` (all its
aggregate queries together) for 诊改办公室 (the whole school) and for one college head, and the heat map
of the busiest process version. Target: dashboard p95 under 200 ms.
Run: `make bench` or `.venv/bin/python bench/dashboard.py [tasks] [overdue] [completed]`.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import timedelta

from _setup import NOW, SETTINGS, fresh_database, report
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from engine.core.db import make_engine
from engine.models import HumanTask, OrgUnit, ProcessDefinition, ProcessInstance, ProcessVersion, Subject, User
from engine.oversight import heatmap, monitoring


def seed(url: str, n_tasks: int, n_overdue: int, n_completed: int) -> None:
    rnd = random.Random(11)
    eng = make_engine(url)
    with Session(eng, info=SETTINGS.session_info()) as s:
        units = s.execute(select(OrgUnit.id, OrgUnit.name, OrgUnit.kind).where(OrgUnit.kind != "school")).all()
        weights = [30 if kind == "college" else 1 for _, _, kind in units]
        processes = []
        for key, name, version_id in s.execute(
            select(ProcessDefinition.key, ProcessDefinition.name, ProcessDefinition.latest_version_id)
        ):
            meta = s.scalar(select(ProcessVersion.meta).where(ProcessVersion.id == version_id))
            steps = [(bpmn_id, t["name"], t.get("kind", "form")) for bpmn_id, t in meta["tasks"].items()]
            processes.append((key, name, version_id, steps or [("task", name, "form")]))
        pw = s.scalar(select(User.password_hash).limit(1))
        s.execute(insert(User), [
            {"username": f"du{i}", "display_name": f"办理人{i:04d}", "password_hash": pw, "kind": "staff",
             "org_unit_id": rnd.choice(units)[0], "created_at": NOW, "is_admin": False, "active": True}
            for i in range(5000)
        ])  # fmt: skip
        user_ids = s.scalars(select(User.id).where(User.username.like("du%"))).all()
        first_subject = (s.scalar(select(func.max(Subject.id))) or 0) + 1
        subjects = []
        for i in range(20000):
            unit = rnd.choices(units, weights)[0]
            subjects.append({"id": first_subject + i, "type": "teacher", "name": f"主体{i:05d}", "org_unit_id": unit[0],
                             "attrs": {}, "unit_name": unit[1]})  # fmt: skip
        s.execute(insert(Subject), [{k: v for k, v in row.items() if k != "unit_name"} for row in subjects])
        first_instance = (s.scalar(select(func.max(ProcessInstance.id))) or 0) + 1
        instances = []
        for i, subject in enumerate(subjects):
            key, _, version_id, _ = processes[i % len(processes)]
            instances.append({"id": first_instance + i, "version_id": version_id, "process_key": key,
                              "subject_id": subject["id"], "status": "running", "state_json": "{}",
                              "lock_version": 1, "started_at": NOW - timedelta(days=60)})  # fmt: skip
        s.execute(insert(ProcessInstance), instances)
        first_task = (s.scalar(select(func.max(HumanTask.id))) or 0) + 1
        rows = []
        for i in range(n_tasks):
            n = rnd.randrange(len(subjects))
            subject, instance = subjects[n], instances[n]
            key, pname, _, steps = processes[n % len(processes)]
            bpmn_id, step, kind = rnd.choice(steps)
            created = NOW - timedelta(hours=rnd.randint(1, 24 * 60))
            row = {
                "id": first_task + i, "instance_id": instance["id"], "spiff_task_id": f"{i:036d}", "bpmn_id": bpmn_id,
                "name": step, "kind": kind, "process_key": key, "process_name": pname, "subject_id": subject["id"],
                "subject_name": subject["name"], "title": f"{pname} · {subject['name']}", "state": "open",
                "created_at": created,
                # authors' tasks are labelled with the subject (one label per subject), reviews with the group
                "candidates_label": subject["name"] if kind == "edit" else f"{subject['unit_name']} 审核人",
            }  # fmt: skip
            if i < n_completed:
                row.update(state="completed", completed_at=created + timedelta(hours=rnd.randint(1, 24 * 20)),
                           completed_by_id=rnd.choice(user_ids), due_at=created + timedelta(days=7))  # fmt: skip
            elif i < n_completed + n_overdue:
                row["due_at"] = NOW - timedelta(hours=rnd.randint(1, 24 * 45))
            else:
                row["due_at"] = NOW + timedelta(hours=rnd.randint(1, 24 * 30))
            if row["state"] == "open" and rnd.random() < 0.33:
                row.update(claimant_id=rnd.choice(user_ids), claimed_at=created)
            rows.append(row)
            if len(rows) == 20000:
                s.execute(insert(HumanTask), rows)
                rows = []
        if rows:
            s.execute(insert(HumanTask), rows)
        s.commit()
    eng.dispose()


def timed(fn, n: int = 50) -> list[float]:
    fn()  # warm the page cache once
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return samples


def main(n_tasks: int = 200_000, n_overdue: int = 20_000, n_completed: int = 40_000) -> None:
    url = fresh_database("dashboard")
    started = time.perf_counter()
    seed(url, n_tasks, n_overdue, n_completed)
    print(
        f"seeded {n_tasks} human tasks ({n_tasks - n_completed} open, {n_overdue} overdue, {n_completed} completed)"
        f" over 20000 subjects and 5000 people in {time.perf_counter() - started:.1f} s"
    )
    eng = make_engine(url)
    with Session(eng, info=SETTINGS.session_info()) as s:
        school = monitoring.overdue_dashboard(s, NOW)
        figures = (school["open"], school["overdue"])
        assert figures == (n_tasks - n_completed, n_overdue), figures
        report("overdue dashboard, whole school (all aggregates)", timed(lambda: monitoring.overdue_dashboard(s, NOW)))
        college = s.scalar(select(OrgUnit.id).where(OrgUnit.code == "DZXY"))
        report("overdue dashboard, one college head", timed(lambda: monitoring.overdue_dashboard(s, NOW, [college])))
        version = s.scalar(
            select(ProcessInstance.version_id)
            .group_by(ProcessInstance.version_id)
            .order_by(func.count().desc())
            .limit(1)
        )
        report("heat map of one process version", timed(lambda: heatmap.version_heatmap(s, version, NOW)))
        report("/metrics figures (step latency histogram included)", timed(lambda: monitoring.metrics(s, NOW), 20))
    eng.dispose()


if __name__ == "__main__":
    main(*[int(a) for a in sys.argv[1:]])
