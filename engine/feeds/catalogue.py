"""The 18 information types of table 37 (教学过程信息采集参考模板) and the 7 of table 39 (管理过程信息采集参考模板)
that table 37 lacks, loaded for every school as data.

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

# Table 39 (管理过程) names these information types (信息源, provider) without table 37 defining them; their field
# keys are what engine/warnings/table39.py's rules read, their thresholds the basic standards' criteria (BS04,
# BS07, BS25, BS14, BS18, BS16). Fields a yearly total judges (training hours) carry no per-record threshold.
TABLE39 = [
    ("staff_attendance", "职员出勤", F.HUMAN_RESOURCES, "staff", "考勤系统", SYSTEM,
     [_f("attendance_rate", "出勤率", "number", "%", 95, None), _f("absent_days", "无故缺勤", "number", "天")]),
    ("teacher_training", "师资培训", F.HUMAN_RESOURCES, "teacher", "人力资源处", PERSON,
     [_f("hours", "培训学时", "number", "学时"), _f("programme", "培训项目", "text")]),
    ("counselor_work", "辅导员对学生教育", F.STUDENT_AFFAIRS, "counselor", "党委学生工作部", PERSON,
     [_f("dorm_visits_per_week", "深入学生寝室", "number", "次/周", 2, None),
      _f("class_meetings_per_month", "主题班会", "number", "次/月", 1, None)]),
    ("internship", "实习管理", F.ACADEMIC_AFFAIRS, "student", "教务处（实习指导老师）", SYSTEM,
     [_f("months", "顶岗实习时间", "number", "月", 6, None),
      _f("journal_rate", "实习周志提交率", "number", "%", 90, None),
      _f("tutor", "实习指导老师", "text")]),
    ("graduation", "毕业生毕业", F.ACADEMIC_AFFAIRS, "student", "教务处", SYSTEM,
     [_f("graduated", "是否毕业", "number", "0/1"), _f("credits", "修满学分", "number", "学分", 150, None),
      _f("certificates", "职业资格证书", "number", "个", 1, None), _f("employed", "是否就业", "number", "0/1")]),
    ("discipline", "学生违纪", F.STUDENT_AFFAIRS, "student", "党委学生工作部", PERSON,
     [_f("incidents", "违纪次数", "number", "次"), NOTE]),
    ("classroom_learning", "学生课堂学习", F.ACADEMIC_AFFAIRS, "class", "学习委员", PERSON,
     [_f("homework_rate", "课堂作业完成率", "number", "%", 90, None),
      _f("pass_rate", "课程考核通过率", "number", "%", 85, None), NOTE]),
]  # fmt: skip
TABLE39_KEYS = frozenset(row[0] for row in TABLE39)


def load_catalogue(session: Session, now: datetime) -> int:
    """Add the table-37 and table-39 feeds the school lacks; returns how many were added. The caller commits."""
    have = set(session.scalars(select(FeedDefinition.key)))
    added = 0
    for key, name, lead, source, provider, delivery, fields in CATALOGUE + TABLE39:
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
SELF_ENTRY = frozenset({"class_test", "class_learning", "classroom_learning", "homework_marking"})
