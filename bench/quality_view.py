"""Time the leaders' quality view (engine/quality) over a generated school year: its overview (every unit, every
column family, the trends) and a college's page, and the college's 平台数据分析 panel (engine/feeds/indicators.py),
on SQLite. Both read the feeds through one grouped aggregate (engine/feeds/aggregate.py).

    .venv/bin/python bench/quality_view.py [--records 100000] [--warnings 5000]

The demo organisation, plus `--warnings` warnings spread over its units and the last five years, and `--records`
学生评教 and as many 毕业生 records (the demo's teachers and students as sources) over the same years.
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta

from _setup import NOW, SETTINGS, fresh_database, report
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import feeds, quality
from engine.core.db import make_engine
from engine.feeds import indicators
from engine.models import FeedDefinition, OrgUnit, Subject, User
from engine.warnings import service as warnings

FIELDS = [{"key": k, "label": k, "type": "number", "unit": "", "min": None, "max": None}
          for k in ("graduated", "employed", "certificates")]  # fmt: skip


def _feed(session: Session, key: str) -> FeedDefinition:
    feed = session.scalar(select(FeedDefinition).where(FeedDefinition.key == key))
    if feed is None:  # the graduation feed comes with another part of the product
        feed = FeedDefinition(key=key, name=key, lead_function="academic_affairs", source_kind="student",
                              provider="教务处", fields=FIELDS, delivery=["api"], updated_at=NOW)  # fmt: skip
        session.add(feed)
        session.flush()
    return feed


def load(session: Session, records: int, count: int) -> None:
    units = session.scalars(select(OrgUnit.id).where(OrgUnit.kind.in_(("functional", "college")))).all()
    for n in range(count):
        warnings.create(session, kind="quality_accident", level=("red", "yellow", "blue")[n % 3], title=f"预警 {n}",
                        description="", org_unit_id=units[n % len(units)], now=NOW - timedelta(days=n % 1800),
                        source="manual", send=False)  # fmt: skip
    teachers = session.scalars(select(User.username).where(User.kind == "teacher")).all()
    students = session.scalars(select(User.username).where(User.kind == "student")).all()
    days = [NOW.date() - timedelta(days=1 + d) for d in range(1800)]
    scores = [{"record_key": f"E-{n}", "source": teachers[n % len(teachers)], "occurred_on": days[n % 1800].isoformat(),
               "values": {"score": 75 + n % 20}} for n in range(records)]  # fmt: skip
    feeds.ingest(session, _feed(session, "teaching_evaluation"), scores, "api", NOW)
    grads = [{"record_key": f"G-{n}", "source": students[n % len(students)],
              "occurred_on": date(2022 + n % 5, 7, 1).isoformat(),
              "values": {"graduated": int(n % 10 != 0), "employed": int(n % 4 != 0), "certificates": n % 3}}
             for n in range(records)]  # fmt: skip
    feeds.ingest(session, _feed(session, "graduation"), grads, "api", NOW)
    session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--warnings", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    engine = make_engine(fresh_database("quality"))
    with Session(engine, info=SETTINGS.session_info()) as session:
        start = time.perf_counter()
        load(session, args.records, args.warnings)
        print(f"loaded {args.warnings} warnings and 2 × {args.records} records in {time.perf_counter() - start:.1f} s")
        admin = session.scalar(select(User).where(User.username == "zlc_admin"))
        college = session.scalar(select(OrgUnit).where(OrgUnit.kind == "college"))
        viewer = quality_viewer(session, admin)
        subject = session.scalar(select(Subject).where(Subject.type == "college", Subject.org_unit_id == college.id))
        for label, run in (
            ("overview", lambda: quality.overview(session, 2026, NOW, None, found={})),
            ("college page", lambda: quality.unit_page(session, viewer, college, 2026, NOW, found={})),
            ("college data panel", lambda: indicators.for_subject(session, subject, 2026, NOW.date())),
        ):
            samples = []
            for _ in range(args.runs):
                t = time.perf_counter()
                run()
                samples.append((time.perf_counter() - t) * 1000)
            report(label, samples)


def quality_viewer(session: Session, user: User):
    from engine import org

    return org.policy.viewer(user, org.principals_of(session, user.id))


if __name__ == "__main__":
    main()
