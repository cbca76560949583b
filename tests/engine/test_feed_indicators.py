"""A subject's 平台数据 (engine/feeds/indicators.py) from known records, and table 39's rules over the feeds that
table 37 lacks: each raises exactly one warning for a below-standard value, once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select

from engine import feeds
from engine.feeds import indicators
from engine.models import FeedDefinition, FeedRecord, OrgFunction, QualityWarning, SchoolClass, Subject
from engine.quality import indicators as quality_indicators
from engine.warnings import rules
from tests.conftest import NOW, own_subject

TODAY = NOW.date()


@pytest.fixture(autouse=True)
def no_demo_records(session):
    """Known records only: the demo's feed records are left out (the test's transaction is rolled back)."""
    session.execute(delete(FeedRecord))


def push(session, feed_key: str, rows: list[tuple[str, str, dict]]) -> dict:
    """rows: (source, day, values); record keys from the feed, source and day."""
    feed = session.scalar(select(FeedDefinition).where(FeedDefinition.key == feed_key))
    records = [{"record_key": f"{source}-{day}-{i}", "source": source, "occurred_on": day, "values": values}
               for i, (source, day, values) in enumerate(rows)]  # fmt: skip
    return feeds.ingest(session, feed, records, "api", NOW)


def subject(session, stype: str, code: str) -> Subject:
    return session.scalar(select(Subject).where(Subject.type == stype, Subject.code == code))


def row(panel, feed_key: str, field_key: str):
    (found,) = [r for r in panel.rows if (r.feed_key, r.field_key) == (feed_key, field_key)]
    return found


def _evaluations(session):
    push(session, "teaching_evaluation", [
        ("t01", "2024-06-01", {"score": 90}), ("t01", "2025-05-01", {"score": 70}),
        ("t01", "2025-11-01", {"score": 80}), ("t01", "2026-05-01", {"score": 85}),
        ("t02", "2026-05-01", {"score": 75}), ("t03", "2026-05-01", {"score": 60}),
        ("t06", "2026-05-01", {"score": 50}),
    ])  # fmt: skip
    push(session, "teaching_workload", [("t01", "2025-03-01", {"hours": 150}), ("t01", "2025-10-01", {"hours": 100})])


def test_a_teachers_indicators_per_year_with_the_criterion_and_the_trend(session):
    _evaluations(session)
    panel = indicators.for_subject(session, own_subject(session, "t01"), 2026, TODAY)
    score = row(panel, "teaching_evaluation", "score")
    assert score.values == {2024: 90, 2025: 75, 2026: 85}  # a year's mean
    assert (score.threshold, score.standard, score.met) == ("≥ 80", "BS12", True)
    assert score.trend == [("2024", 90), ("2025", 75), ("2026", 85)]
    hours = row(panel, "teaching_workload", "hours")
    assert hours.values == {2024: None, 2025: 250, 2026: None}  # a yearly total: the sum
    assert hours.threshold == "≥ 280" and hours.running and hours.met is None  # 2026 is not over
    last_year = indicators.for_subject(session, own_subject(session, "t01"), 2025, TODAY)
    assert row(last_year, "teaching_workload", "hours").met is False
    assert not panel.unit_level and [s["field"] for s in panel.series] == ["评分"]  # drawn: two years or more


def test_a_course_reads_its_teams_teaching_feeds_only(session):
    _evaluations(session)
    course = subject(session, "course", "DZ1001")  # team t01, t02
    panel = indicators.for_subject(session, course, 2026, TODAY)
    score = row(panel, "teaching_evaluation", "score")
    assert score.values[2026] == 80  # (85 + 75) / 2
    assert (score.members[2026], score.below[2026], score.met) == (2, 1, True)
    assert {r.feed_key for r in panel.rows} == {"teaching_evaluation"}  # not the teachers' workload


def test_a_major_reads_its_teams_students_and_classes(session):
    _evaluations(session)
    push(session, "graduation", [
        ("s01", "2026-06-30", {"graduated": 1, "credits": 160, "certificates": 1, "employed": 1}),
        ("s02", "2026-06-30", {"graduated": 0, "credits": 140, "certificates": 0, "employed": 0}),
    ])  # fmt: skip
    push(session, "classroom_learning", [("510102-2501", "2026-04-01", {"homework_rate": 80})])
    panel = indicators.for_subject(session, subject(session, "major", "510102"), 2026, TODAY)
    credits = row(panel, "graduation", "credits")
    assert (credits.values[2026], credits.below[2026], credits.threshold, credits.met) == (150, 1, "≥ 150", True)
    rate = row(panel, "graduation", "graduated")
    assert (rate.label, rate.unit, rate.values[2026]) == ("毕业率", "%", 50.0)
    homework = row(panel, "classroom_learning", "homework_rate")
    assert (homework.values[2026], homework.threshold, homework.met) == (80, "≥ 90", False)
    assert row(panel, "teaching_evaluation", "score").values[2026] == 80  # t01, t02 (not t03: another major)


def test_a_college_reads_its_teachers_staff_and_students_not_another_colleges(session):
    _evaluations(session)
    push(session, "staff_attendance", [("dzxy_office", "2026-03-31", {"attendance_rate": 90, "absent_days": 1})])
    panel = indicators.for_subject(session, subject(session, "college", "DZXY"), 2026, TODAY)
    score = row(panel, "teaching_evaluation", "score")
    assert score.values[2026] == round((85 + 75 + 60) / 3, 2) and score.below[2026] == 2  # not t06 (RJXY)
    attendance = row(panel, "staff_attendance", "attendance_rate")
    assert (attendance.values[2026], attendance.threshold, attendance.met) == (90, "≥ 95", False)
    assert indicators.for_subject(session, subject(session, "college", "RJXY"), 2026, TODAY).rows[0].values[2026] == 50


def test_a_graduates_credits_are_the_last_record_of_the_year_in_day_order(session):
    push(session, "graduation", [("s01", "2026-06-30", {"credits": 160}), ("s01", "2026-01-10", {"credits": 140}),
                                 ("s01", "2026-03-01", {"certificates": 1})])  # fmt: skip
    panel = indicators.for_subject(session, own_subject(session, "s01"), 2026, TODAY)
    credits, certificates = row(panel, "graduation", "credits"), row(panel, "graduation", "certificates")
    assert (credits.values[2026], certificates.values[2026]) == (160, 1)


def test_the_subject_panel_and_the_leaders_view_agree_on_the_same_records(session):
    """One aggregate behind both: a college's per-teacher workload, 评教 and 毕业率 are the same figures on its
    平台数据分析 and on 质量看板 (one 评教 and one graduation record a person: the record mean is the person mean)."""
    records = {
        "teaching_workload": [("t01", "2026-03-01", {"hours": 150}), ("t01", "2026-10-01", {"hours": 150}),
                              ("t02", "2026-04-01", {"hours": 200}), ("t06", "2026-04-01", {"hours": 90})],
        "teaching_evaluation": [("t01", "2026-05-01", {"score": 90}), ("t02", "2026-05-01", {"score": 70}),
                                ("t06", "2026-05-01", {"score": 40})],
        "graduation": [(s, "2026-06-30", {"graduated": int(s != "s02")}) for s in ("s01", "s02", "s03", "s04")],
    }  # fmt: skip
    for feed_key, rows in records.items():
        push(session, feed_key, rows)
    college = subject(session, "college", "DZXY")
    panel = indicators.for_subject(session, college, 2026, TODAY)
    view = quality_indicators.compute(session, [2025, 2026], {college.org_unit_id})
    mine = {k: v[(2026, college.org_unit_id)]["value"] for k, v in view.items()}
    assert row(panel, "teaching_workload", "hours").values[2026] == mine["workload"] == 250  # (300 + 200) / 2
    assert row(panel, "teaching_evaluation", "score").values[2026] == mine["evaluation"] == 80
    assert row(panel, "graduation", "graduated").values[2026] == mine["graduation_rate"] == 75.0  # 3 of 4


def test_class_records_reach_the_majors_student_cultivation_subject(session):
    push(session, "classroom_learning", [("510102-2501", "2026-04-01", {"homework_rate": 95})])
    record = session.scalar(select(FeedRecord).where(FeedRecord.feed_key == "classroom_learning"))
    klass = session.get(SchoolClass, record.class_id)
    target = session.get(Subject, record.subject_id)
    assert target.type == "student_cultivation" and target.parent_id == klass.major_subject_id
    panel = indicators.for_subject(session, target, 2026, TODAY)
    assert row(panel, "classroom_learning", "homework_rate").met is True


# -- table 39's rules over the new feeds ------------------------------------------------------------------

LAST_YEAR = date(TODAY.year - 1, 6, 30).isoformat()
RECENT = (TODAY - timedelta(days=5)).isoformat()
CASES = [  # feed, (source, day, values) below standard, one at standard, the type, its lead function
    ("staff_attendance", ("dzb_staff", RECENT, {"attendance_rate": 88}), ("jwc_staff", RECENT, {"attendance_rate": 99}),
     "staff_attendance", "human_resources"),
    ("teacher_training", ("t01", LAST_YEAR, {"hours": 12}), ("t02", LAST_YEAR, {"hours": 48}), "teacher_training",
     "human_resources"),
    ("counselor_work", ("c01", RECENT, {"dorm_visits_per_week": 1, "class_meetings_per_month": 1}),
     ("c02", RECENT, {"dorm_visits_per_week": 3, "class_meetings_per_month": 2}), "counselor_education",
     "student_affairs"),
    ("internship", ("s01", RECENT, {"journal_rate": 70}), ("s02", RECENT, {"journal_rate": 95}), "internship",
     "academic_affairs"),
    ("graduation", ("s01", RECENT, {"credits": 160, "certificates": 0}), ("s02", RECENT, {"credits": 155,
     "certificates": 2}), "graduation", "academic_affairs"),
    ("classroom_learning", ("510102-2501", RECENT, {"homework_rate": 70}), ("510203-2501", RECENT,
     {"homework_rate": 96}), "classroom_learning", "academic_affairs"),
]  # fmt: skip


def test_each_new_feed_below_standard_raises_one_table_39_warning_for_its_lead_department(session):
    for feed_key, low, good, type_key, lead in CASES:
        assert push(session, feed_key, [low, good])["created"] == 2
        rules.evaluate(session, NOW)
        warnings = session.scalars(select(QualityWarning).where(QualityWarning.type_key == type_key)).all()
        assert len(warnings) == 1, feed_key
        (w,) = warnings
        record = session.scalar(select(FeedRecord).where(FeedRecord.feed_key == feed_key,
                                                         FeedRecord.record_key.like(f"{low[0]}-%")))  # fmt: skip
        assert w.object_id == record.subject_id is not None, feed_key
        assert w.org_unit_id == session.scalar(select(OrgFunction.org_unit_id).where(OrgFunction.key == lead))
        rules.evaluate(session, NOW + timedelta(hours=1))  # the next tick raises nothing new
        assert session.scalars(select(QualityWarning).where(QualityWarning.type_key == type_key)).all() == [w]
