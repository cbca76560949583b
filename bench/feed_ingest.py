"""Time one batch of 100,000 学生上课出勤 records through the feeds' one validating service (engine/feeds/ingest.py)
on SQLite, then the same batch again (which must change nothing). Target: at least 20,000 records/s.

    .venv/bin/python bench/feed_ingest.py [--records 100000]

The demo's 40 students are the sources (the lookup is by username either way); each record is one student-day.
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta

from _setup import NOW, SETTINGS, fresh_database
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import feeds
from engine.core.db import make_engine
from engine.models import FeedDefinition, User


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
    engine.dispose()


if __name__ == "__main__":
    main()
