"""Median and p95 of completing one approval task through the Flask app on SQLite.

Each sample is one POST /api/v1/tasks/<id>/complete by the college reviewer: permission check, load the
workflow, advance it, publish the document, update the read model and audit log, commit.
Run: `make bench` or `.venv/bin/python bench/complete_task.py [samples]`.
"""

from __future__ import annotations

import sys
import time

from _setup import NOW, SETTINGS, fresh_database, report
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.db import make_engine
from engine.documents import service as documents
from engine.models import HumanTask, OrgUnit, Subject, SubjectMember, User
from engine.workflow import runtime
from forms.templates import builtin_templates, empty_document


def prepare(url: str, n: int) -> list[int]:
    """n teachers of 电子与物联网学院 each submit their targets; return the open review task ids."""
    eng = make_engine(url)
    with Session(eng, info=SETTINGS.session_info()) as s:
        college = s.scalar(select(OrgUnit).where(OrgUnit.code == "DZXY"))
        template = builtin_templates()["teacher_target"]
        data = empty_document(template)
        for row in data["rows"]:
            row["cells"]["description"] = "三年内成为骨干教师，主持一门课程建设"
        pw = s.scalar(select(User.password_hash).where(User.username == "t01"))
        for i in range(n):
            u = User(username=f"bt{i}", display_name=f"教师{i}", password_hash=pw, kind="teacher",
                     org_unit_id=college.id, created_at=NOW)  # fmt: skip
            s.add(u)
            s.flush()
            subj = Subject(type="teacher", name=u.display_name, org_unit_id=college.id, user_id=u.id, code=u.username)
            s.add(subj)
            s.flush()
            s.add(SubjectMember(subject_id=subj.id, user_id=u.id, role="leader"))
            s.flush()
            task = documents.start_document(s, u, subj.id, "target", NOW)
            runtime.complete_task(s, u, task.id, {"document": data}, NOW)
        s.commit()
        ids = list(s.scalars(select(HumanTask.id).where(HumanTask.kind == "review", HumanTask.state == "open")))
    eng.dispose()
    return ids


def main(samples: int = 300) -> None:
    from web import create_app

    url = fresh_database("complete")
    task_ids = prepare(url, samples + 20)
    app = create_app({"DATABASE_URL": url, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    client = app.test_client()
    client.post("/login", data={"username": "dzxy_reviewer", "password": "demo1234"})
    timings = []
    for i, task_id in enumerate(task_ids):
        started = time.perf_counter()
        response = client.post(f"/api/v1/tasks/{task_id}/complete", json={"decision": "approve", "comment": "同意"})
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.get_json()
        if i >= 20:  # the first requests warm the spec cache and the connection pool
            timings.append(elapsed)
    report("complete approval task via Flask (SQLite)", timings)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
