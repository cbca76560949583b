"""质量督导 › 督导记录: the list (year, kind), the plan of a year and kind, the record form, the record page with
the supervised party's response and the supervisor's closing."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from engine.core.errors import N_, InvalidInput, NotFound
from engine.models import OrgUnit, Subject, User
from engine.org import policy
from engine.supervision import records

from ..db import db, flash_on_commit, transactional
from ..errors import refused, translate_fields
from ..helpers import now, principals, today
from .blueprint import bp, year_arg

SUBJECT_TYPE_ORDER = ("teacher", "major", "course", "college", "functional_dept", "faculty_team",
                      "student_cultivation", "student")  # fmt: skip


def _kind(value, required: bool = False) -> str | None:
    if value in records.KINDS:
        return value
    if required:
        raise NotFound(N_("页面不存在"))
    return None


def _names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


def _subjects(ids) -> dict[int, Subject]:
    return {s.id: s for s in db.session.scalars(select(Subject).where(Subject.id.in_(set(ids) or [-1])))}


@bp.get("/")
@login_required
def index():
    year, kind = year_arg(request.args.get("year")), _kind(request.args.get("kind"))
    ps = principals()
    v = policy.viewer(current_user, ps)
    rows = records.listing(db.session, current_user, ps, year, kind)
    seen = policy.supervision_kinds_seen(v)
    plans = {k: records.plan_of(db.session, year, k) for k in records.KINDS}
    shown_plans = {
        k: p
        for k, p in plans.items()
        if k in seen or policy.leads_supervision(v, k) or (p and current_user.id in p.supervisor_ids)
    }
    return render_template(
        "supervision/index.html", year=year, kind=kind, rows=rows, plans=shown_plans,
        leads={k for k in records.KINDS if policy.leads_supervision(v, k)},
        recordable=records.recordable_kinds(db.session, current_user, ps),
        subjects=_subjects(r.subject_id for r in rows), names=_names(r.supervisor_id for r in rows),
        plan_names=_names(i for p in shown_plans.values() if p for i in p.supervisor_ids),
    )  # fmt: skip


# -- the plan -----------------------------------------------------------------------------------------


def _plan_page(year: int, kind: str, values: dict | None = None, errors: dict | None = None, status: int = 200):
    if not policy.leads_supervision(policy.viewer(current_user, principals()), kind):
        raise NotFound(N_("页面不存在"))
    plan = records.plan_of(db.session, year, kind)
    values = values or {
        "title": plan.title if plan else _("%(year)s 年度%(kind)s工作计划", year=year, kind=_(records.KINDS[kind])),
        "scope": plan.scope if plan else "", "schedule": plan.schedule if plan else "",
        "supervisors": [str(i) for i in (plan.supervisor_ids if plan else [])],
    }  # fmt: skip
    people = records.candidates(db.session, kind)
    units = dict(db.session.execute(select(OrgUnit.id, OrgUnit.name)).all())
    return render_template("supervision/plan.html", year=year, kind=kind, plan=plan, values=values,
                           errors=errors or {}, people=people, units=units), status  # fmt: skip


@bp.get("/plan")
@login_required
def plan():
    return _plan_page(year_arg(request.args.get("year")), _kind(request.args.get("kind"), required=True))


@bp.post("/plan")
@login_required
@transactional
def save_plan():
    year, kind = year_arg(request.form.get("year")), _kind(request.form.get("kind"), required=True)
    values = {"title": request.form.get("title"), "scope": request.form.get("scope"),
              "schedule": request.form.get("schedule"), "supervisors": request.form.getlist("supervisors")}  # fmt: skip
    try:
        records.save_plan(db.session, current_user, principals(), year, kind, values, now())
    except InvalidInput as exc:
        db.session.rollback()
        return _plan_page(year, kind, values, translate_fields(exc.fields), 400)
    flash_on_commit(_("督导计划已保存"), "success")
    return redirect(url_for("supervision.index", year=year, kind=kind))


# -- a record -----------------------------------------------------------------------------------------


def _form_page(kind: str, values: dict | None = None, errors: dict | None = None, status: int = 200):
    if not records.may_record(db.session, current_user, principals(), kind):
        raise NotFound(N_("页面不存在"))
    types = records.SUBJECT_TYPES[kind]
    subjects = db.session.scalars(
        select(Subject).where(Subject.type.in_(types)).order_by(Subject.type, Subject.code, Subject.id)
    ).all()
    grouped = {t: [s for s in subjects if s.type == t] for t in SUBJECT_TYPE_ORDER if t in types}
    values = values or {"visited_on": today().isoformat(), "activity": "class" if kind == "teaching" else ""}
    return render_template("supervision/form.html", kind=kind, values=values, errors=errors or {},
                           grouped=grouped), status  # fmt: skip


@bp.get("/new")
@login_required
def new():
    return _form_page(_kind(request.args.get("kind"), required=True))


@bp.post("/new")
@login_required
@transactional
def create():
    kind = _kind(request.form.get("kind"), required=True)
    values = {k: request.form.get(k, "") for k in ("subject_id", "visited_on", "activity", "topic", "findings",
                                                    "guidance")}  # fmt: skip
    try:
        record = records.add_record(db.session, current_user, principals(), kind, values, now())
    except InvalidInput as exc:
        db.session.rollback()
        return _form_page(kind, values, translate_fields(exc.fields), 400)
    flash_on_commit(_("督导记录已保存，已通知被督导方"), "success")
    return redirect(url_for("supervision.show", record_id=record.id))


def _show_page(record, response: str | None = None, errors: dict | None = None, status: int = 200):
    subject = db.session.get(Subject, record.subject_id)
    return render_template(
        "supervision/show.html", record=record, subject=subject, response=response, errors=errors or {},
        names=_names([record.supervisor_id, record.responded_by_id]),
        is_party=records.is_party(db.session, current_user, record),
        is_supervisor=record.supervisor_id == current_user.id,
    ), status  # fmt: skip


@bp.get("/<record_id>")
@login_required
def show(record_id):
    return _show_page(records.get_record(db.session, current_user, principals(), record_id))


@bp.post("/<record_id>/respond")
@login_required
@transactional
def respond(record_id):
    text = request.form.get("response", "")
    try:
        record = records.respond(db.session, current_user, principals(), record_id, text, now())
    except InvalidInput as exc:
        errors = refused(exc, "response")
        record = records.get_record(db.session, current_user, principals(), record_id)
        return _show_page(record, text, errors, 400)
    flash_on_commit(_("回复已保存"), "success")
    return redirect(url_for("supervision.show", record_id=record.id))


@bp.post("/<record_id>/close")
@login_required
@transactional
def close(record_id):
    record = records.close(db.session, current_user, principals(), record_id, now())
    flash_on_commit(_("督导记录已关闭"), "success")
    return redirect(url_for("supervision.show", record_id=record.id))
