"""The demo school's diagnosis modes: 教务处's 规定性诊断 of two courses this year - 课程设置基本标准 met by
嵌入式系统开发, 课程教学基本标准 missed by 数据采集与清洗 (its 未达到基本标准 warning goes to 软件与信息技术学院, whose
reviewer acknowledges it) - and, when the year is in flight, the expert's assessment of the school sampling review
they are writing (复核性诊断指标). Played through the services, as the lead departments would."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import org
from ..core import settings
from ..diagnosis import assessments, checklists, prescriptive
from ..models import BasicStandard, Document, HumanTask, Subject, TaskState, User
from ..warnings import service as warnings

EVIDENCE = {"evidence_text": "教务系统学期评教数据、课程教学档案抽查记录", "evidence_url": ""}


def load(session: Session, now: datetime) -> dict:
    users = {u.username: u for u in session.scalars(select(User))}
    standards = {s.key: s for s in session.scalars(select(BasicStandard))}
    courses = {s.code: s for s in session.scalars(select(Subject).where(Subject.type == "course"))}
    year = settings.of(session).today(now).year
    made = []
    jwc = users.get("jwc_reviewer")
    if jwc and "BS10" in standards and "BS12" in standards and {"DZ1002", "RJ2001"} <= set(courses):
        ps = org.principals_of(session, jwc.id)
        passing = {"result-0": "pass", "result-1": "pass", "note-0": "已制定并经教研室审定", "note-1": "主讲教师为讲师",
                   **EVIDENCE}  # fmt: skip
        made.append(prescriptive.save(session, jwc, ps, standards["BS10"].id, courses["DZ1002"].id, year, passing,
                                      ["documents", "platform"], now - timedelta(days=8)))  # fmt: skip
        failing = {"result-0": "fail", "result-1": "pass", "note-0": "本学期学生评教平均 76.5 分，低于 80 分",
                   "note-1": "本学期无教学事故", **EVIDENCE}  # fmt: skip
        diagnosis, warning = prescriptive.save(session, jwc, ps, standards["BS12"].id, courses["RJ2001"].id, year,
                                               failing, ["platform", "interview"], now - timedelta(days=7))  # fmt: skip
        made.append(diagnosis)
        head = users.get("rjxy_reviewer")
        if warning is not None and head is not None:
            warnings.acknowledge(session, head, org.principals_of(session, head.id), warning.id,
                                 "已约谈课程负责人，整改方案两周内报学院。", now - timedelta(days=5))  # fmt: skip
    assessed = _assess(session, users.get("t01"), now - timedelta(days=1))  # t01 sits on the expert committee
    return {"prescriptive": len(made), "assessments": assessed}


def _assess(session: Session, user: User | None, now: datetime) -> int:
    """Record the assessment of the first review document `user` is writing now (none without the year)."""
    if user is None:
        return 0
    ps = org.principals_of(session, user.id)
    docs = session.scalars(
        select(Document)
        .join(HumanTask, HumanTask.document_id == Document.id)
        .where(Document.doc_type.in_(assessments.REVIEW_TYPES), HumanTask.state == TaskState.OPEN)
        .order_by(Document.id)
    ).all()
    for doc in docs:
        if assessments.assessing_task(session, user, ps, doc) is None:
            continue
        version = checklists.in_force(session, doc.subject.type)
        if version is None:
            continue
        verdicts = {f"verdict-{i['key']}": version.scale[0]["label"] for i in version.items}
        verdicts[f"verdict-{version.items[-1]['key']}"] = version.scale[1]["label"]
        fields = {**verdicts, "evidence_text": "查阅自我诊断报告与诊改实施记录，现场核实两项佐证材料。",
                  "evidence_url": ""}  # fmt: skip
        assessments.record(session, user, ps, doc.id, fields, ["documents", "site"], now)
        return 1
    return 0
