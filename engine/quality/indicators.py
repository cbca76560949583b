"""Table 40's indicators the collected data holds (毕业率, 就业率, 证书获取率, 违纪率) and table 37's per-unit figures
(评教, 教学工作量, 出勤), per unit and year, from the feeds' records (engine.feeds.values_of).

Each feed is read once for all the years shown; a record counts for the unit of its 信息源's subject (a teacher's
or student's own subject, whose unit is their department or college) and for the school. A feed the school
does not have, or has no records of, gives no figure: the view shows only the indicators the data holds.
- `share`: the records whose field is positive among those counted (all, or those whose `of` field is positive);
- `mean`: the mean of a field over the records;
- `per_subject`: a field summed per source, averaged over the sources (e.g. a teacher's hours in the year);
- `student_share`: the students with a positive field among the unit's students (违纪率).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core.errors import N_
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

Reader = Callable[[Session, str, date, date], list]


def _number(values: dict, key: str) -> float | None:
    value = (values or {}).get(key)
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _students_per_unit(session: Session, unit_ids) -> dict[int | None, int]:
    rows = session.execute(
        select(Subject.org_unit_id, func.count()).where(Subject.type == "student").group_by(Subject.org_unit_id)
    ).all()
    out: dict[int | None, int] = dict(rows)
    out[None] = sum(n for u, n in rows if unit_ids is None or u in unit_ids)
    return out


def _subject_units(session: Session) -> dict[int, int | None]:
    return dict(session.execute(select(Subject.id, Subject.org_unit_id).where(Subject.type.in_(PERSON_TYPES))).all())


def _figure(ind: Indicator, records: list[tuple[int, dict]], students: int) -> dict | None:
    """{"value", "n"} of one unit's (or the school's) records of one year; None without any."""
    if ind.how == "mean":
        xs = [x for _s, v in records if (x := _number(v, ind.field)) is not None]
        return {"value": round(sum(xs) / len(xs), 1), "n": len(xs)} if xs else None
    if ind.how == "share":
        counted = [v for _s, v in records if ind.of is None or (_number(v, ind.of) or 0) > 0]
        if not counted:
            return None
        hits = sum(1 for v in counted if (_number(v, ind.field) or 0) > 0)
        return {"value": round(100 * hits / len(counted), 1), "n": len(counted)}
    if ind.how == "per_subject":
        per: dict[int, float] = {}
        for subject, v in records:
            if (x := _number(v, ind.field)) is not None:
                per[subject] = per.get(subject, 0.0) + x
        return {"value": round(sum(per.values()) / len(per), 1), "n": len(per)} if per else None
    # student_share
    hit = {subject for subject, v in records if (_number(v, ind.field) or 0) > 0}
    if not students:
        return None
    return {"value": round(100 * len(hit) / students, 1), "n": students}


def compute(session: Session, years: list[int], reader: Reader, unit_ids=None) -> dict[str, dict]:
    """{indicator key: {(year, unit id or None): {"value", "n"}}} for the indicators with any record in `years`
    (with `unit_ids`, only those units' records count, for them and for the total: unit None)."""
    since, until = date(min(years), 1, 1), date(max(years), 12, 31)
    units = _subject_units(session)
    students: dict[int | None, int] | None = None
    wanted = set(years)
    out: dict[str, dict] = {}
    read: dict[str, list] = {}
    for ind in INDICATORS:
        if ind.feed not in read:
            read[ind.feed] = reader(session, ind.feed, since, until)
        grouped: dict[tuple[int, int | None], list] = {}
        for subject_id, occurred_on, values in read[ind.feed]:
            if subject_id is None or occurred_on.year not in wanted:
                continue
            unit = units.get(subject_id)
            if unit_ids is not None and unit not in unit_ids:
                continue
            for key in ((occurred_on.year, unit), (occurred_on.year, None)):
                grouped.setdefault(key, []).append((subject_id, values))
        if not grouped:
            continue
        if ind.how == "student_share" and students is None:
            students = _students_per_unit(session, unit_ids)
        figures = {}
        for (year, unit), records in grouped.items():
            figure = _figure(ind, records, (students or {}).get(unit, 0))
            if figure is not None:
                figures[(year, unit)] = figure
        if figures:
            out[ind.key] = figures
    return out
