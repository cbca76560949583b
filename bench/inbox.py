"""Inbox query time with 200,000 open tasks over 20,000 users (SQLite).

One user has ~50 candidate tasks (30 personal, 20 through a group role); we time the first page of
each inbox tab and the tab counts, as the inbox page runs them.
Run: `make bench` or `.venv/bin/python bench/inbox.py [tasks] [users]`.
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
from engine.models import (
    HumanTask,
    OrgUnit,
    ProcessInstance,
    ProcessVersion,
    RoleAssignment,
    TaskCandidate,
    User,
)
from engine.workflow import tasks


def seed(url: str, n_tasks: int, n_users: int) -> int:
    rnd = random.Random(7)
    eng = make_engine(url)
    with Session(eng, info=SETTINGS.session_info()) as s:
        unit = s.scalar(select(OrgUnit.id).where(OrgUnit.code == "DZXY"))
        version = s.scalar(select(ProcessVersion.id))
        pw = s.scalar(select(User.password_hash).limit(1))
        s.execute(insert(User), [
            {"username": f"iu{i}", "display_name": f"用户{i}", "password_hash": pw, "kind": "teacher",
             "org_unit_id": unit, "created_at": NOW, "is_admin": False, "active": True}
            for i in range(n_users)
        ])  # fmt: skip
        first_user = s.scalar(select(User.id).where(User.username == "iu0"))
        me = first_user + 42
        s.add(RoleAssignment(user_id=me, role="reviewer", scope_type="unit", scope_id=9999))
        # each open task in its own chain instance, as in a school (one instance holding all 200,000 taught
        # PostgreSQL's statistics that an instance has 200,000 open tasks, and every completion's read of its
        # instance's open tasks became a sequential scan: 60 ms per completion, an artefact of this seed)
        first_instance = (s.scalar(select(func.max(ProcessInstance.id))) or 0) + 1
        for start in range(0, n_tasks, 20000):
            s.execute(insert(ProcessInstance), [
                {"id": first_instance + i, "version_id": version, "process_key": "chain_teacher", "status": "running",
                 "state_json": "{}", "started_at": NOW}
                for i in range(start, min(n_tasks, start + 20000))
            ])  # fmt: skip
        group = "g:reviewer:unit:9999"
        task_rows, cand_rows = [], []
        mine = set(rnd.sample(range(n_tasks), 50))
        mine_list = sorted(mine)
        for i in range(n_tasks):
            tid = i + 1
            task_rows.append({
                "id": tid, "instance_id": first_instance + i, "spiff_task_id": f"{tid:036d}",
                "bpmn_id": "review_college",
                "name": "二级学院审定", "kind": "review", "process_key": "chain_teacher",
                "process_name": "教师发展目标、标准、诊改计划审核上传流程", "title": f"教师发展目标 · 教师{i}",
                "state": "open", "created_at": NOW - timedelta(minutes=i),
                "due_at": NOW + timedelta(days=rnd.randint(-10, 30)), "candidates_label": "二级学院审核人",
            })  # fmt: skip
            if i in mine:
                principal = group if mine_list.index(i) < 20 else f"u:{me}"
            else:
                principal = f"u:{first_user + rnd.randrange(n_users)}"
                if principal == f"u:{me}":
                    principal = f"u:{first_user}"
            cand_rows.append({"principal": principal, "task_id": tid})
            if len(task_rows) == 20000:
                s.execute(insert(HumanTask), task_rows)
                s.execute(insert(TaskCandidate), cand_rows)
                task_rows, cand_rows = [], []
        if task_rows:
            s.execute(insert(HumanTask), task_rows)
            s.execute(insert(TaskCandidate), cand_rows)
        s.commit()
    eng.dispose()
    return me


def main(n_tasks: int = 200_000, n_users: int = 20_000) -> None:
    url = fresh_database("inbox")
    started = time.perf_counter()
    me_id = seed(url, n_tasks, n_users)
    print(f"seeded {n_tasks} open tasks over {n_users} users in {time.perf_counter() - started:.1f} s")
    eng = make_engine(url)
    with Session(eng, info=SETTINGS.session_info()) as s:
        me = s.get(User, me_id)
        from engine import org

        principals = org.principals_of(s, me.id)
        page = tasks.list_tasks(s, me, principals=principals, per_page=100)
        assert page.total == 50, page.total
        for tab in ("mine", "groups", "claimed", "done"):
            samples = []
            for _ in range(200):
                t = time.perf_counter()
                tasks.list_tasks(s, me, tab=tab, principals=principals)
                samples.append((time.perf_counter() - t) * 1000)
            report(f"inbox tab '{tab}' (first page + total)", samples)
        samples = []
        for _ in range(200):
            t = time.perf_counter()
            tasks.counts(s, me, principals)
            samples.append((time.perf_counter() - t) * 1000)
        report("tab badge counts", samples)
    eng.dispose()


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*args)
