"""One grouped aggregate of the feeds' numeric fields, per year and per source subject or per unit, in SQL (SQLite
and PostgreSQL): what a subject's 平台数据 (engine/feeds/indicators.py) and the leaders' 质量看板 (engine/quality)
read. Reading the records one by one through `values_of` took 5-11 s for 200,000 records; one GROUP BY per feed,
the fields read from the record's JSON in SQL, takes a fraction of that (bench/quality_view.py).

A `Measure` is a feed's number field, how a source's records of a year make its value (`agg`) and, optionally, a
field that admits a record (`of`: only records where it is positive count, e.g. the employed among the graduated).
Every group gets a `Cell` with what both views derive their figures from:
- `rows`: the records admitted, `records`: those with a value, `total` their sum, `positive` those above 0
  (`want` "value"; "share" gives only `rows` and `positive`);
- `sources` / `positive_sources` with `total`: the sources (subjects) with a value / above 0 (`want` "sources",
  grouped by unit: a distinct count costs; grouped by subject the group is one source);
- `value` (grouped by subject only): the source's value by `agg`: mean, sum, min or the last in day order.
Records count only when their subject exists; `where` narrows them (a subject's members, people, units).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, and_, case, distinct, extract, func, literal, null, select
from sqlalchemy.orm import Session

from ..models import FeedRecord, Subject

AGGS = ("mean", "sum", "min", "last")


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

    @property
    def mean(self) -> float | None:
        return self.total / self.records if self.records else None


def _number(field: str):
    return FeedRecord.values[field].as_float()


def _x(m: Measure):
    """The measure's value in SQL: NULL when absent or not admitted."""
    return case((_number(m.of) > 0, _number(m.field))) if m.of else _number(m.field)


def _needs_window(measures: list[Measure], by: str) -> bool:
    return by == "subject" and any(m.agg == "last" for m in measures)


def _base(measures: list[Measure], since: date, until: date, by: str, where: list, columns: list):
    feed = measures[0].feed
    return (
        select(*columns)
        .select_from(FeedRecord)
        .join(Subject, Subject.id == FeedRecord.subject_id)
        .where(FeedRecord.feed_key == feed, FeedRecord.occurred_on >= since, FeedRecord.occurred_on <= until, *where)
    )


def _query(session: Session, measures: list[Measure], since: date, until: date, by: str, where: list):
    """One GROUP BY (year, key) over the feed's records: 8 aggregates per measure (see `_cell`); the costly ones
    (distinct sources, a window for the last value) only where asked for."""
    year = extract("year", FeedRecord.occurred_on).cast(Integer)
    key = FeedRecord.subject_id if by == "subject" else Subject.org_unit_id
    xs = [_x(m) for m in measures]
    admitted = [(_number(m.of) > 0) if m.of else None for m in measures]
    window = _needs_window(measures, by)
    if window:  # a source's last value of the year: the first in reverse day order among its records with a value
        lasts = [
            func.first_value(x).over(
                partition_by=(FeedRecord.subject_id, year),
                order_by=(case((x.is_(None), 1), else_=0), FeedRecord.occurred_on.desc(), FeedRecord.id.desc()),
            )
            if m.agg == "last"
            else null()
            for m, x in zip(measures, xs, strict=True)
        ]
        inner = [year.label("y"), key.label("k"), FeedRecord.subject_id.label("w")]
        for i, (x, a, last) in enumerate(zip(xs, admitted, lasts, strict=True)):
            inner += [x.label(f"x{i}"), (literal(1) if a is None else case((a, 1), else_=0)).label(f"a{i}")]
            inner.append(last.label(f"l{i}"))
        r = _base(measures, since, until, by, where, inner).subquery().c
        year, key, who = r.y, r.k, r.w
        xs = [r[f"x{i}"] for i in range(len(measures))]
        rows_of = [func.sum(r[f"a{i}"]) for i in range(len(measures))]
        lasts = [r[f"l{i}"] for i in range(len(measures))]
    else:
        who = FeedRecord.subject_id
        rows_of = [func.count() if a is None else func.sum(case((a, 1), else_=0)) for a in admitted]
        lasts = [None] * len(measures)
    columns = []
    zero = literal(0)
    for m, x, rows, last in zip(measures, xs, rows_of, lasts, strict=True):
        # each use of x reads the JSON again (SQLite inlines it): only the statistics the measure wants
        if m.want == "share":
            hit = x > 0 if not m.of or window else and_(_number(m.of) > 0, _number(m.field) > 0)
            columns += [rows, zero, zero, func.sum(case((hit, 1), else_=0)), zero, zero]
        elif m.want == "sources" and by == "unit":
            columns += [rows, zero, func.sum(x), zero, func.count(distinct(case((x.is_not(None), who))))]
            columns.append(func.count(distinct(case((x > 0, who)))))
        else:
            columns += [rows, func.count(x), func.sum(x), func.sum(case((x > 0, 1), else_=0)), zero, zero]
        columns += [func.min(x) if m.agg == "min" else zero, func.max(last) if last is not None else zero]
    stmt = select(year, key, *columns) if window else _base(measures, since, until, by, where, [year, key, *columns])
    return session.execute(stmt.group_by(year, key)).all()


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
    assert by in ("subject", "unit") and all(m.agg in AGGS for m in measures)
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


__all__ = ["AGGS", "Cell", "Measure", "aggregate"]
