"""A subject's 平台数据: the yearly aggregates of the feeds that concern it, with the basic standard's criterion
(or the feed's threshold) and a trend over the years held.

Which records concern a subject:
- a teacher or student: its own records (a 辅导员's and a 职员's records reach their personal 教师-level subject);
- a 专业学生综合素质培养: its own (the class feeds of the major's classes reach it) and its students';
- a course: its team's records of the teaching feeds (the feeds do not name the course, so a teacher's 评教 counts
  for each course they teach);
- a major: its team's and its courses' teams', its students' and its 专业学生综合素质培养's;
- a faculty team: its members';
- a college or a 职能部门: its people's (teachers, counselors, staff of the unit and its 教研室 / 科室), and for
  a college its students' and its majors' 专业学生综合素质培养.
A person's value for a year is the measure's aggregate (sum for totals such as 年教学工作量, the last for a
graduate's credits, else the mean); a unit's is the mean over its members, with how many members fall below.
The feeds' one grouped aggregate (`aggregate`, by subject and year, in SQL) gives the persons' values. The caller
loaded the subject through a permission check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..models import FeedRecord, OrgUnit, SchoolClass, Subject, SubjectMember
from ..standards import criteria_for
from ..warnings import table39
from .aggregate import Measure, aggregate
from .catalogue import TABLE39_KEYS
from .service import all_feeds

YEARS = 3  # the year judged and the two before it: the trend
PERSONAL = ("teacher", "student")
COURSE_FEEDS = ("teaching_evaluation", "supervision_guidance", "homework_marking", "class_test")
SUM_FIELDS = {("discipline", "incidents"), ("teacher_attendance", "absent"), ("student_attendance", "absent"),
              ("dorm_return", "late"), ("counselor_duty", "shifts"), ("counselor_group_guidance", "sessions"),
              ("homework_marking", "assigned"), ("homework_marking", "marked")}  # fmt: skip
BOUND = re.compile(r"^\s*(≥|>=|>|≤|<=|<)\s*(-?\d+(?:\.\d+)?)\s*$")
RATES = {("graduation", "graduated"): "毕业率", ("graduation", "employed"): "就业率"}  # 0/1: a unit's share in %


@dataclass
class Indicator:
    feed_key: str
    feed_name: str
    field_key: str
    label: str
    unit: str
    threshold: str  # "≥ 95" ("" when neither the standard nor the feed sets one)
    standard: str | None  # the basic standard the criterion is from
    table39: bool  # a table-39 (管理过程) feed
    values: dict[int, float | None]  # year -> value
    below: dict[int, int] = field(default_factory=dict)  # unit subjects: year -> members below the threshold
    members: dict[int, int] = field(default_factory=dict)  # unit subjects: year -> members with data
    met: bool | None = None  # the judged year's value against the threshold; None: no value, no threshold, open
    running: bool = False  # a yearly total of a year not over yet

    @property
    def trend(self) -> list[tuple[str, float]]:
        return [(str(y), v) for y, v in sorted(self.values.items()) if v is not None]


@dataclass
class Panel:
    subject: Subject
    year: int
    years: list[int]
    rows: list[Indicator]
    unit_level: bool

    @property
    def series(self) -> list[dict]:
        """Chart series (web/static/feed_charts.js) of the indicators with two years or more; the threshold's
        bound drawn as its line."""
        out = []
        for r in self.rows:
            if len(r.trend) >= 2:
                bound = BOUND.match(r.threshold or "")
                low = float(bound.group(2)) if bound and bound.group(1)[0] in "≥>" else None
                high = float(bound.group(2)) if bound and bound.group(1)[0] in "≤<" else None
                out.append({"feed": r.feed_name, "field": r.label, "unit": r.unit, "owner": "", "min": low,
                            "max": high, "points": r.trend, "threshold": r.threshold})  # fmt: skip
        return out


def _unit_ids(session: Session, unit_id: int | None) -> list[int]:
    if unit_id is None:
        return []
    children = session.scalars(select(OrgUnit.id).where(OrgUnit.parent_id == unit_id)).all()
    return [unit_id, *children]


def member_clause(session: Session, subject: Subject):
    """A WHERE clause on FeedRecord.subject_id: the records that concern the subject."""
    sid = FeedRecord.subject_id
    if subject.type in PERSONAL:
        return sid == subject.id
    team = select(SubjectMember.user_id).where(SubjectMember.subject_id == subject.id)
    people = select(Subject.id).where(Subject.type == "teacher", Subject.user_id.in_(team))
    if subject.type in ("course", "faculty_team"):
        return sid.in_(people)
    if subject.type == "student_cultivation":
        classes = select(SchoolClass.id).where(SchoolClass.major_subject_id == subject.parent_id)
        students = select(Subject.id).where(Subject.type == "student", Subject.class_id.in_(classes))
        return or_(sid == subject.id, sid.in_(students))
    if subject.type == "major":
        courses = select(Subject.id).where(Subject.type == "course", Subject.parent_id == subject.id)
        teams = select(SubjectMember.user_id).where(
            or_(SubjectMember.subject_id == subject.id, SubjectMember.subject_id.in_(courses))
        )
        teachers = select(Subject.id).where(Subject.type == "teacher", Subject.user_id.in_(teams))
        classes = select(SchoolClass.id).where(SchoolClass.major_subject_id == subject.id)
        students = select(Subject.id).where(Subject.type == "student", Subject.class_id.in_(classes))
        cultivation = select(Subject.id).where(Subject.type == "student_cultivation", Subject.parent_id == subject.id)
        return or_(sid.in_(teachers), sid.in_(students), sid.in_(cultivation))
    units = _unit_ids(session, subject.org_unit_id)
    staff = select(Subject.id).where(Subject.type == "teacher", Subject.org_unit_id.in_(units))
    if subject.type != "college":
        return sid.in_(staff)
    classes = select(SchoolClass.id).where(SchoolClass.org_unit_id.in_(units))
    students = select(Subject.id).where(Subject.type == "student", Subject.class_id.in_(classes))
    cultivation = select(Subject.id).where(Subject.type == "student_cultivation", Subject.org_unit_id.in_(units))
    return or_(sid.in_(staff), sid.in_(students), sid.in_(cultivation))


def _measures() -> dict[tuple[str, str], tuple[table39.WarningType, table39.Measure]]:
    return {(t.feed, m.field): (t, m) for t in table39.TYPES if t.feed for m in t.measures}


def _criteria(session: Session, standards: set[str]) -> dict[tuple[str, str], dict]:
    out = {}
    for key in sorted(standards):
        for c in criteria_for(session, key):
            if c.get("level") is None:
                out[(key, c["indicator"])] = c
    return out


def _fmt(bound) -> str:
    return f"{bound:g}" if isinstance(bound, float) else str(bound)


def _test(spec: dict, criterion: dict | None):
    """(threshold text, test) from the standard's criterion, else the feed field's min / max."""
    if criterion is not None and (test := table39.parse_threshold(criterion.get("threshold", ""))) is not None:
        return criterion["threshold"], test
    low, high = spec.get("min"), spec.get("max")
    if low is None and high is None:
        return "", None
    text = "、".join(t for t in ((f"≥ {_fmt(low)}" if low is not None else ""),
                                 (f"≤ {_fmt(high)}" if high is not None else "")) if t)  # fmt: skip
    return text, lambda v: (low is None or v >= low) and (high is None or v <= high)


def _agg(measures: dict, feed_key: str, field_key: str) -> str:
    m = measures.get((feed_key, field_key))
    return m[1].agg if m else ("sum" if (feed_key, field_key) in SUM_FIELDS else "mean")


def for_subject(session: Session, subject: Subject, year: int, today: date) -> Panel:
    """The subject's indicators for `year` and the two years before it (see the module's docstring)."""
    years = list(range(year - YEARS + 1, year + 1))
    since, until = date(years[0], 1, 1), date(year, 12, 31)
    where = [member_clause(session, subject)]
    feeds = {f.key: f for f in all_feeds(session)}
    measures = _measures()
    wanted = [Measure(k, spec["key"], _agg(measures, k, spec["key"])) for k, f in feeds.items()
              if subject.type != "course" or k in COURSE_FEEDS  # a course: its team's teaching feeds only
              for spec in f.fields if spec.get("type") == "number"]  # fmt: skip
    # (feed, field) -> year -> member subject -> its value of the year
    grouped: dict[tuple[str, str], dict[int, dict[int, float]]] = {}
    for m, cells in aggregate(session, wanted, since, until, by="subject", where=where).items():
        for (y, member), cell in cells.items():
            if cell.value is not None:
                grouped.setdefault((m.feed, m.field), {}).setdefault(y, {})[member] = cell.value
    standards = {measures[k][0].standard for k in grouped if k in measures and measures[k][0].standard}
    criteria = _criteria(session, standards)
    unit_level = subject.type not in PERSONAL
    rows = []
    order = {k: i for i, k in enumerate(feeds)}
    for (feed_key, field_key), by_year in sorted(grouped.items(), key=lambda kv: (order[kv[0][0]], kv[0][1])):
        feed = feeds[feed_key]
        spec = next(f for f in feed.fields if f["key"] == field_key)
        t, m = measures.get((feed_key, field_key), (None, None))
        agg = _agg(measures, feed_key, field_key)
        criterion = criteria.get((t.standard, m.indicator)) if t else None
        threshold, test = _test(spec, criterion)
        label, unit = spec["label"], spec.get("unit") or ""
        rate = unit_level and (feed_key, field_key) in RATES
        if rate:
            label, unit, threshold, test = RATES[(feed_key, field_key)], "%", "", None
        row = Indicator(feed_key, feed.name, field_key, label, unit, threshold, t.standard if criterion else None,
                        feed_key in TABLE39_KEYS, {})  # fmt: skip
        for y in years:
            members = by_year.get(y, {})
            if not members:
                row.values[y] = None
                continue
            value = sum(members.values()) / len(members)
            value = round(value * 100, 1) if rate else round(value, 2)
            row.values[y] = value
            if unit_level:
                row.members[y] = len(members)
                if test is not None:
                    row.below[y] = sum(1 for v in members.values() if not test(v))
        current = row.values.get(year)
        row.running = agg == "sum" and year >= today.year and test is not None
        if current is not None and test is not None and not row.running:
            row.met = bool(test(current))
        rows.append(row)
    return Panel(subject, year, years, rows, unit_level)


__all__ = ["Indicator", "Panel", "for_subject", "member_clause"]
