"""The demo school's earlier years, so the leaders' quality view (质量看板) has trends to draw: the satisfaction
surveys of the three years before, 学生评教 and 教师出勤 records of those years (all above the basic standard, so
the table-39 rules raise nothing), and the warnings those years raised and resolved. Made through the services
(engine/supervision/surveys, engine/feeds, engine/warnings) with each year's date as their `now`."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import periods, settings
from ..feeds import ingest
from ..models import FeedDefinition, OrgUnit, Subject, User
from ..supervision import surveys
from ..warnings import service as warnings
from .supervision import COLLEGES, EMPLOYER_SHIFT

YEARS_BACK = 3
TEACHERS = ("t01", "t02", "t03", "t06", "t07", "t08")
# (years ago, unit code, level, title): warnings of earlier years, each resolved some weeks later
WARNINGS = [
    (3, "JWC", "yellow", "2023 年度专业建设质量标准制定逾期"), (3, "DZXY", "red", "实训室安全隐患：配电箱未上锁"),
    (3, "RJXY", "yellow", "课程教学未达到教学基本标准"), (2, "DZXY", "yellow", "教师发展目标确定逾期"),
    (2, "RJXY", "red", "教学事故：调课未报备"), (2, "XGB", "yellow", "学生综合素质培养计划制定逾期"),
    (1, "DZXY", "yellow", "课程标准制定逾期"), (1, "JWC", "yellow", "基本标准修订逾期"),
]  # fmt: skip


def _at(session: Session, year: int, month: int, day: int) -> datetime:
    return datetime.combine(date(year, month, day), time(10), settings.of(session).timezone)


def _surveys(session: Session, year: int) -> int:
    """Graduate surveys of the three years before the last, employer surveys of the three before this one; the
    figures rise a little each year."""
    subjects = {s.code: s for s in session.scalars(select(Subject).where(Subject.type == "major"))}
    names = dict(session.execute(select(OrgUnit.code, OrgUnit.name)).all())
    made = 0
    for kind, last, shift in (("graduate", year - 2, 0.0), ("employer", year - 1, EMPLOYER_SHIFT)):
        for back in range(YEARS_BACK):
            survey_year, lower = last - back, 1.2 * (back + 1)
            rows = [[names[code], subjects[m].name if m else "", item, n - 5 * (back + 1),
                     round(rate + shift - lower, 1)]
                    for code, items in COLLEGES.items() for m, item, n, rate in items]  # fmt: skip
            surveys.import_workbook(
                session, kind, survey_year, "第三方调查机构", rows, _at(session, survey_year, 10, 15)
            )
            made += 1
    return made


def _feeds(session: Session, year: int) -> int:
    """Two 学生评教 results (one per term) and four monthly 教师出勤 figures per teacher and earlier year."""
    made = 0
    for key, make in (
        ("teaching_evaluation", lambda t, n, y, i: {"score": 82 + (n + y + i) % 7, "comment": "认真负责"}),
        ("teacher_attendance", lambda t, n, y, i: {"rate": 96 + (n + i) % 4, "absent": (n + i) % 2}),
    ):
        feed = session.scalar(select(FeedDefinition).where(FeedDefinition.key == key))
        if feed is None:
            continue
        months = (6, 12) if key == "teaching_evaluation" else (3, 5, 10, 12)
        for back in range(1, YEARS_BACK + 1):
            y = year - back
            records = [
                {"record_key": f"HIST-{key}-{t}-{y}-{m}", "source": t, "occurred_on": date(y, m, 20).isoformat(),
                 "values": make(t, n, y, i)}
                for n, t in enumerate(TEACHERS) for i, m in enumerate(months)
            ]  # fmt: skip
            made += ingest(session, feed, records, "upload", _at(session, y, 12, 28))["created"]
    return made


def _warnings(session: Session, year: int) -> int:
    units = dict(session.execute(select(OrgUnit.code, OrgUnit.id)).all())
    office = session.scalar(select(User).where(User.username == "zlc_admin"))
    for n, (back, code, level, title) in enumerate(WARNINGS):
        raised = _at(session, year - back, 3 + n % 8, 10)
        w = warnings.create(session, kind="quality_accident" if "事故" in title else "work_standard_missing",
                            level=level, title=title, description=title, org_unit_id=units[code], now=raised,
                            source="manual", reporter=office, send=False)  # fmt: skip
        warnings.close(session, w, office, "resolve", "已整改完毕。", raised + timedelta(days=21 + n))
    return len(WARNINGS)


def load(session: Session, now: datetime) -> dict:
    """The earlier years' surveys, feed records and warnings, as of `now` (the demo year's end)."""
    year = periods.local_year(now, settings.of(session).timezone)
    return {"surveys": _surveys(session, year), "records": _feeds(session, year), "warnings": _warnings(session, year)}
