"""Table 40's indicators the collected data holds (毕业率, 就业率, 证书获取率, 违纪率) and table 37's per-unit figures
(评教, 教学工作量, 出勤), per unit and year, from the feeds' records.

A record counts for the unit of its 信息源's subject (a teacher's or student's own subject, whose unit is their
department or college); the total is the sum over the units shown. The figures come from the feeds' one grouped
aggregate (`engine.feeds.aggregate`, by unit and year), which a subject's 平台数据 reads too (by subject).
A feed the school does not have, or has no records of, gives no figure: the view shows only the indicators the
data holds.
- `share`: the records whose field is positive among those counted (all, or those whose `of` field is positive);
- `mean`: the mean of a field over the records;
- `per_subject`: a field summed per source, averaged over the sources (e.g. a teacher's hours in the year);
- `student_share`: the students with a positive field among the unit's students (违纪率).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import feeds
from ..core.errors import N_
from ..feeds import Cell, Measure
from ..models import Subject

PERSON_TYPES = ("teacher", "student")


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    feed: str
    field: str
    how: str  # share / mean / per_subject / student_share
    unit: str = "%"
    of: str | None = None  # share: the field that admits a record to the denominator
    higher_is_better: bool = True


INDICATORS = (
    Indicator("graduation_rate", N_("毕业率"), "graduation", "graduated", "share"),
    Indicator("employment_rate", N_("就业率"), "graduation", "employed", "share", of="graduated"),
    Indicator("certificate_rate", N_("证书获取率"), "graduation", "certificates", "share"),
    Indicator("discipline_rate", N_("违纪率"), "discipline", "incidents", "student_share", higher_is_better=False),
    Indicator("evaluation", N_("学生评教均分"), "teaching_evaluation", "score", "mean", N_("分")),
    Indicator("workload", N_("人均教学工作量"), "teaching_workload", "hours", "per_subject", N_("学时")),
    Indicator("teacher_attendance", N_("教师出勤率"), "teacher_attendance", "rate", "mean"),
    Indicator("student_attendance", N_("学生出勤率"), "student_attendance", "rate", "mean"),
)
BY_KEY = {i.key: i for i in INDICATORS}


def _students_per_unit(session: Session) -> dict[int | None, int]:
    return dict(session.execute(
        select(Subject.org_unit_id, func.count()).where(Subject.type == "student").group_by(Subject.org_unit_id)
    ).all())  # fmt: skip


def _measure(ind: Indicator) -> Measure:
    want = {"share": "share", "per_subject": "sources", "student_share": "sources"}.get(ind.how, "value")
    return Measure(ind.feed, ind.field, "sum" if ind.how == "per_subject" else "mean", ind.of, want)


def _pair(ind: Indicator, cell: Cell) -> tuple[float, int]:
    """(a, b) of a unit's cell: a sum and a count (mean, per_subject), hits and counted (share), or the students
    hit (student_share, b unused)."""
    if ind.how == "mean":
        return cell.total, cell.records
    if ind.how == "per_subject":
        return cell.total, cell.sources
    if ind.how == "share":
        return cell.positive, cell.rows
    return cell.positive_sources, 0


def _figure(ind: Indicator, a: float, b: int, students: int) -> dict | None:
    if ind.how == "student_share":
        return {"value": round(100 * a / students, 1), "n": students} if students else None
    if not b:
        return None
    if ind.how == "share":
        return {"value": round(100 * a / b, 1), "n": b}
    return {"value": round(a / b, 1), "n": b}


def compute(session: Session, years: list[int], unit_ids=None) -> dict[str, dict]:
    """{indicator key: {(year, unit id or None): {"value", "n"}}} for the indicators with any record in `years`
    (with `unit_ids`, only those units' records count, for them and for the total: unit None)."""
    since, until = date(min(years), 1, 1), date(max(years), 12, 31)
    out: dict[str, dict] = {}
    students: dict[int | None, int] | None = None
    where = [Subject.type.in_(PERSON_TYPES)]
    if unit_ids is not None:
        where.append(Subject.org_unit_id.in_(sorted(unit_ids) or [-1]))
    cells = feeds.aggregate(session, [_measure(i) for i in INDICATORS], since, until, by="unit", where=where)
    for ind in INDICATORS:
        rows = [(y, u, *_pair(ind, c)) for (y, u), c in cells[_measure(ind)].items() if _pair(ind, c)[0] or
                ind.how != "student_share"]  # fmt: skip
        if not rows:
            continue
        if ind.how == "student_share" and students is None:
            students = _students_per_unit(session)
        totals: dict[int, list] = {}
        figures = {}
        for year, unit, a, b in rows:
            a, b = float(a or 0), int(b or 0)
            t = totals.setdefault(int(year), [0.0, 0, 0])
            t[0], t[1], t[2] = t[0] + a, t[1] + b, t[2] + (students or {}).get(unit, 0)
            if (figure := _figure(ind, a, b, (students or {}).get(unit, 0))) is not None:
                figures[(int(year), unit)] = figure
        if ind.how == "student_share":  # every unit with students counts, a unit without incidents at 0 %
            scope = {u: n for u, n in (students or {}).items() if u is not None and (unit_ids is None or u in unit_ids)}
            for year, t in totals.items():
                t[2] = sum(scope.values())
                for u, n in scope.items():
                    figures.setdefault((year, u), _figure(ind, 0, 0, n))
        for year, (a, b, n) in totals.items():
            if (figure := _figure(ind, a, b, n)) is not None:
                figures[(year, None)] = figure
        if figures:
            out[ind.key] = figures
    return out
