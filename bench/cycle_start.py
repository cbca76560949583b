"""Start the annual cycle for 20,000 students and 1,000 teachers (SQLite), as the scheduler does it;
then time the progress page's queries (engine/cycle/progress.py) over the started year.

Run: `make bench` or `.venv/bin/python bench/cycle_start.py [students] [teachers]`.
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta

from _setup import NOW, SETTINGS, fresh_database, report
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from engine import cycle
from engine.core.db import make_engine
from engine.cycle import progress as cycle_progress
from engine.models import CycleInstance, HumanTask, OrgUnit, SchoolClass, Subject, SubjectMember, User


def seed(url: str, students: int, teachers: int) -> None:
    eng = make_engine(url)
    with Session(eng, info=SETTINGS.session_info()) as s:
        unit = s.scalar(select(OrgUnit.id).where(OrgUnit.code == "DZXY"))
        klass = s.scalar(select(SchoolClass.id))
        pw = s.scalar(select(User.password_hash).limit(1))
        first = (s.scalar(select(func.max(User.id))) or 0) + 1
        people = [("bs", "student", students), ("bt", "teacher", teachers)]
        users, subjects, members = [], [], []
        uid = first
        sid = (s.scalar(select(func.max(Subject.id))) or 0) + 1
        for prefix, kind, n in people:
            for i in range(n):
                users.append(
                    {
                        "id": uid,
                        "username": f"{prefix}{i}",
                        "display_name": f"{prefix}{i}",
                        "password_hash": pw,
                        "kind": kind,
                        "org_unit_id": unit,
                        "created_at": NOW,
                        "is_admin": False,
                        "active": True,
                        "class_id": klass if kind == "student" else None,
                    }
                )
                subjects.append(
                    {
                        "id": sid,
                        "type": kind,
                        "name": f"{prefix}{i}",
                        "code": f"{prefix}{i}",
                        "org_unit_id": unit,
                        "user_id": uid,
                        "class_id": klass if kind == "student" else None,
                        "attrs": {},
                    }
                )
                members.append({"subject_id": sid, "user_id": uid, "role": "leader"})
                uid += 1
                sid += 1
        s.execute(insert(User), users)
        s.execute(insert(Subject), subjects)
        s.execute(insert(SubjectMember), members)
        s.commit()
    eng.dispose()


def main(students: int = 20_000, teachers: int = 1_000) -> None:
    url = fresh_database("cycle")
    seed(url, students, teachers)
    eng = make_engine(url)
    started = time.perf_counter()
    with Session(eng, info=SETTINGS.session_info()) as s:
        run = cycle.create_run(
            s, None, 2026, ["person"], cycle.default_dues(2027, SETTINGS.timezone), NOW
        )  # dates ahead of NOW
        s.commit()
        run_id = run.id
    while True:
        with Session(eng, info=SETTINGS.session_info()) as s:
            run = cycle.process_run(s, run_id, NOW, batch=500)
            status = run.status
            s.commit()
        if status == "finished":
            break
    elapsed = time.perf_counter() - started
    with Session(eng, info=SETTINGS.session_info()) as s:
        n = s.scalar(select(func.count()).select_from(CycleInstance))
        t = s.scalar(select(func.count()).select_from(HumanTask))
    print(
        f"cycle start: {n} subjects ({students} students + {teachers} teachers + demo), {t} first tasks, "
        f"{elapsed:.1f} s ({elapsed / max(n, 1) * 1000:.2f} ms per subject)"
    )
    time_progress(eng, n)
    eng.dispose()


def time_progress(eng, subjects: int, runs: int = 20) -> None:
    """The progress page after the year's first step is due: everybody still at step 1 is overdue."""
    late = NOW + timedelta(days=200)
    year = 2026
    person = cycle_progress.Filters(year=year, level="person", step="1", overdue=True)
    search = cycle_progress.Filters(year=year, q="bs1999")
    figures = {
        "progress page: matrix (levels x steps) + departments": lambda s: cycle_progress.overview(s, year, late),
        "drill-down, first page of 50 + total": lambda s: cycle_progress.subjects(s, person, late),
        "drill-down, page 200 of 50": lambda s: cycle_progress.subjects(s, person, late, page=200),
        "drill-down, search by subject": lambda s: cycle_progress.subjects(s, search, late),
    }
    with Session(eng, info=SETTINGS.session_info()) as s:
        assert cycle_progress.overview(s, year, late)[0].late["person"][1] >= subjects - 100
        for label, query in figures.items():
            samples = []
            for _ in range(runs):
                started = time.perf_counter()
                query(s)
                samples.append((time.perf_counter() - started) * 1000)
            report(f"{label} ({subjects} subjects)", samples)


if __name__ == "__main__":
    main(*[int(a) for a in sys.argv[1:]])
