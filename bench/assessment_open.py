"""Open a developmental assessment of every teacher (the 2018 extension) at a school's size: 20,000 students and
1,000 teachers (bench/cycle_start.py's seed, SQLite). Opening runs in the request that starts the campaign (its
process's first step resolves every teacher's scorers from the organisation and samples them), so it prints the
time and the statements it took.

Run: `make bench` or `.venv/bin/python bench/assessment_open.py [students] [teachers]`.
"""

from __future__ import annotations

import sys
import time

from _setup import NOW, SETTINGS, fresh_database
from cycle_start import seed
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from engine import org
from engine.assessment import campaigns
from engine.core.db import make_engine
from engine.models import AssessmentAssignment, AssessmentTarget, User


def main(students: int = 20_000, teachers: int = 1_000) -> None:
    url = fresh_database("assessment")
    seed(url, students, teachers)
    eng = make_engine(url)
    statements = []
    event.listen(eng, "before_cursor_execute", lambda *_a: statements.append(1))
    with Session(eng, info=SETTINGS.session_info()) as s:
        hr = s.scalar(select(User).where(User.username == "rsc_reviewer"))
        principals = org.principals_of(s, hr.id)
        payload = {"system": "staff", "year": str(NOW.year), "kinds": ["teacher"], "due": f"{NOW.year}-12-31"}
        statements.clear()
        started = time.perf_counter()
        campaign = campaigns.open_campaign(s, hr, principals, payload, NOW)
        s.flush()
        elapsed = time.perf_counter() - started
        ran = len(statements)
        targets = s.scalar(select(func.count()).where(AssessmentTarget.campaign_id == campaign.id))
        assignments = s.scalar(select(func.count()).where(AssessmentAssignment.campaign_id == campaign.id))
        s.rollback()
    print(f"open a teachers' assessment: {targets} teachers, {assignments} assignments, {students} students "
          f"-> {elapsed:.2f} s, {ran} statements")  # fmt: skip


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
