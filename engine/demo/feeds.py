"""The demo's data feeds (table 37): each of the three ways in used once or more, through the one service.

考勤系统 pushes 教师出勤 through the API path (a token issued by 教务处, as the provider would hold it); 学工部
uploads 考勤系统's export of 学生上课出勤 and 门禁系统's 归寝; 学生评教 comes from the 评教 system; the 学习委员 of
物联网应用技术2025级1班 enters 课堂学习信息 by hand, and 张伟 (t01) his 作业布置与批改.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..feeds import feed_of_token, ingest, issue_token, parse_upload
from ..models import FeedDefinition, User

TEACHERS = ("t01", "t02", "t03", "t06", "t07")
WEEKS = 8


def _feed(session: Session, key: str) -> FeedDefinition:
    return session.scalar(select(FeedDefinition).where(FeedDefinition.key == key))


def _user(session: Session, username: str) -> User:
    return session.scalar(select(User).where(User.username == username))


def load_feeds(session: Session, now: datetime) -> dict:
    """Records for the demo teachers, students and one class over the last weeks; returns counts per feed."""
    today = now.date()
    days = [today - timedelta(days=7 * w + 1) for w in reversed(range(WEEKS))]
    counts = {}
    jwc, xgb = _user(session, "jwc_staff"), _user(session, "xgb_reviewer")
    # pushed: 教师出勤 with a token of the feed, as 考勤系统 would send it (t03 falls below 95% in the last weeks)
    token = issue_token(session, jwc, _feed(session, "teacher_attendance"), "考勤系统（演示）", now)
    feed = feed_of_token(session, token)
    records = [
        {"record_key": f"KQ-{t}-{d:%Y%m%d}", "source": t, "occurred_on": d.isoformat(),
         "values": {"rate": 92 - i if t == "t03" and i < 3 else 100 - (i + n) % 4, "absent": (i + n) % 3}}
        for n, t in enumerate(TEACHERS) for i, d in enumerate(reversed(days))
    ]  # fmt: skip
    counts[feed.key] = ingest(session, feed, records, "api", now, actor_id=None)["created"]
    # uploaded: 学生上课出勤 and 归寝 exports of the students of two classes
    students = session.scalars(select(User.username).where(User.kind == "student").order_by(User.username)).all()
    for key, row in (
        ("student_attendance", lambda s, i, n: [100 - (i * 3 + n) % 12, (i + n) % 4]),
        ("dorm_return", lambda s, i, n: [(i + n) % 4]),
    ):
        feed = _feed(session, key)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["记录号", "信息源", "日期", *(f["label"] for f in feed.fields)])
        for n, s in enumerate(students[:20]):
            for i, d in enumerate(days):
                writer.writerow([f"{key[:2].upper()}-{s}-{d:%Y%m%d}", s, d.isoformat(), *row(s, i, n)])
        records, _notes = parse_upload(feed, f"{key}.csv", out.getvalue().encode("utf-8"))
        counts[key] = ingest(session, feed, records, "upload", now, actor_id=xgb.id)["created"]
    # 学生评教 at the end of the last two terms' months
    feed = _feed(session, "teaching_evaluation")
    records = [{"record_key": f"PJ-{t}-{d:%Y%m%d}", "source": t, "occurred_on": d.isoformat(),
                "values": {"score": 78 + (n * 3 + i * 5) % 18, "comment": "讲解清楚，案例贴近岗位。"}}
               for n, t in enumerate(TEACHERS) for i, d in enumerate(days[::3])]  # fmt: skip
    counts[feed.key] = ingest(session, feed, records, "api", now, actor_id=None)["created"]
    # entered by hand: the class's 学习委员 (s01) and t01
    s01, t01 = _user(session, "s01"), _user(session, "t01")
    feed = _feed(session, "class_learning")
    records = [{"record_key": f"KT-510102-2501-{d:%Y%m%d}", "source": "510102-2501", "occurred_on": d.isoformat(),
                "values": {"attendance": 96 - i % 3 * 4, "focus": 70 + i * 3, "note": "课堂讨论积极。"}}
               for i, d in enumerate(days)]  # fmt: skip
    counts[feed.key] = ingest(session, feed, records, "form", now, actor_id=s01.id)["created"]
    feed = _feed(session, "homework_marking")
    records = [{"record_key": f"ZY-t01-{d:%Y%m%d}", "source": "t01", "occurred_on": d.isoformat(),
                "values": {"assigned": 2, "marked": 2 - i % 2, "note": "单片机实验报告"}}
               for i, d in enumerate(days)]  # fmt: skip
    counts[feed.key] = ingest(session, feed, records, "form", now, actor_id=t01.id)["created"]
    return counts
