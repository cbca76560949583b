"""The demo school's yearly reports, made through the services (engine/reports): last year's 人才培养质量年度报告
walked through its process and published (the public page lists it), this year's in its contributions with four
sections in; last year's 校企协同育人年度报告 prefilled from a college's published 校企协同育人报告, one
contribution returned once, approved and published; this year's 人才培养状态数据分析报告 prefilled from the
collected data, its 学生发展 section waiting in 党委学生工作部's inbox; the two colleges' 内部质量保证体系诊断与改进报告
drafted (prefilled from their subjects' records)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import org, reports, workflow
from ..core import periods, settings
from ..models import HumanTask, Report, User

# section -> the demo user of the department holding its function (engine/demo/data/functions.csv)
WRITERS = {
    "teaching": "jwc_staff", "faculty": "rsc_reviewer", "student_quality": "xgb_reviewer", "culture": "xcb_staff",
    "admissions": "zjc_staff", "cooperation": "hzc_reviewer", "research": "kyc_staff", "innovation": "gjxy_staff",
    "international": "gjxy_staff", "overseas": "gjxy_staff", "assurance": "zlc_admin",
}  # fmt: skip
TEXTS = {
    "teaching": "本年度修订专业人才培养方案，课程教学基本标准达标率稳步提升；"
                "推进课堂教学改革，学生评教满意度保持较高水平。",
    "faculty": "引进与培养并重，“双师型”教师比例进一步提高；开展新教师岗前培训和骨干教师企业实践。",
    "student_quality": "实施学生综合素质学分制度，开展职业素养、志愿服务和社会实践活动，学生综合素质稳步提高。",
    "culture": "以社会主义核心价值观引领校园文化建设，打造工匠精神育人品牌，营造良好育人氛围。",
    "admissions": "招生计划完成率保持高位，毕业生初次就业率和专业对口率稳中有升，用人单位满意度良好。",
    "cooperation": "与行业龙头企业共建产业学院和实训基地，推进订单培养和现代学徒制试点。",
    "research": "立项各级科研与教研项目，横向技术服务到账经费增长，科研成果向教学转化。",
    "innovation": "开设创新创业必修课程，建设众创空间，学生在各级创新创业大赛中获奖。",
    "international": "与境外院校开展师生交流与合作办学，引进国际通用职业资格标准。",
    "overseas": "招收来华留学生，开展语言与专业教学，做好留学生管理服务。",
    "assurance": "全面运行“8字形质量改进螺旋”，完成年度自我诊断与改进，实施学校抽样复核和质量督导。",
}  # fmt: skip
THIS_YEAR_IN = ("teaching", "faculty", "student_quality", "assurance")
# the 校企协同育人年度报告: section -> (writer, text); the data analysis report's sections already in: their writers
ENTERPRISE = {
    "overview": ("hzc_reviewer", "全年新增合作企业，共建产业学院和校内外实训基地，合作企业参与人才培养方案修订。"),
    "cultivation": ("jwc_staff", "推进订单培养和现代学徒制试点，企业兼职教师承担专业课程教学。"),
    "colleges": ("hzc_reviewer", "各二级学院与行业企业共建专业、共育人才，详见各学院校企协同育人报告。"),
}  # fmt: skip
DATA_IN = {"overview": "xxh_staff", "teaching": "jwc_staff", "faculty": "rsc_reviewer"}
COLLEGE_ENTERPRISE = {
    "overview": "学院与十余家电子信息企业建立稳定合作关系，共建校外实训基地。",
    "cultivation": "与合作企业共同制定人才培养方案，开设企业订单班，企业工程师进课堂。",
    "enterprises": "合作企业提供岗位实习岗位并派出兼职教师，参与课程开发和毕业设计指导。",
    "problems": "企业参与深度不均衡，下一步建立校企合作考核激励机制。",
}  # fmt: skip
COLLEGE_HEADS = ("dzxy_reviewer", "rjxy_reviewer")  # the heads of the two colleges draft their reports


def _contribute(session, users, report: Report, keys, at: datetime) -> None:
    for key in keys:
        user = users[WRITERS[key]]
        task = session.scalar(select(HumanTask.id).where(
            HumanTask.instance_id == report.instance_id, HumanTask.bpmn_id == f"contrib_{key}",
            HumanTask.state == "open"))  # fmt: skip
        workflow.complete_task(session, user, task, {"text": TEXTS[key]}, at, org.principals_of(session, user.id))


def _step(session, users, report: Report, bpmn_id: str, username: str, payload: dict, at: datetime) -> None:
    user = users[username]
    open_step = (HumanTask.instance_id == report.instance_id) & (HumanTask.bpmn_id == bpmn_id)
    task = session.scalar(select(HumanTask.id).where(open_step, HumanTask.state == "open"))
    workflow.complete_task(session, user, task, payload, at, org.principals_of(session, user.id))


def load(session: Session, now: datetime) -> dict:
    users = {u.username: u for u in session.scalars(select(User))}
    office = users["zlc_admin"]
    office_principals = org.principals_of(session, office.id)
    year = periods.local_year(now, settings.of(session).timezone)
    # last year's report: written in the spring, published
    at = now - timedelta(days=240)
    last = reports.school.start(session, office, office_principals, reports.catalogue.QUALITY, year - 1, at)
    _contribute(session, users, last, WRITERS, at + timedelta(days=10))
    texts = reports.reading.texts(session, last)
    _step(session, users, last, "compile", "zlc_admin", {f"section_{k}": v for k, v in texts.items()},
          at + timedelta(days=15))  # fmt: skip
    _step(session, users, last, "approve", "xiaozhang", {"decision": "approve", "comment": "同意发布"},
          at + timedelta(days=18))  # fmt: skip
    # this year's: started a week ago, four sections in
    current = reports.school.start(session, office, office_principals, reports.catalogue.QUALITY, year,
                                   now - timedelta(days=7))  # fmt: skip
    _contribute(session, users, current, THIS_YEAR_IN, now - timedelta(days=2))
    # last year's 校企协同育人年度报告: a college's own report first (the school's is prefilled from it)
    _enterprise(session, users, year - 1, now - timedelta(days=200))
    # this year's data analysis report, prefilled (and its charts drawn) from the collected data
    data = reports.school.start(
        session, office, office_principals, reports.catalogue.DATA, year, now - timedelta(days=3)
    )
    for key, username in DATA_IN.items():
        _step(session, users, data, f"contrib_{key}", username, {"text": _own_text(session, data, key)},
              now - timedelta(days=1))  # fmt: skip
    # the two colleges' diagnosis reports, drafted by their heads
    for username in COLLEGE_HEADS:
        head = users[username]
        reports.units.open_report(session, head, org.principals_of(session, head.id), head.org_unit_id,
                                  reports.catalogue.UNIT_DIAGNOSIS, year, now - timedelta(days=1))  # fmt: skip
    return {"published": 2, "contributing": 2, "unit_drafts": len(COLLEGE_HEADS)}


def _own_text(session, report: Report, key: str) -> str:
    row = reports.school.contribution(session, report, key)
    return (row.text if row else "") or "本部分数据分析已完成。"


def _enterprise(session, users, year: int, at: datetime) -> None:
    head = users[COLLEGE_HEADS[0]]
    principals = org.principals_of(session, head.id)
    own = reports.units.open_report(session, head, principals, head.org_unit_id, "college_enterprise", year, at)
    reports.units.save(session, head, principals, own, {f"section_{k}": v for k, v in COLLEGE_ENTERPRISE.items()},
                       True, at + timedelta(days=5))  # fmt: skip
    office = users["zlc_admin"]
    school = reports.school.start(session, office, org.principals_of(session, office.id), reports.catalogue.ENTERPRISE,
                                  year, at + timedelta(days=20))  # fmt: skip
    for key, (username, text) in ENTERPRISE.items():
        prefilled = _own_text(session, school, key) if key == "colleges" else ""
        _step(session, users, school, f"contrib_{key}", username, {"text": f"{prefilled}\n{text}".strip()},
              at + timedelta(days=30))  # fmt: skip
    texts = reports.reading.texts(session, school)
    body = {f"section_{k}": v or "本年度校企协同育人工作稳步推进。" for k, v in texts.items()}
    returned = {
        "action": "return",
        "return_section": "cultivation",
        "return_reason": "请补充现代学徒制试点的具体数据。",
    }
    _step(session, users, school, "compile", "zlc_admin", {**body, **returned}, at + timedelta(days=33))
    _step(
        session,
        users,
        school,
        "revise",
        "jwc_staff",
        {"text": ENTERPRISE["cultivation"][1] + "现代学徒制试点专业 3 个，学徒 120 人。"},
        at + timedelta(days=36),
    )
    texts = reports.reading.texts(session, school)
    body = {f"section_{k}": v or "本年度校企协同育人工作稳步推进。" for k, v in texts.items()}
    _step(session, users, school, "compile", "zlc_admin", body, at + timedelta(days=38))
    _step(session, users, school, "approve", "xiaozhang", {"decision": "approve", "comment": "同意发布"},
          at + timedelta(days=40))  # fmt: skip
