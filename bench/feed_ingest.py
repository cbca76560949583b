"""Time one batch of 100,000 学生上课出勤 records through the feeds' one validating service (engine/feeds/ingest.py)
on SQLite, then the same batch again (which must change nothing). Target: at least 20,000 records/s.
Then 100,000 学生评教 records (some teachers below BS12's 学生评教得分) and the table-39 warning rules over them
(engine/warnings/catalogue.py `run_feeds`, as each scheduler tick runs it): their time and what they raised.

    .venv/bin/python bench/feed_ingest.py [--records 100000]

The demo's 40 students are the sources (the lookup is by username either way); each record is one student-day.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from datetime import timedelta

from _setup import NOW, SETTINGS, fresh_database
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import feeds
from engine.core.db import make_engine
from engine.models import FeedDefinition, User
from engine.warnings import catalogue


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    url = fresh_database("feeds")
    engine = make_engine(url)
    with Session(engine, info=SETTINGS.session_info()) as session:
        students = session.scalars(select(User.username).where(User.kind == "student")).all()
        feed = session.scalar(select(FeedDefinition).where(FeedDefinition.key == "student_attendance"))
        records = [
            {"record_key": f"B-{n}", "source": students[n % len(students)],
             "occurred_on": (NOW.date() - timedelta(days=1 + n // len(students) % 3000)).isoformat(),
             "values": {"rate": 80 + n % 21, "absent": n % 5}}
            for n in range(args.records)
        ]  # fmt: skip
        for label in ("first", "again"):
            start = time.perf_counter()
            result = feeds.ingest(session, feed, records, "api", NOW)
            session.commit()
            seconds = time.perf_counter() - start
            counts = ", ".join(f"{k} {result[k]}" for k in ("created", "updated", "unchanged"))
            rate = args.records / seconds
            print(f"{label}: {args.records} records in {seconds:.2f} s = {rate:,.0f} records/s ({counts})")
        teachers = session.scalars(select(User.username).where(User.kind == "teacher")).all()
        evaluation = session.scalar(select(FeedDefinition).where(FeedDefinition.key == "teaching_evaluation"))
        scores = [
            {"record_key": f"E-{n}", "source": teachers[n % len(teachers)],
             "occurred_on": (NOW.date() - timedelta(days=1 + n // len(teachers) % 300)).isoformat(),
             "values": {"score": 70 + (n % len(teachers)) * 3 + n % 5}}
            for n in range(args.records)
        ]  # fmt: skip
        feeds.ingest(session, evaluation, scores, "api", NOW)
        session.commit()
        for label in ("rules", "rules again"):
            out: Counter = Counter()
            start = time.perf_counter()
            catalogue.run_feeds(session, NOW, out)
            session.commit()
            seconds = time.perf_counter() - start
            raised = dict(out) or "nothing new"
            print(f"{label}: table-39 rules over {args.records} 学生评教 records in {seconds:.2f} s ({raised})")
    engine.dispose()


if __name__ == "__main__":
    main()
