"""诊断指标体系 (/checklists): the review checklists of every subject type, a checklist's versions, and the draft
its lead department (and 质量管理处) edits and publishes."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.core.errors import Conflict, InvalidInput
from engine.diagnosis import checklists
from engine.org import functions
from forms import diagnosis as modes

from ..db import db, flash_on_commit, transactional
from ..errors import translate, translate_fields
from ..helpers import now, principals

bp = Blueprint("checklists", __name__)
BLANK_ITEMS = 3  # empty rows under the items, to add new ones without JavaScript
SCALE_ROWS = modes.MAX_LEVELS


@bp.record_once
def _labels(state) -> None:
    state.app.jinja_env.globals.update(DIAGNOSIS_MODES=modes.MODES, DIAGNOSIS_METHODS=modes.METHODS)


@bp.get("/checklists")
@login_required
def index():
    rows = checklists.list_checklists(db.session, current_user, principals())
    return render_template("diagnosis/checklists.html", rows=rows, units=functions.holders(db.session),
                           labels=functions.LABELS)  # fmt: skip


def _show(checklist, version):
    versions = checklists.versions(db.session, checklist)
    unit = functions.holders(db.session).get(checklist.lead_function)
    return render_template(
        "diagnosis/checklist.html", checklist=checklist, version=version, versions=versions,
        unit_name=unit.name if unit else functions.LABELS.get(checklist.lead_function, ""),
        may_edit=checklists.may_edit(db.session, current_user, principals(), checklist),
        draft=next((v for v in versions if v.status == checklists.DRAFT), None),
    )  # fmt: skip


@bp.get("/checklists/<checklist_id>")
@login_required
def show(checklist_id):
    checklist = checklists.get_checklist(db.session, current_user, principals(), checklist_id)
    return _show(checklist, checklists.in_force(db.session, checklist.subject_type))


@bp.get("/checklists/<checklist_id>/versions/<version>")
@login_required
def version(checklist_id, version):
    checklist = checklists.get_checklist(db.session, current_user, principals(), checklist_id)
    return _show(checklist, checklists.get_version(db.session, checklist, version))


def _form_values(items, scale) -> dict:
    values = {}
    for n, item in enumerate(items, 1):
        values.update({f"item-{n}-key": item["key"], f"item-{n}-indicator": item["indicator"],
                       f"item-{n}-label": item["label"], f"item-{n}-weight": str(item["weight"]),
                       f"item-{n}-order": str(n)})  # fmt: skip
    for n, level in enumerate(scale, 1):
        values.update({f"scale-{n}-label": level["label"], f"scale-{n}-score": str(level["score"])})
    return values


def _edit(checklist, values: dict, field_errors: dict, status: int = 200):
    items = sorted({int(k.split("-")[1]) for k in values if k.startswith("item-") and k.split("-")[1].isdigit()})
    last = max(items, default=0)
    rows = items + list(range(last + 1, last + 1 + BLANK_ITEMS))
    page = render_template(
        "diagnosis/checklist_edit.html", checklist=checklist, values=values, field_errors=field_errors, rows=rows,
        scale_rows=range(1, SCALE_ROWS + 1), draft=checklists.draft_of(db.session, checklist),
        indicators=list(dict.fromkeys(r[0] for r in modes.FIGURE_12)),
    )  # fmt: skip
    return page, status


@bp.get("/checklists/<checklist_id>/draft")
@login_required
def edit(checklist_id):
    checklist = checklists.editable(db.session, current_user, principals(), checklist_id)
    return _edit(checklist, _form_values(*checklists.working_copy(db.session, checklist)), {})


@bp.post("/checklists/<checklist_id>/draft")
@login_required
@transactional
def save(checklist_id):
    """Save the draft; refused input shows the form again as typed, each message at its field, nothing saved."""
    try:
        draft = checklists.save_draft(db.session, current_user, principals(), checklist_id, request.form, now())
    except InvalidInput as exc:
        db.session.rollback()
        checklist = checklists.editable(db.session, current_user, principals(), checklist_id)
        flash(_("保存失败：请按提示修改后重试"), "danger")
        return _edit(checklist, request.form.to_dict(), translate_fields(exc.fields), 400)
    flash_on_commit(_("草稿已保存（v%(v)s）", v=draft.version), "success")
    return redirect(url_for("checklists.edit", checklist_id=draft.checklist_id))


@bp.post("/checklists/<checklist_id>/publish")
@login_required
@transactional
def publish(checklist_id):
    try:
        version = checklists.publish(db.session, current_user, principals(), checklist_id, request.form.get("note"),
                                     now())  # fmt: skip
    except InvalidInput as exc:
        db.session.rollback()
        checklist = checklists.editable(db.session, current_user, principals(), checklist_id)
        values = _form_values(*checklists.working_copy(db.session, checklist)) | {"note": request.form.get("note", "")}
        flash(_("发布失败：请按提示修改后重试"), "danger")
        return _edit(checklist, values, translate_fields(exc.fields), 400)
    except Conflict as exc:
        db.session.rollback()
        flash(translate(exc.message, exc.params), "warning")
        return redirect(url_for("checklists.show", checklist_id=checklist_id))
    flash_on_commit(_("已发布 v%(v)s，即日起用于复核性诊断", v=version.version), "success")
    return redirect(url_for("checklists.show", checklist_id=version.checklist_id))


@bp.post("/checklists/<checklist_id>/discard")
@login_required
@transactional
def discard(checklist_id):
    try:
        checklists.discard_draft(db.session, current_user, principals(), checklist_id, now())
    except Conflict as exc:
        db.session.rollback()
        flash(translate(exc.message, exc.params), "warning")
        return redirect(url_for("checklists.show", checklist_id=checklist_id))
    flash_on_commit(_("草稿已删除"), "success")
    return redirect(url_for("checklists.show", checklist_id=checklist_id))
