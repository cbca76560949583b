"""The 18 information types of table 37 (教学过程信息采集参考模板), loaded for every school as data.

Each row: key, name, lead department (a function key), 信息源 kind, provider, fields, delivery modes. A field
is (key, label, type, unit, min, max); min/max is the basic standard's threshold where the seed implies one
(the lead department edits them on the feed's page). Loading adds the rows a school lacks and never changes a
row the school has edited.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import FeedDefinition
from ..models.enums import FunctionKey as F

SYSTEM = ["api", "upload"]  # a school system pushes, or an administrator uploads its export
PERSON = ["form", "upload"]  # a person enters it


def _f(key, label, type_="number", unit="", min_=None, max_=None) -> dict:
    return {"key": key, "label": label, "type": type_, "unit": unit, "min": min_, "max": max_}


NOTE = _f("note", "说明", "text")
ADVICE = [_f("advice", "建议", "text")]
SCORE = [_f("score", "评分", "number", "分", 80, None), _f("comment", "评语", "text")]

CATALOGUE = [
    ("teacher_attendance", "教师出勤", F.ACADEMIC_AFFAIRS, "teacher", "考勤系统", SYSTEM,
     [_f("rate", "出勤率", "number", "%", 95, None), _f("absent", "缺勤节次", "number", "节")]),
    ("teaching_workload", "教学工作量", F.ACADEMIC_AFFAIRS, "teacher", "教务系统", SYSTEM,
     [_f("hours", "课时", "number", "学时", 20, None)]),
    ("research_workload", "科研量", F.ACADEMIC_AFFAIRS, "teacher", "科研管理系统", SYSTEM,
     [_f("points", "科研分", "number", "分", 10, None)]),
    ("homework_marking", "作业布置与批改", F.ACADEMIC_AFFAIRS, "teacher", "教师", PERSON,
     [_f("assigned", "布置次数", "number", "次", 1, None), _f("marked", "批改次数", "number", "次"), NOTE]),
    ("class_test", "学生学习课堂测试", F.ACADEMIC_AFFAIRS, "class", "学习委员", PERSON,
     [_f("average", "平均分", "number", "分", 60, None), _f("pass_rate", "及格率", "number", "%", 85, None)]),
    ("class_advice", "对教学班级的建议", F.ACADEMIC_AFFAIRS, "class", "教师", PERSON, ADVICE),
    ("supervision_guidance", "督导评价与指导", F.QUALITY_OFFICE, "teacher", "质量督导", PERSON,
     [_f("score", "督导评分", "number", "分", 75, None), _f("guidance", "指导意见", "text")]),
    ("counselor_attendance", "辅导员出勤", F.STUDENT_AFFAIRS, "counselor", "考勤系统", SYSTEM,
     [_f("rate", "出勤率", "number", "%", 95, None)]),
    ("counselor_duty", "辅导员值班", F.STUDENT_AFFAIRS, "counselor", "党委学生工作部", PERSON,
     [_f("shifts", "值班次数", "number", "次", 1, None)]),
    ("counselor_group_guidance", "对学生的集中辅导", F.STUDENT_AFFAIRS, "counselor", "班长", PERSON,
     [_f("sessions", "辅导次数", "number", "次", 1, None), _f("topic", "主题", "text")]),
    ("student_attendance", "学生上课出勤", F.STUDENT_AFFAIRS, "student", "考勤系统", SYSTEM,
     [_f("rate", "出勤率", "number", "%", 90, None), _f("absent", "缺课节次", "number", "节")]),
    ("class_learning", "课堂学习信息", F.STUDENT_AFFAIRS, "class", "学习委员", PERSON,
     [_f("attendance", "到课率", "number", "%", 90, None), _f("focus", "专注度", "number", "分", 60, 100), NOTE]),
    ("student_homework", "学生作业", F.STUDENT_AFFAIRS, "student", "教师", PERSON,
     [_f("submitted", "提交次数", "number", "次", 1, None), _f("score", "平均成绩", "number", "分", 60, None)]),
    ("dorm_return", "归寝", F.STUDENT_AFFAIRS, "student", "门禁系统", SYSTEM,
     [_f("late", "晚归次数", "number", "次", None, 2)]),
    ("teacher_advice", "对任课教师的教学建议", F.STUDENT_AFFAIRS, "teacher", "学生", PERSON, ADVICE),
    ("teaching_evaluation", "学生评教", F.STUDENT_AFFAIRS, "teacher", "学生", SYSTEM, SCORE),
    ("counselor_advice", "对辅导员的辅导建议", F.STUDENT_AFFAIRS, "counselor", "学生", PERSON, ADVICE),
    ("counselor_evaluation", "学生评辅", F.STUDENT_AFFAIRS, "counselor", "学生", SYSTEM, SCORE),
]  # fmt: skip


def load_catalogue(session: Session, now: datetime) -> int:
    """Add the table-37 feeds the school lacks; returns how many were added. The caller commits."""
    have = set(session.scalars(select(FeedDefinition.key)))
    added = 0
    for key, name, lead, source, provider, delivery, fields in CATALOGUE:
        if key in have:
            continue
        session.add(FeedDefinition(key=key, name=name, lead_function=str(lead), source_kind=source,
                                   provider=provider, fields=[dict(f) for f in fields], delivery=list(delivery),
                                   updated_at=now))  # fmt: skip
        added += 1
    session.flush()
    return added


# Entered by hand by the 信息源 itself: the 学习委员 (a student of the class) for the class, the teacher for
# themselves. Other person-entered feeds are entered by their lead department.
SELF_ENTRY = frozenset({"class_test", "class_learning", "homework_marking"})
