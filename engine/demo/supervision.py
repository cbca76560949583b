"""The demo school's quality supervision and satisfaction surveys, made through the services (engine/supervision):
a plan per kind, records on teachers, a major, a student and a department (one answered and closed, one
answered), and one imported survey of each kind from a generated provider workbook."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import org
from ..core import periods, settings
from ..models import OrgUnit, Subject, User
from ..supervision import records, surveys

PLANS = {  # kind: (author, title, scope, schedule, supervisors)
    "teaching": ("zlc_admin", "教学质量督导工作计划", "全校课堂教学、实践教学和专业、课程建设",
                 "每学期开学、期中、期末三轮集中督导，日常随堂听课", ("zlc_admin", "jwc_staff", "dzxy_office", "t01")),
    "education": ("xgb_reviewer", "教育质量督导工作计划", "学生思想政治教育、日常管理和综合素质培养",
                  "每月一次学生活动督导", ("xgb_reviewer", "rsc_reviewer")),
    "service": ("dzb_staff", "服务质量督导工作计划", "职能部门办事流程与服务质量",
                "每学期一次服务窗口暗访", ("dzb_staff", "rsc_reviewer")),
}  # fmt: skip
# (days ago, kind, supervisor, subject code, activity, topic, findings, guidance, response or None, closed)
RECORDS = [
    (40, "teaching", "zlc_admin", "t01", "class", "《传感器技术》第 8 周课堂",
     "教学设计完整，学生参与度较高；实训环节分组过大，部分学生动手机会少。",
     "建议实训环节按 4 人一组，增加过程性考核记录。", "已调整为 4 人一组，下周起按组记录过程性考核。", True),
    (25, "teaching", "jwc_staff", "510203", "activity", "软件技术专业企业实践周",
     "企业导师到位，实践任务与岗位对接；实践日志填写不规范。",
     "统一实践日志模板，由专业负责人每周抽查。", None, False),
    (18, "teaching", "t01", "t08", "class", "《数据库应用》第 12 周课堂",
     "课堂节奏合理，案例贴近岗位；课后作业批改反馈不及时。",
     "作业在一周内批改并反馈，典型问题在下次课讲评。", "已安排每周三集中批改，本周起执行。", False),
    (12, "education", "xgb_reviewer", "s07", "activity", "班级主题团日活动",
     "活动主题鲜明，组织有序；个人发展目标与活动结合不够。", "建议将活动收获写入个人诊改记录。", None, False),
    (8, "service", "dzb_staff", "XXH", "service", "信息化处服务窗口",
     "报修响应及时；线上报修进度查询不便。", "在服务平台公开报修处理进度，每月通报响应时长。", None, False),
]  # fmt: skip
COLLEGES = {  # college code: [(major code or "", item, samples, rate)]
    "DZXY": [("510102", "总体满意度", 126, 92.1), ("510102", "教学满意度", 126, 90.4),
             ("510101", "总体满意度", 98, 88.6), ("510101", "教学满意度", 98, 86.2), ("", "学生工作满意度", 224, 91.0)],
    "RJXY": [("510203", "总体满意度", 143, 93.5), ("510203", "教学满意度", 143, 91.8),
             ("510205", "总体满意度", 87, 89.7), ("", "学生工作满意度", 230, 90.2)],
}  # fmt: skip
EMPLOYER_SHIFT = -1.6  # employers rate a little lower than graduates in the demo


def load(session: Session, now: datetime) -> dict:
    """Plans, records (with responses) and the two surveys, as of `now`."""
    tz = settings.of(session).timezone
    year = periods.local_year(now, tz)
    users = {u.username: u for u in session.scalars(select(User))}
    subjects = {s.code: s for s in session.scalars(select(Subject)) if s.code}
    for kind, (author, title, scope, schedule, people) in PLANS.items():
        user = users[author]
        records.save_plan(session, user, org.principals_of(session, user.id), year, kind,
                          {"title": f"{year} 年度{title}", "scope": scope, "schedule": schedule,
                           "supervisors": [users[p].id for p in people]}, now - timedelta(days=60))  # fmt: skip
    made = 0
    for days, kind, who, code, activity, topic, findings, guidance, response, closed in RECORDS:
        at = now - timedelta(days=days)
        supervisor = users[who]
        record = records.add_record(session, supervisor, org.principals_of(session, supervisor.id), kind, {
            "subject_id": subjects[code].id, "visited_on": at.astimezone(tz).date().isoformat(),
            "activity": activity, "topic": topic, "findings": findings, "guidance": guidance}, at)  # fmt: skip
        made += 1
        if response:
            party = users[code] if code in users else None
            records.respond(session, party, org.principals_of(session, party.id), record.id, response,
                            at + timedelta(days=2))  # fmt: skip
        if closed:
            records.close(session, supervisor, org.principals_of(session, supervisor.id), record.id,
                          at + timedelta(days=4))  # fmt: skip
    for kind, survey_year, shift, provider in (
        ("graduate", year - 1, 0.0, "第三方调查机构（毕业生跟踪）"),
        ("employer", year, EMPLOYER_SHIFT, "第三方调查机构（用人单位）"),
    ):
        rows = [[_college_name(session, code), subjects[m].name if m else "", item, n, round(rate + shift, 1)]
                for code, items in COLLEGES.items() for m, item, n, rate in items]  # fmt: skip
        surveys.import_workbook(session, kind, survey_year, provider, rows, now - timedelta(days=5))
    return {"records": made, "surveys": 2}


def _college_name(session: Session, code: str) -> str:
    return session.scalar(select(OrgUnit.name).where(OrgUnit.code == code))
