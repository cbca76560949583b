"""The school's reports as processes (catalogue.PROCESSES, all four written by workflows/generate_reports.py):
质量管理处 starts one for a year; each process section goes, in parallel, to the department holding the section's
function (the pairing is the report type's data, engine/reports/catalogue.py; a section whose function nobody
holds goes to 质量管理处), prefilled (prefill.py); 质量管理处 compiles the contributions in heading order and may
return one contribution once with a reason (`revise` goes to its department); a school leader approves (or
returns it to the compilation with a comment); the `publish_report` service publishes it. Every step is the
`report` task kind (`take_step`), which writes the contribution or the compiled text in the step's transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.reports import validate_body, validate_return, validate_text, validate_year

from .. import workflow
from ..core import audit
from ..core.errors import N_, InvalidInput, NotFound
from ..models import FunctionKey, HumanTask, ProcessInstance, ProcessVersion, Report, ReportContribution, User
from ..org import functions, policy
from ..workflow import kinds, readmodel, tasks
from . import catalogue, prefill

STATUSES = {
    "draft": N_("撰写中"),
    "contributing": N_("各部门撰写中"),
    "compiling": N_("质量管理处汇编中"),
    "approval": N_("待学校领导审定"),
    "published": N_("已发布"),
}


def start(session: Session, user: User, principals, type_key, year_raw, now: datetime) -> Report:
    """A school report for a year (质量管理处, monitors), its process started with a contribution step per process
    section, prefilled. Bad input is InvalidInput at the field; nothing is written."""
    v = policy.viewer(user, principals)
    if not policy.manages_reports(v):
        raise NotFound(N_("页面不存在"))  # only 质量管理处 and monitors start school reports
    rtype = catalogue.get_type(session, type_key)
    if rtype.level != "school":
        raise NotFound(N_("报告类型不存在"))
    try:
        year = validate_year(year_raw)
    except ValueError as exc:
        raise InvalidInput(N_("请检查填写的内容"), fields=exc.args[0]) from None
    exists = session.scalar(
        select(Report.id).where(Report.type_key == rtype.key, Report.year == year, Report.unit_id.is_(None))
    )
    if exists:
        raise InvalidInput(N_("请检查填写的内容"), fields={"year": [N_("该年度的这份报告已经启动")]})
    process = catalogue.PROCESSES.get(rtype.key)
    report = Report(
        type_key=rtype.key, year=year, unit_id=None, title=f"{year}年度{rtype.title}",
        status="contributing" if process else "draft", sections=[dict(s) for s in rtype.sections], body={},
        created_at=now, updated_at=now, updated_by_id=user.id,
    )  # fmt: skip
    session.add(report)
    session.flush()
    if process:
        steps = set(catalogue.PROCESS_SECTIONS.get(rtype.key, ()))
        filled = prefill.texts(session, report)
        report.body = {
            s["key"]: filled[s["key"]] for s in report.sections if s["key"] not in steps and s["key"] in filled
        }
        data = {"report_id": report.id}
        office = functions.holder_id(session, FunctionKey.QUALITY_OFFICE)
        for s in report.sections:
            if s["key"] not in steps:
                continue
            unit_id = functions.holder_id(session, s["function"]) if s.get("function") else None
            data[f"unit_{s['key']}"] = unit_id or office
            session.add(ReportContribution(report_id=report.id, section_key=s["key"], unit_id=unit_id or office,
                                           text=filled.get(s["key"], "")))  # fmt: skip
        session.flush()
        instance = workflow.start_instance(session, process_key=process, actor=user, now=now, data=data)
        report.instance_id = instance.id
    audit.record(session, actor_id=user.id, action="report.start", object_type="report", object_id=report.id,
                 instance_id=report.instance_id, now=now, after={"type": rtype.key, "year": year})  # fmt: skip
    return report


def of_task(session: Session, ht: HumanTask) -> Report | None:
    return session.scalar(select(Report).where(Report.instance_id == ht.instance_id)) if ht.instance_id else None


def section_of(session: Session, ht: HumanTask) -> str | None:
    """The section a contribution step writes (`contrib_<key>`; `revise`: the contribution returned), else None."""
    if ht.bpmn_id and ht.bpmn_id.startswith("contrib_"):
        return ht.bpmn_id[len("contrib_") :]
    if ht.bpmn_id == "revise" and (report := of_task(session, ht)) is not None:
        row = returned(session, report)
        return row.section_key if row is not None else None
    return None


def returned(session: Session, report: Report) -> ReportContribution | None:
    """The contribution returned to its department and not submitted again (one at a time: the compilation waits)."""
    return session.scalar(
        select(ReportContribution).where(ReportContribution.report_id == report.id,
                                         ReportContribution.returned_at.is_not(None),
                                         ReportContribution.submitted_at.is_(None))
    )  # fmt: skip


def returnable(session: Session, report: Report) -> list[str]:
    """The sections the compilation may still return (each contribution once), when the process version the report
    runs on has the step: an instance started before its process gained `revise` goes on without it."""
    meta = session.scalar(
        select(ProcessVersion.meta)
        .join(ProcessInstance, ProcessInstance.version_id == ProcessVersion.id)
        .where(ProcessInstance.id == report.instance_id)
    )
    if "revise" not in ((meta or {}).get("tasks") or {}):
        return []
    given = contributions(session, report)
    return [s["key"] for s in report.sections if s["key"] in given and given[s["key"]].returned_at is None]


def contribution(session: Session, report: Report, key: str) -> ReportContribution | None:
    return session.scalar(
        select(ReportContribution).where(ReportContribution.report_id == report.id,
                                         ReportContribution.section_key == key)
    )  # fmt: skip


def contributions(session: Session, report: Report) -> dict[str, ReportContribution]:
    rows = session.scalars(select(ReportContribution).where(ReportContribution.report_id == report.id))
    return {c.section_key: c for c in rows}


def assembled(session: Session, report: Report) -> dict[str, str]:
    """The text of each section: the compiled body where written, else the department's contribution."""
    given = contributions(session, report)
    return {
        s["key"]: report.body.get(s["key"]) or (given[s["key"]].text if s["key"] in given else "")
        for s in report.sections
    }


def _write(session: Session, ht: HumanTask, user: User, payload: dict, now: datetime, submit: bool) -> Report:
    report = of_task(session, ht)
    if report is None:
        raise NotFound(N_("报告不存在"))
    try:
        if (key := section_of(session, ht)) is not None:
            text = validate_text(payload.get("text"), "text", required=submit)
            row = contribution(session, report, key)
            if row is None:
                row = ReportContribution(report_id=report.id, section_key=key)
                session.add(row)
            row.text, row.submitted_by_id = text, user.id
            row.submitted_at = now if submit else row.submitted_at
            if submit and ht.bpmn_id == "revise":  # the revised text replaces what the compilation held
                report.body = {k: v for k, v in report.body.items() if k != key}
        elif ht.bpmn_id == "compile":
            report.body = validate_body(report.sections, payload, required=submit)
    except ValueError as exc:
        raise InvalidInput(N_("请检查填写的内容"), fields=exc.args[0]) from None
    report.updated_at, report.updated_by_id = now, user.id
    return report


def save_draft(session: Session, user: User, principals, task_id, payload: dict, now: datetime) -> Report:
    """Keep what was typed on a contribution or the compilation without completing the step."""
    ht = tasks.actionable_task(session, user, task_id, principals)
    if ht.kind != "report" or ht.bpmn_id == "approve":
        raise NotFound(N_("任务不存在"))
    return _write(session, ht, user, payload, now, submit=False)


def take_step(session: Session, ht: HumanTask, user: User, payload: dict, now: datetime) -> dict:
    """The `report` task kind: a contribution, the compilation, or the leader's decision."""
    if ht.bpmn_id == "approve":
        clean = kinds.review_decision(ht, payload)
        report = of_task(session, ht)
        if report is not None:
            report.status = "compiling" if clean["decision"] == "return" else "approval"
            report.return_comment = clean["comment"] if clean["decision"] == "return" else None
        return {"report_decision": clean["decision"], "report_comment": clean["comment"]}
    if ht.bpmn_id == "compile" and payload.get("action") == "return":
        return _return(session, ht, user, payload, now)
    report = _write(session, ht, user, payload, now, submit=True)
    readmodel.record_outcome(ht, decision="submit")
    if ht.bpmn_id == "compile":
        report.status = "approval"
        return {"compile_decision": "submit"}
    elif report.status == "contributing" and all(c.submitted_at for c in contributions(session, report).values()):
        report.status = "compiling"
    return {}


def _return(session: Session, ht: HumanTask, user: User, payload: dict, now: datetime) -> dict:
    """The compilation returns one contribution to its department with a reason (once per contribution); what
    was typed in the compilation is kept, except the returned section, which the revision replaces."""
    report = of_task(session, ht)
    if report is None:
        raise NotFound(N_("报告不存在"))
    titles = {s["key"]: s["title"] for s in report.sections}
    try:
        key, reason = validate_return(payload, {k: titles[k] for k in returnable(session, report)})
        body = validate_body(report.sections, payload, required=False)
    except ValueError as exc:
        raise InvalidInput(N_("请检查填写的内容"), fields=exc.args[0]) from None
    row = contribution(session, report, key)
    row.returned_at, row.returned_reason, row.submitted_at = now, reason, None
    report.body = {k: v for k, v in body.items() if k != key and v}
    report.status, report.updated_at, report.updated_by_id = "contributing", now, user.id
    readmodel.record_outcome(ht, decision="return", comment=reason)
    audit.record(session, actor_id=user.id, action="report.return_section", object_type="report", object_id=report.id,
                 instance_id=report.instance_id, now=now, after={"section": key, "reason": reason})  # fmt: skip
    return {"compile_decision": "return", "unit_returned": row.unit_id}


def publish_service(step: workflow.Step, params: dict, data: dict) -> dict:
    """`publish_report`: the approved report is published (the public page lists it)."""
    report = step.session.scalar(select(Report).where(Report.instance_id == step.instance.id))
    if report is None:
        return {"published": False}
    publish(step.session, report, step.actor_id, step.now)
    return {"published": True}


def publish(session: Session, report: Report, actor_id: int | None, now: datetime) -> None:
    report.status, report.published_at, report.published_by_id = "published", now, actor_id
    audit.record(session, actor_id=actor_id, action="report.publish", object_type="report", object_id=report.id,
                 instance_id=report.instance_id, now=now, after={"year": report.year})  # fmt: skip
