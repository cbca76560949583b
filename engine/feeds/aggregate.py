"""One grouped aggregate of the feeds' numeric fields, per year and per source subject or per unit, in SQL (SQLite
and PostgreSQL): what a subject's 平台数据 (engine/feeds/indicators.py) and the leaders' 质量看板 (engine/quality)
read. Reading the records one by one through `values_of` took 5-11 s for 200,000 records; one GROUP BY per feed,
the fields read from the record's JSON in SQL, takes a fraction of that (bench/quality_view.py).

A `Measure` is a feed's number field, how a source's records of a year make its value (`agg`) and, optionally, a
field that admits a record (`of`: only records where it is positive count, e.g. the employed among the graduated).
Every group gets a `Cell` with what both views derive their figures from:
- `rows`: the records admitted, `records`: those with a value, `total` their sum (`want` "value");
- `rows` and `positive`: the records admitted and those above 0 (`want` "share");
- `sources` / `positive_sources` with `total`: the sources (subjects) with a value / above 0 (`want` "sources",
  grouped by unit: a distinct count costs; grouped by subject the group is one source);
- `value` (grouped by subject only): the source's value by `agg`: mean, sum, min or the last in day order.
Records count only when their subject exists; `where` narrows them (a subject's members, people, units).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import BigInteger, Integer, and_, case, distinct, extract, func, literal, select
from sqlalchemy.orm import Session, aliased

from ..models import FeedRecord, Subject

AGGS = ("mean", "sum", "min", "last")
WANTS = ("value", "share", "sources")
ID_SPAN = 10**12  # record ids are below it: the last record's id is its order key modulo this


@dataclass(frozen=True)
class Measure:
    feed: str
    field: str
    agg: str = "mean"  # a source's value over a year (AGGS)
    of: str | None = None  # only records whose `of` field is positive are admitted
    want: str = "value"  # the statistics (each costs a read of the JSON per record): value / share / sources


@dataclass(frozen=True)
class Cell:
    rows: int
    records: int
    total: float
    positive: int
    sources: int
    positive_sources: int
    value: float | None = None  # by subject: the source's value by the measure's agg


def _number(field: str):
    return FeedRecord.values[field].as_float()


def _x(m: Measure):
    """The measure's value in SQL: NULL when absent or not admitted."""
    return case((_number(m.of) > 0, _number(m.field))) if m.of else _number(m.field)


def _base(measures: list[Measure], since: date, until: date, where: list, columns: list):
    feed = measures[0].feed
    return (
        select(*columns)
        .select_from(FeedRecord)
        .join(Subject, Subject.id == FeedRecord.subject_id)
        .where(FeedRecord.feed_key == feed, FeedRecord.occurred_on >= since, FeedRecord.occurred_on <= until, *where)
    )


def _order_key():
    """A record's place in day order as one integer (the day, then the id): its max is the last record."""
    day = (extract("year", FeedRecord.occurred_on) * 372 + extract("month", FeedRecord.occurred_on) * 31
           + extract("day", FeedRecord.occurred_on))  # fmt: skip
    return day.cast(BigInteger) * ID_SPAN + FeedRecord.id


def _query(session: Session, measures: list[Measure], since: date, until: date, by: str, where: list):
    """One GROUP BY (year, key) over the feed's records: 8 aggregates per measure (see `_cell`), each only where
    the measure wants it (every use of a field reads the record's JSON again). A source's last value of a year is
    read from its last record with a value (the max of `_order_key`), joined back by id."""
    year = extract("year", FeedRecord.occurred_on).cast(Integer)
    key = FeedRecord.subject_id if by == "subject" else Subject.org_unit_id
    who, zero, columns, lasts = FeedRecord.subject_id, literal(0), [], []
    for m in measures:
        x = _x(m)
        rows = func.count() if not m.of else func.sum(case((_number(m.of) > 0, 1), else_=0))
        if m.want == "share":
            hit = and_(_number(m.of) > 0, _number(m.field) > 0) if m.of else x > 0
            columns += [rows, zero, zero, func.sum(case((hit, 1), else_=0)), zero, zero]
        elif m.want == "sources" and by == "unit":
            columns += [rows, zero, func.sum(x), zero, func.count(distinct(case((x.is_not(None), who))))]
            columns.append(func.count(distinct(case((x > 0, who)))))
        else:
            columns += [rows, func.count(x), func.sum(x), zero, zero, zero]
        columns.append(func.min(x) if m.agg == "min" else zero)
        last = m.agg == "last" and by == "subject"
        columns.append(func.max(case((x.is_not(None), _order_key()))) if last else zero)
        lasts.append(last)
    stmt = _base(measures, since, until, where, [year.label("y"), key.label("k"),
                 *(c.label(f"c{n}") for n, c in enumerate(columns))]).group_by(year, key)  # fmt: skip
    if not any(lasts):
        return session.execute(stmt).all()
    g = stmt.subquery()
    out, joined = [g.c.y, g.c.k], g
    for i, (m, last) in enumerate(zip(measures, lasts, strict=True)):
        out += [g.c[f"c{8 * i + n}"] for n in range(7)]
        if last:
            record = aliased(FeedRecord)
            joined = joined.outerjoin(record, record.id == g.c[f"c{8 * i + 7}"] % ID_SPAN)
            out.append(record.values[m.field].as_float())
        else:
            out.append(g.c[f"c{8 * i + 7}"])
    return session.execute(select(*out).select_from(joined)).all()


def _cell(m: Measure, row, at: int, by: str) -> Cell | None:
    rows, records, total, positive, sources, positive_sources, low, last = row[at : at + 8]
    rows, records = int(rows or 0), int(records or 0)
    if not rows:
        return None
    total, positive = float(total or 0), int(positive or 0)
    if by == "subject":  # the group is one source
        sources, positive_sources = int(records > 0), int(positive > 0)
    if m.want == "sources" and by == "unit":
        records = sources
    value = None
    if records:
        value = {"sum": total, "min": low, "last": last}.get(m.agg, total / records)
        value = float(value) if value is not None else None
    return Cell(rows, records, total, positive, int(sources or 0), int(positive_sources or 0), value)


def aggregate(
    session: Session, measures: list[Measure], since: date, until: date, *, by: str = "subject", where=()
) -> dict[Measure, dict[tuple[int, int | None], Cell]]:
    """{measure: {(year, subject id or unit id): Cell}} of the records with since <= occurred_on <= until, one
    query per feed; `by` "subject" (the record's source) or "unit" (its subject's org unit)."""
    assert by in ("subject", "unit") and all(m.agg in AGGS and m.want in WANTS for m in measures)
    by_feed: dict[str, list[Measure]] = {}
    for m in measures:
        by_feed.setdefault(m.feed, []).append(m)
    out: dict[Measure, dict] = {m: {} for m in measures}
    for group in by_feed.values():
        for row in _query(session, group, since, until, by, list(where)):
            for n, m in enumerate(group):
                if (cell := _cell(m, row, 2 + 8 * n, by)) is not None:
                    out[m][(int(row[0]), row[1])] = cell
    return out


__all__ = ["AGGS", "WANTS", "Cell", "Measure", "aggregate"]
