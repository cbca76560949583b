"""Positions and role assignments with dates: who holds what in which unit, give one, end one.

Administrators see and change every position; a department head only those scoped to the units they head.
"""

from __future__ import annotations

from datetime import date

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from engine.core.errors import N_, InvalidInput, object_id
from engine.models import OrgUnit, SchoolClass, Subject, User
from engine.org import positions as position_service

from ..db import db, flash_on_commit, transactional
from ..errors import refused
from ..helpers import int_arg, is_local_path, now
from .blueprint import bp, headed_units, is_admin

SCOPE_KINDS = {"unit": N_("单位"), "class": N_("班级"), "major": N_("专业"), "course": N_("课程"), "school": N_("全校")}


def scope_names(session, terms) -> dict[int, str]:
    """Each term's scope as a name: 全校, a unit's, a class's or a subject's."""
    models = {"unit": OrgUnit, "class": SchoolClass, "subject": Subject}
    names = {}
    for scope_type, model in models.items():
        ids = {t.scope_id for t in terms if t.scope_type == scope_type}
        rows = session.execute(select(model.id, model.name).where(model.id.in_(ids))).all() if ids else []
        names[scope_type] = {i: n for i, n in rows}
    return {t.id: _("全校") if t.scope_type == "school" else names[t.scope_type].get(t.scope_id, "?") for t in terms}


def _allowed() -> list[int] | None:
    return None if is_admin() else headed_units()


def _date(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(N_("日期格式不对"), fields={field: N_("日期格式不对")}) from None


def _page(form=None, field_errors=None, status=200):
    allowed = _allowed()
    units = db.session.scalars(select(OrgUnit).order_by(OrgUnit.code)).all()
    if allowed is not None:
        units = [u for u in units if u.id in allowed]
    unit_id = int_arg(request.args.get("unit"), 0) or None
    if allowed is not None and unit_id not in allowed:
        unit_id = allowed[0]
    history = request.args.get("history") == "1"
    day = position_service.today_of(db.session, now())
    terms = position_service.terms_in(db.session, [unit_id] if unit_id else allowed, not history, day)
    holders = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({t.user_id for t in terms})))}
    roles = position_service.HEAD_ROLES if allowed is not None else list(position_service.POSITION_LABELS)
    return render_template(
        "orgadmin/positions.html", terms=terms, holders=holders, names=scope_names(db.session, terms), units=units,
        unit_id=unit_id, history=history, labels=position_service.POSITION_LABELS, roles=roles, today=day,
        scope_kinds=SCOPE_KINDS if allowed is None else {"unit": SCOPE_KINDS["unit"]}, form=form or {},
        field_errors=field_errors or {}, unit_codes={u.id: u.code for u in units},
    ), status  # fmt: skip


@bp.get("/positions")
@login_required
def positions():
    return _page()


@bp.post("/positions")
@login_required
@transactional
def assign_position():
    f = request.form
    try:
        term = position_service.assign_by_number(
            db.session, current_user, now(), f.get("number", ""), f.get("role", ""), f.get("scope_kind", ""),
            f.get("scope_code", ""), _date(f.get("starts_on", ""), "starts_on"), _date(f.get("ends_on", ""), "ends_on"),
            allowed_units=_allowed(),
        )  # fmt: skip
    except InvalidInput as exc:
        fields = refused(exc, "role")
        return _page(form=f, field_errors=fields, status=400)
    person = db.session.get(User, term.user_id)
    flash_on_commit(_("已任命 %(name)s 为%(role)s", name=person.display_name,
                      role=_(position_service.POSITION_LABELS[term.role])), "success")  # fmt: skip
    back = request.form.get("next", "")
    return redirect(back if back.startswith("/admin/") and is_local_path(back) else url_for("orgadmin.positions"))


@bp.post("/positions/<term_id>/end")
@login_required
@transactional
def end_position(term_id):
    tid = object_id(term_id, N_("岗位任职不存在"))
    ends_on = _date(request.form.get("ends_on", ""), "ends_on")
    term = position_service.end_checked(db.session, current_user, tid, now(), ends_on, allowed_units=_allowed())
    flash_on_commit(_("岗位任职已于 %(day)s 结束", day=term.ends_on.isoformat()), "success")
    back = request.form.get("next", "")
    return redirect(back if back.startswith("/admin/") and is_local_path(back) else url_for("orgadmin.positions"))
