"""The demo's table-39 warnings, made through the services (engine/warnings): in the year's story a teaching
accident goes through its whole 认定与处理 (reported by 教务处, a grade proposed by 质量管理处, decided and its
handling recorded by 教务处, then resolved) and a counselor's accident waits for 党委学生工作部's decision; after
the basic standards are adopted, last year's teaching workload from the 教务系统 (sample values) raises 教学工作量没有
达到基本标准 for one teacher at 人力资源处, and 质量管理处 sets two of the providers table 39 leaves blank."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import org
from ..core import settings
from ..models import Subject, User
from ..warnings import accidents, catalogue
from ..warnings import service as warnings

# last year's teaching hours per teacher and semester (教务系统): 刘洋 stays under the 280 of BS05
WORKLOAD = {"t01": (150, 160), "t02": (142, 150), "t03": (138, 146), "t04": (110, 96), "t05": (144, 140)}
PROVIDERS = {"course_setup": "教务系统", "course_teaching": "教务系统（学生评教）"}


def events(story) -> list[tuple[int, Callable[[], None]]]:
    """(days before now, action) for the story's clock (engine/demo/year.py)."""
    return [
        (80, lambda: report(story, "accident", "jwc_reviewer", "teacher_teaching", "yellow",
                            "电子电路分析期中考试使用了错误版本的试卷",
                            "电子信息工程技术专业两个班的期中考试发放了上学期的试卷，约 60 名学生受影响。")),
        (79, lambda: story.acknowledge_mark("accident", "jwc_reviewer", "已暂停该课程成绩录入，组织重新考试。")),
        (78, lambda: step(story, "accident", "zlc_admin", "propose", "serious",
                          "影响两个班约 60 名学生的考试，建议认定为严重教学事故。")),
        (76, lambda: step(story, "accident", "jwc_reviewer", "decide", "general",
                          "已在一周内重新组织考试，未造成成绩损失，认定为一般教学事故。")),
        (72, lambda: step(story, "accident", "jwc_reviewer", "record", "",
                          "命题教师书面检查并约谈；试卷印制增加双人核对环节；全院通报。")),
        (70, lambda: story.resolve_mark("accident", "zlc_admin", "认定与处理已完成，整改措施已落实。")),
        (10, lambda: report(story, "counselor", "xgb_reviewer", "counselor", "blue",
                            "辅导员未按规定上报学生请假离校情况",
                            "软件技术 2025 级 1 班一名学生请假离校三天，辅导员未在系统中登记。")),
        (8, lambda: step(story, "counselor", "zlc_admin", "propose", "general",
                         "未造成安全后果，建议认定为一般事故。")),
    ]  # fmt: skip


def report(story, mark: str, username: str, concerns: str, level: str, title: str, description: str) -> None:
    user = story.user(username)
    unit = story.units["DZXY" if concerns != "counselor" else "RJXY"]
    fields = {"kind": "quality_accident", "concerns": concerns, "level": level, "org_unit_id": str(unit),
              "title": title, "description": description}  # fmt: skip
    story.marks[mark] = warnings.report(story.session, user, story.principals(user), fields, story.t).id


def step(story, mark: str, username: str, action: str, grade: str, note: str) -> None:
    user = story.user(username)
    fields = {"grade": grade, "note": note}
    accidents.step(story.session, user, story.principals(user), story.marks[mark], action, fields, story.t)


def load(session: Session, now: datetime) -> int:
    """Last year's teaching workload through the rule, and the providers; returns the warnings raised."""
    year = settings.of(session).today(now).year - 1
    subjects = dict(session.execute(select(Subject.code, Subject.id).where(Subject.type == "teacher")).all())
    rows = [
        (subjects[code], date(year, month, 20), {"hours": hours})
        for code, semesters in WORKLOAD.items()
        if code in subjects
        for month, hours in zip((6, 12), semesters, strict=True)
    ]
    out: Counter = Counter()
    catalogue.raise_below(session, "teaching_workload", rows, now, out)
    office = session.scalar(select(User).where(User.username == "zlc_admin"))
    if office is not None:
        fields = {f"provider_{k}": v for k, v in PROVIDERS.items()}
        catalogue.set_providers(session, office, org.principals_of(session, office.id), fields, now)
    return out["raised"]
