"""诊改组织 (/committees): the committees of 诊改, read by staff and teachers, kept by 诊改办公室 and administrators.
Saving a committee that breaks a rule (engine/org/committee_rules.py) saves nothing and names every rule."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from engine.core.errors import N_, InvalidInput, NotFound
from engine.models import OrgUnit
from engine.org import committees

from ..db import db, flash_on_commit, transactional
from ..errors import translate, translate_fields
from ..helpers import now, principals

bp = Blueprint("committees", __name__)
BLANK_ROWS = 5  # empty member rows offered below the members


@bp.get("/committees")
@login_required
def index():
    rows = committees.list_committees(db.session, current_user, principals())
    if current_user.kind == "student":
        raise NotFound(N_("页面不存在"))
    editable = committees.may_edit(current_user, principals())
    present = {c.kind for c in rows}
    missing = [k for k in committees.KINDS if k in committees.GROUP_KINDS or k not in present]
    return render_template("committees/index.html", rows=rows, kinds=committees.KINDS, roles=committees.ROLES,
                           editable=editable, missing=missing)  # fmt: skip


@bp.get("/committees/<committee_id>")
@login_required
def show(committee_id):
    committee = committees.get_committee(db.session, current_user, committee_id, principals())
    broken = committees.check(db.session, committees.draft_of(committee))  # e.g. a head appointed since
    return render_template(
        "committees/show.html", c=committee, kinds=committees.KINDS, roles=committees.ROLES,
        editable=committees.may_edit(current_user, principals()), broken=[translate(m, p) for m, p in broken],
    )  # fmt: skip


def _editable(committee_id=None):
    if not committees.may_edit(current_user, principals()):
        if committee_id is not None:
            committees.get_committee(db.session, current_user, committee_id, principals())  # 404 first if unseen
        raise NotFound(N_("页面不存在"))
    return committees.get_committee(db.session, current_user, committee_id, principals()) if committee_id else None


def _units():
    return list(db.session.scalars(select(OrgUnit).where(OrgUnit.active).order_by(OrgUnit.kind, OrgUnit.code)))


def _form(committee, kind, values, rows, errors=None, broken=None, status=200):
    rows = list(rows) + [{"role": "member"} for _i in range(BLANK_ROWS)]
    return render_template(
        "committees/edit.html", c=committee, kind=kind, kinds=committees.KINDS, roles=committees.ROLES,
        values=values, rows=rows, units=_units(), errors=errors or {}, broken=broken or [],
    ), status  # fmt: skip


def _values_of(committee) -> tuple[dict, list[dict]]:
    values = {"name": committee.name, "unit": str(committee.org_unit_id or ""),
              "term_start": str(committee.term_start or ""), "term_end": str(committee.term_end or "")}  # fmt: skip
    rows = [
        {"role": m.role, "username": m.user.username if m.user else "", "name": m.external_name or "",
         "employer": m.external_employer or "", "unit": str(m.org_unit_id or "")}
        for m in committee.members
    ]  # fmt: skip
    return values, rows


def _posted() -> tuple[dict, list[dict]]:
    form = request.form
    values = {k: form.get(k, "") for k in ("name", "unit", "term_start", "term_end")}
    indexes = sorted({int(k.split("-")[1]) for k in form if k.startswith("m-") and k.split("-")[1].isdigit()})
    rows = [{f: form.get(f"m-{i}-{f}", "") for f in ("role", "username", "name", "employer", "unit")}
            for i in indexes[:500]]  # fmt: skip
    # rows left empty are no members; dropped here so errors name the rows shown again
    return values, [r for r in rows if r["username"].strip() or r["name"].strip()]


@bp.get("/committees/new")
@login_required
def new():
    _editable()
    kind = request.args.get("kind", "")
    if kind not in committees.KINDS:
        raise NotFound(N_("页面不存在"))
    return _form(None, kind, {"name": _(committees.KINDS[kind])}, [])


@bp.get("/committees/<committee_id>/edit")
@login_required
def edit(committee_id):
    committee = _editable(committee_id)
    values, rows = _values_of(committee)
    return _form(committee, committee.kind, values, rows)


@bp.post("/committees/new")
@login_required
@transactional
def create():
    _editable()
    kind = request.args.get("kind", "")
    if kind not in committees.KINDS:
        raise NotFound(N_("页面不存在"))
    return _save(None, kind)


@bp.post("/committees/<committee_id>/edit")
@login_required
@transactional
def save(committee_id):
    committee = _editable(committee_id)
    return _save(committee, committee.kind)


def _save(committee, kind):
    values, rows = _posted()
    try:
        draft = committees.draft_from_input(db.session, kind, values, rows)
        saved = committees.save(db.session, current_user, now(), draft, committee)
    except InvalidInput as exc:
        db.session.rollback()
        flash(translate(exc.message, exc.params), "danger")
        fields = dict(exc.fields)
        broken = translate_fields({"rules": fields.pop("rules", [])})["rules"]
        return _form(committee, kind, values, rows, translate_fields(fields), broken, 400)
    flash_on_commit(_("已保存“%(name)s”", name=saved.name), "success")
    return redirect(url_for("committees.show", committee_id=saved.id))
