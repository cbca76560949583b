"""质量报告: the yearly reports (engine/reports/). The list (the school's reports, the user's units' own reports,
the report types), a report's page (read, or write a draft), the headings of a type (质量管理处), the steps of the
school report's process (a department's section, the compilation, the leaders' decision: the `reports/_task.html`
block on the normal task page, posted here), Word and PDF. The public list is web/reports/public.py."""

from __future__ import annotations

import base64
from io import BytesIO

from flask import Blueprint, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from engine import reports, workflow
from engine.core.errors import N_, InvalidInput, NotFound
from engine.models import HumanTask, OrgUnit, Report
from engine.org import functions, policy
from engine.workflow import tasks
from forms import report_exports

from ..db import db, flash_on_commit, transactional
from ..errors import refused
from ..helpers import now, principals

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _viewer():
    return policy.viewer(current_user, principals())


def _units(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    return dict(db.session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ids or [-1]))).all())


def _index(form=None, errors=None, status=200):
    v = _viewer()
    rows = reports.reading.visible(db.session, current_user, principals())
    units = reports.units.writable_units(db.session, current_user, principals())
    types = reports.catalogue.all_types(db.session)
    return render_template(
        "reports/index.html", rows=rows, units=units, types=types, manages=policy.manages_reports(v),
        unit_types={u.id: reports.catalogue.for_unit(db.session, u.kind) for u in units},
        unit_names=_units(r.unit_id for r in rows), year=now().year, form=form or {}, field_errors=errors or {},
    ), status  # fmt: skip


@bp.get("/")
@login_required
def index():
    return _index()


@bp.post("/start")
@login_required
@transactional
def start():
    form = {"type": request.form.get("type", ""), "year": request.form.get("year", "")}
    try:
        report = reports.school.start(db.session, current_user, principals(), form["type"], form["year"], now())
    except InvalidInput as exc:
        errors = refused(exc, "year")
        return _index(form, errors, 400)
    flash_on_commit(_("已启动：%(title)s", title=report.title), "success")
    return redirect(url_for("reports.show", report_id=report.id))


@bp.post("/units/<unit_id>/<type_key>")
@login_required
@transactional
def open_unit_report(unit_id, type_key):
    try:
        report = reports.units.open_report(
            db.session, current_user, principals(), unit_id, type_key, request.form.get("year", ""), now()
        )
    except InvalidInput as exc:
        return _index({"year": request.form.get("year", "")}, refused(exc, "year"), 400)
    return redirect(url_for("reports.show", report_id=report.id))


def _show(report: Report, typed=None, errors=None, status=200):
    texts = reports.reading.texts(db.session, report)
    given = reports.school.contributions(db.session, report) if report.instance_id else {}
    open_tasks = []
    if report.instance_id:
        stmt = select(HumanTask).where(HumanTask.instance_id == report.instance_id, HumanTask.state == "open")
        open_tasks = list(db.session.scalars(stmt.order_by(HumanTask.id)))
    return render_template(
        "reports/show.html", report=report, texts=texts if typed is None else typed, given=given,
        may_write=reports.units.may_write(db.session, current_user, principals(), report),
        unit_names=_units([report.unit_id, *(c.unit_id for c in given.values())]),
        unit_label=reports.reading.unit_label(db.session, report), open_tasks=open_tasks,
        offered={t.id for t in open_tasks if tasks.is_candidate(db.session, t.id, principals())},
        history=tasks.history(db.session, report.instance_id) if report.instance_id else [],
        field_errors=errors or {}, charts=_charts(report),
    ), status  # fmt: skip


def _charts(report: Report) -> list[dict]:
    """The data analysis report's charts as data URIs (the same PNG its Word file and PDF carry)."""
    return [{"title": c["title"], "src": "data:image/png;base64," + base64.b64encode(c["png"]).decode("ascii")}
            for c in reports.reading.charts_of(db.session, report)]  # fmt: skip


@bp.get("/<report_id>")
@login_required
def show(report_id):
    return _show(reports.reading.get_report(db.session, current_user, principals(), report_id))


@bp.post("/<report_id>")
@login_required
@transactional
def save(report_id):
    report = reports.reading.get_report(db.session, current_user, principals(), report_id)
    publish = request.form.get("action") == "publish"
    try:
        reports.units.save(db.session, current_user, principals(), report, request.form.to_dict(), publish, now())
    except InvalidInput as exc:
        errors = refused(exc, "title")
        report = reports.reading.get_report(db.session, current_user, principals(), report_id)
        typed = {s["key"]: request.form.get(f"section_{s['key']}", "") for s in report.sections}
        return _show(report, typed, errors, 400)
    flash_on_commit(_("报告已发布") if publish else _("草稿已保存"), "success")
    return redirect(url_for("reports.show", report_id=report.id))


@bp.get("/<report_id>.<any(docx, pdf, xlsx):fmt>")
@login_required
def export(report_id, fmt):
    report = reports.reading.get_report(db.session, current_user, principals(), report_id)
    return _send(report, fmt)


def _send(report: Report, fmt: str):
    data = reports.reading.for_export(db.session, report)
    if fmt == "pdf":
        content, mimetype = report_exports.to_pdf(data), "application/pdf"
    elif fmt == "xlsx":
        content = report_exports.to_xlsx(data)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content = report_exports.to_docx(data)
        mimetype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return send_file(BytesIO(content), mimetype=mimetype, as_attachment=True, download_name=f"{report.title}.{fmt}")


# -- the headings of a report type (质量管理处, monitors) --------------------------------------------------------


def _headings(rtype, rows=None, errors=None, status=200):
    return render_template(
        "reports/headings.html", rtype=rtype, rows=rows if rows is not None else rtype.sections,
        locked=set(reports.catalogue.PROCESS_SECTIONS.get(rtype.key, ())), field_errors=errors or {},
        functions=functions.LABELS if rtype.level == "school" else {},
    ), status  # fmt: skip


def _managed_type(key):
    if not policy.manages_reports(_viewer()):
        raise NotFound(N_("页面不存在"))
    return reports.catalogue.get_type(db.session, key)


@bp.get("/types/<key>")
@login_required
def headings(key):
    return _headings(_managed_type(key))


@bp.post("/types/<key>")
@login_required
@transactional
def save_headings(key):
    rtype = _managed_type(key)
    count = min(int(request.form.get("count", "0") or 0) if request.form.get("count", "").isdigit() else 0, 60)
    rows = [{f: request.form.get(f"{f}_{i}", "") for f in ("key", "title", "function")} for i in range(count)]
    try:
        reports.catalogue.update_headings(db.session, current_user, principals(), key, rows, now())
    except InvalidInput as exc:
        errors = refused(exc, "headings")
        return _headings(reports.catalogue.get_type(db.session, key), rows, errors, 400)
    flash_on_commit(_("报告提纲已保存：%(title)s", title=rtype.title), "success")
    return redirect(url_for("reports.headings", key=key))


# -- the steps of the school report's process (the task page's block posts here) --------------------------------


@bp.post("/tasks/<task_id>")
@login_required
@transactional
def take_step(task_id):
    from ..workflow.tasks import task_context

    action = request.form.get("action", "submit")
    payload = request.form.to_dict()
    try:
        if action == "save":
            reports.school.save_draft(db.session, current_user, principals(), task_id, payload, now())
            flash_on_commit(_("草稿已保存"), "success")
            return redirect(url_for("tasks.show", task_id=task_id))
        task = tasks.get_task(db.session, current_user, task_id, principals())
        if task.kind != "report":
            raise NotFound(N_("任务不存在"))
        done = workflow.complete_task(db.session, current_user, task_id, payload, now(), principals())
    except InvalidInput as exc:
        errors = refused(exc, "comment")
        task = tasks.get_task(db.session, current_user, task_id, principals())
        ctx = task_context(task, field_errors=errors)
        ctx["review_input"] = payload
        return render_template("tasks/show.html", **ctx), 400
    flash_on_commit(_("已提交：%(name)s", name=done.name), "success")
    return redirect(url_for("inbox.tasks_list"))


@bp.app_template_global()
def report_of_task(task):
    """The report a `report` step is about, with its text so far (the task page's block)."""
    if task is None or task.kind != "report":
        return None
    report = reports.school.of_task(db.session, task)
    if report is None:
        return None
    section = reports.school.section_of(db.session, task)
    own = reports.school.contribution(db.session, report, section) if section else None
    out = {"report": report, "texts": reports.reading.texts(db.session, report), "section": section, "own": own}
    if task.bpmn_id == "compile":  # every contribution's state, and what may still be returned
        given = reports.school.contributions(db.session, report)
        out["given"], out["writers"] = given, _units(c.unit_id for c in given.values())
        out["returnable"] = reports.school.returnable(db.session, report)
    return out


@bp.app_template_global()
def reports_card():
    """What the 质量评价 hub's reports card shows the user: None for students (nothing to do with reports)."""
    if not current_user.is_authenticated or current_user.kind == "student":
        return None
    v = _viewer()
    return {"manages": policy.manages_reports(v), "leads": policy.is_school_leader(v),
            "writes": bool(policy.report_writer_units(v)),
            "published": len(reports.reading.published(db.session))}  # fmt: skip


@bp.app_context_processor
def _labels() -> dict:
    return {"REPORT_STATUSES": reports.STATUSES}
