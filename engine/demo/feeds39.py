"""The demo's table-39 (管理过程) feeds over three years, so a subject's 平台数据 shows a trend, and their rules
raise a few warnings of the new types.

人力资源处 uploads 考勤系统's monthly 职员出勤 and its own 师资培训 hours; 党委学生工作部 enters the counselors'
monthly 辅导员对学生教育 and a 学生违纪; 教务处 uploads the 学习委员's monthly 学生课堂学习 sheets of two classes
for this school year; 教务处's 实习管理系统 pushes one class's 认知实习; the 评教 system sends the 学生评教 of
the two years before. Below standard on purpose: 基建后勤处's clerk's attendance this year, 刘洋 (t04)'s
training hours last year, 冯辅导 (c02)'s dorm visits this year, one class's homework rate and one student's
实习周志. The demo's students all entered in 2025: no 毕业生毕业 yet.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import settings
from ..feeds import ingest, values_of
from ..models import FeedDefinition, User
from ..warnings import catalogue, table39

STAFF = ("dzb_staff", "jwc_staff", "xxh_staff", "dzxy_office", "rjxy_office", "jhc_staff")
TEACHERS = ("t01", "t02", "t03", "t04", "t05", "t06", "t07", "t08", "t09", "t10")
CLASSES = ("510102-2501", "510203-2501")
TYPES = ("staff_attendance", "teacher_training", "counselor_education", "classroom_learning", "internship")


def _months(today: date, years: int = 3) -> list[date]:
    """The 25th of each month from January `years - 1` years ago to last month."""
    out = []
    for year in range(today.year - years + 1, today.year + 1):
        for month in range(1, 13):
            day = date(year, month, 25)
            if day < today.replace(day=1):
                out.append(day)
    return out


def _ingest(session: Session, key: str, rows: list[tuple[str, date, dict]], via: str, actor: User | None, now):
    feed = session.scalar(select(FeedDefinition).where(FeedDefinition.key == key))
    records = [{"record_key": f"{key[:3].upper()}-{source}-{day:%Y%m%d}", "source": source,
                "occurred_on": day.isoformat(), "values": values} for source, day, values in rows]  # fmt: skip
    return ingest(session, feed, records, via, now, actor_id=actor.id if actor else None)["created"]


def load(session: Session, now: datetime) -> dict:
    """The records, then the table-39 rules over them (this year's and last year's); returns counts."""
    today = settings.of(session).today(now)
    users = {u.username: u for u in session.scalars(select(User).where(User.username.in_(
        ("rsc_reviewer", "xgb_reviewer", "jwc_staff"))))}  # fmt: skip
    months = _months(today)
    this_year = today.year
    counts = {}
    attendance = [
        (s, d, {"attendance_rate": (91 if s == "jhc_staff" and d.year == this_year else 97 + (n + d.month) % 3),
                "absent_days": 0})
        for n, s in enumerate(STAFF) for d in months
    ]  # fmt: skip
    counts["staff_attendance"] = _ingest(session, "staff_attendance", attendance, "upload", users["rsc_reviewer"], now)
    training = [
        (t, date(y, m, 20), {"hours": (10 if t == "t04" and y == this_year - 1 else 18 + (n + y) % 9),
                             "programme": "职业院校教师信息化教学能力提升" if m == 7 else "企业实践与专业前沿"})
        for n, t in enumerate(TEACHERS) for y in range(this_year - 2, this_year + 1) for m in (1, 7)
        if date(y, m, 20) < today
    ]  # fmt: skip
    counts["teacher_training"] = _ingest(session, "teacher_training", training, "upload", users["rsc_reviewer"], now)
    counselor = [
        (c, d, {"dorm_visits_per_week": 1.5 if c == "c02" and d.year == this_year else 2 + (d.month % 3) / 2,
                "class_meetings_per_month": 1 + d.month % 2})
        for c in ("c01", "c02") for d in months if d.month not in (2, 8)
    ]  # fmt: skip
    counts["counselor_work"] = _ingest(session, "counselor_work", counselor, "form", users["xgb_reviewer"], now)
    school_year = [d for d in months if d >= date(2025, 9, 1) and d.month not in (2, 8)]
    learning = [
        (k, d, {"homework_rate": (84 + i % 3 if k == "510203-2501" else 93 + i % 5), "pass_rate": 88 + i % 6})
        for k in CLASSES for i, d in enumerate(school_year)
    ]  # fmt: skip
    counts["classroom_learning"] = _ingest(session, "classroom_learning", learning, "upload", users["jwc_staff"], now)
    if school_year:
        incident = [("s13", school_year[-1], {"incidents": 1, "note": "多次晚归，通报批评"})]
        counts["discipline"] = _ingest(session, "discipline", incident, "form", users["xgb_reviewer"], now)
    internship_day = date(this_year, 7, 15)
    if internship_day < today and this_year >= 2026:
        students = session.scalars(
            select(User.username).where(User.kind == "student", User.class_id.is_not(None)).order_by(User.username)
        ).all()[20:30]  # 软件技术2025级1班: 认知实习
        rows = [(s, internship_day, {"journal_rate": 70 if n == 0 else 92 + n % 8, "tutor": "杨磊"})
                for n, s in enumerate(students)]  # fmt: skip
        counts["internship"] = _ingest(session, "internship", rows, "api", None, now)
    history = [  # 学生评教 of the two years before (the recent terms' come with the table-37 demo)
        (t, date(y, m, 28), {"score": 80 + (n * 7 + y + m) % 13, "comment": "课堂组织有序，作业反馈及时。"})
        for n, t in enumerate(TEACHERS) for y in (this_year - 2, this_year - 1) for m in (6, 12)
    ]  # fmt: skip
    counts["teaching_evaluation"] = _ingest(session, "teaching_evaluation", history, "api", None, now)
    out: Counter = Counter()
    since = date(this_year - 1, 1, 1)
    for key in TYPES:
        rows = values_of(session, table39.BY_KEY[key].feed, since, today)
        catalogue.raise_below(session, key, rows, now, out)
    counts["warnings"] = out["raised"]
    return counts
