"""The report types (§六(二)7(5), annex 质量报告) as data: what each unit and the school write every year and
its headings. The shipped types are loaded once (`load_defaults`); 质量管理处 and monitors edit the headings
(`update_headings`). A school report's heading names the function of the department that contributes it;
each school report runs through its process (`PROCESSES`), whose contribution steps are keyed by heading: all
four are generated from `PROCESS_SECTIONS` by workflows/generate_reports.py (with a step that returns a
contribution to its department)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.reports import validate_headings

from ..core import audit
from ..core.errors import N_, InvalidInput, NotAllowed, NotFound
from ..models import FunctionKey, ReportType, User
from ..models.org import COLLEGE, FUNCTIONAL
from ..org import policy

F = FunctionKey
QUALITY = "school_quality"  # the school's 人才培养质量年度报告
PROCESS = "school_quality_report"
DATA, DIAGNOSIS, ENTERPRISE = "school_data", "school_diagnosis", "school_enterprise"
# type -> the process it runs through (every school report; workflows/<process>.bpmn)
PROCESSES = {QUALITY: PROCESS, DATA: "school_data_report", DIAGNOSIS: "school_diagnosis_report",
             ENTERPRISE: "school_enterprise_report"}  # fmt: skip
RETURNS = frozenset({QUALITY, DATA, DIAGNOSIS, ENTERPRISE})  # compilation may return a contribution once
UNIT_DIAGNOSIS = "unit_diagnosis"  # a unit's 内部质量保证体系诊断与改进报告, prefilled from its subjects' records
# The sections a process step is keyed to (workflows/school_quality_report.bpmn `contrib_<key>`): never deleted.
PROCESS_SECTIONS = {
    QUALITY: ("teaching", "faculty", "student_quality", "culture", "admissions", "cooperation", "research",
              "innovation", "international", "overseas", "assurance"),
    DATA: ("overview", "students", "teaching", "faculty"),
    DIAGNOSIS: ("basics", "diagnosis", "functional", "colleges"),
    ENTERPRISE: ("overview", "cultivation", "colleges"),
}  # fmt: skip


def _s(key: str, title: str, function: str = "") -> dict:
    return {"key": key, "title": title, "function": str(function)}


UNIT_DIAGNOSIS_SECTIONS = [
    _s("basics", "基本情况"), _s("self_diagnosis", "自我诊断情况"), _s("upper_review", "上一级复核情况"),
    _s("problems", "存在的主要问题"), _s("measures", "改进措施与下一步计划"),
]  # fmt: skip
# key -> (level, unit kind ("" for every 职能部门 and 二级学院), title, sections)
DEFAULTS = {
    UNIT_DIAGNOSIS: ("unit", "", "内部质量保证体系诊断与改进报告", UNIT_DIAGNOSIS_SECTIONS),
    "college_enterprise": ("unit", COLLEGE, "校企协同育人报告", [
        _s("overview", "校企合作基本情况"), _s("cultivation", "协同育人举措与成效"), _s("enterprises", "企业参与情况"),
        _s("problems", "存在问题与改进措施")]),
    QUALITY: ("school", "", "人才培养质量年度报告", [
        _s("teaching", "教学", F.ACADEMIC_AFFAIRS), _s("faculty", "师资", F.HUMAN_RESOURCES),
        _s("student_quality", "学生综合素质培养", F.STUDENT_AFFAIRS), _s("culture", "育人文化", F.PUBLICITY),
        _s("admissions", "招生就业", F.ADMISSIONS), _s("cooperation", "校企合作", F.COOPERATION),
        _s("research", "科技研发", F.RESEARCH), _s("innovation", "创新创业", F.INTERNATIONAL),
        _s("international", "国际交流与合作", F.INTERNATIONAL), _s("overseas", "留学生培养", F.INTERNATIONAL),
        _s("assurance", "质量保证", F.QUALITY_OFFICE)]),
    DATA: ("school", "", "人才培养状态数据分析报告", [
        _s("overview", "数据采集概况", F.INFORMATION_OFFICE), _s("students", "学生发展数据分析", F.STUDENT_AFFAIRS),
        _s("teaching", "教学运行数据分析", F.ACADEMIC_AFFAIRS), _s("faculty", "师资队伍数据分析", F.HUMAN_RESOURCES),
        _s("findings", "主要发现与建议")]),
    DIAGNOSIS: ("school", "", "内部质量保证体系诊断与改进报告", [
        _s("basics", "基本情况", F.QUALITY_OFFICE), _s("diagnosis", "诊断与改进情况", F.QUALITY_OFFICE),
        _s("functional", "职能部门诊断与改进情况", F.PARTY_OFFICE),
        _s("colleges", "二级学院诊断与改进情况", F.PARTY_OFFICE), _s("problems", "存在的主要问题"),
        _s("measures", "改进措施")]),
    ENTERPRISE: ("school", "", "校企协同育人年度报告", [
        _s("overview", "校企合作基本情况", F.COOPERATION), _s("cultivation", "协同育人举措与成效", F.ACADEMIC_AFFAIRS),
        _s("colleges", "二级学院校企协同育人情况", F.COOPERATION), _s("problems", "存在问题与改进措施")]),
}  # fmt: skip
# The college's 人才培养质量报告 is the cycle's step 10 document (forms/cycle_templates.py REPORTS): not a type here.
UNIT_KINDS = (FUNCTIONAL, COLLEGE)


def load_defaults(session: Session, now: datetime) -> int:
    """The shipped report types the database lacks (a school's edited headings are kept)."""
    have = set(session.scalars(select(ReportType.key)))
    added = 0
    for position, (key, (level, unit_kind, title, sections)) in enumerate(DEFAULTS.items()):
        if key not in have:
            session.add(ReportType(key=key, level=level, unit_kind=unit_kind, title=title, position=position,
                                   sections=[dict(s) for s in sections], updated_at=now))  # fmt: skip
            added += 1
    session.flush()
    return added


def all_types(session: Session) -> list[ReportType]:
    return list(session.scalars(select(ReportType).order_by(ReportType.position, ReportType.key)))


def get_type(session: Session, key) -> ReportType:
    found = session.get(ReportType, key) if isinstance(key, str) else None
    if found is None:
        raise NotFound(N_("报告类型不存在"))
    return found


def for_unit(session: Session, unit_kind: str) -> list[ReportType]:
    """The types a 职能部门 or 二级学院 writes."""
    return [t for t in all_types(session) if t.level == "unit" and t.unit_kind in ("", unit_kind)]


def update_headings(session: Session, user: User, principals, key, rows, now: datetime) -> ReportType:
    """New headings for a type (质量管理处, monitors): validated (forms/reports.py), audited. Reports already
    started keep the headings they started with."""
    v = policy.viewer(user, principals)
    if not policy.manages_reports(v):
        raise NotAllowed(N_("只有质量管理处可以修改报告提纲"))
    rtype = get_type(session, key)
    functions = {str(k) for k in FunctionKey} if rtype.level == "school" else set()
    try:
        clean = validate_headings(rows, functions, set(PROCESS_SECTIONS.get(rtype.key, ())))
    except ValueError as exc:
        raise InvalidInput(N_("请检查报告提纲"), fields=exc.args[0]) from None
    before = rtype.sections
    rtype.sections, rtype.updated_at, rtype.updated_by_id = clean, now, user.id
    audit.record(session, actor_id=user.id, action="report_type.headings", object_type="report_type",
                 object_id=key, now=now, before={"sections": before}, after={"sections": clean})  # fmt: skip
    return rtype
