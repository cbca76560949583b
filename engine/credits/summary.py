"""The credit standing per college for the school leaders' view (issue #18): read through an optional import."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import SchoolClass, User
from . import ledger


def standing_by_unit(session: Session, year: int) -> dict[int, dict]:
    """Per college (the students' classes' unit): {"students", "met", "rate" (None without students),
    "graduating_below"} at the end of `year` — the active students of classes that had started by then, their
    totals as booked up to 31 December, and how many of those graduating that year are below the standard."""
    classes = list(session.scalars(select(SchoolClass).where(SchoolClass.active)))
    started = [k for k in classes if k.year is None or k.year <= year]
    unit_of = {k.id: k.org_unit_id for k in started}
    years = ledger.graduation_years(session, started)
    graduating = {k.id for k in started if years[k.id] == year}
    rows = session.execute(
        select(User.id, User.class_id).where(
            User.class_id.in_(list(unit_of) or [-1]), User.kind == "student", User.active
        )  # fmt: skip
    ).all()
    sums = ledger.totals(session, [uid for uid, _ in rows], until=date(year, 12, 31))
    bar = ledger.standard(session)
    out: dict[int, dict] = {}
    for uid, class_id in rows:
        entry = out.setdefault(unit_of[class_id], {"students": 0, "met": 0, "rate": None, "graduating_below": 0})
        entry["students"] += 1
        met = sums[uid] >= bar
        entry["met"] += int(met)
        entry["graduating_below"] += int(class_id in graduating and not met)
    for entry in out.values():
        entry["rate"] = round(entry["met"] / entry["students"], 4) if entry["students"] else None
    return out
