"""The unit tree: see it, add a unit, change one (code, name, kind, parent, in use)."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.core.errors import N_, InvalidInput, object_id
from engine.org import units as unit_service

from ..db import db, flash_on_commit, transactional
from ..errors import translate_fields
from ..helpers import now
from .blueprint import bp


def _parent(value) -> int | None:
    return object_id(value, N_("上级单位不存在")) if value else None


def _page(form=None, field_errors=None, editing=None, status=200):
    roots = unit_service.tree(db.session)
    rows = list(unit_service.flatten(roots))
    return render_template(
        "orgadmin/units.html", rows=rows, kinds=unit_service.UNIT_KIND_LABELS, form=form or {},
        field_errors=field_errors or {}, editing=editing,
    ), status  # fmt: skip


@bp.get("/units")
@login_required
def units():
    editing = request.args.get("edit")
    return _page(editing=int(editing) if editing and editing.isdigit() else None)


@bp.post("/units")
@login_required
@transactional
def create_unit():
    f = request.form
    try:
        unit = unit_service.create(db.session, current_user, now(), f.get("code", ""), f.get("name", ""),
                                   f.get("kind", ""), _parent(f.get("parent_id")))  # fmt: skip
    except InvalidInput as exc:
        db.session.rollback()
        return _page(form=f, field_errors=translate_fields(exc.fields), status=400)
    flash_on_commit(_("已添加单位“%(name)s”", name=unit.name), "success")
    return redirect(url_for("orgadmin.units"))


@bp.post("/units/<unit_id>")
@login_required
@transactional
def update_unit(unit_id):
    f = request.form
    uid = object_id(unit_id, N_("单位不存在"))
    try:
        unit = unit_service.update(db.session, current_user, now(), uid, f.get("code", ""), f.get("name", ""),
                                   f.get("kind", ""), _parent(f.get("parent_id")), f.get("active") == "on")  # fmt: skip
    except InvalidInput as exc:
        db.session.rollback()
        return _page(form=f, field_errors=translate_fields(exc.fields), editing=uid, status=400)
    flash_on_commit(_("已保存单位“%(name)s”", name=unit.name), "success")
    return redirect(url_for("orgadmin.units"))
