"""Registry pages: the three lists with filters, an entry's page, the edit form (lead department, 质量管理处)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import registries
from engine.core.errors import InvalidInput
from engine.cycle import links
from engine.models import RegistryKind

from ..db import db, flash_on_commit, transactional
from ..errors import translate_fields
from ..helpers import now, principals

bp = Blueprint("registries", __name__, url_prefix="/registries")


@bp.record_once
def _labels(state) -> None:
    """The registries' labels for every template (the macros in registries/_macros.html read them)."""
    state.app.jinja_env.globals.update(
        REGISTRY_KIND_LABELS=registries.KIND_LABELS, REGISTRY_STATUS_LABELS=registries.STATUS_LABELS
    )


@bp.get("/")
@login_required
def index():
    """The three registries with their entries counted by status."""
    counts = {}
    for kind in RegistryKind:
        statuses = [e.status for e in registries.entries(db.session, kind)]
        counts[kind] = {st: statuses.count(st) for st in registries.STATUS_LABELS} | {"all": len(statuses)}
    return render_template("registries/index.html", counts=counts)


@bp.get("/<kind>")
@login_required
def entries(kind):
    """One registry, filtered by lead department and status."""
    filters = {k: request.args.get(k) or None for k in ("department", "status")}
    rows = registries.entries(db.session, kind, lead_unit_id=filters["department"], status=filters["status"])
    ps = principals()
    return render_template(
        "registries/entries.html", kind=kind, rows=rows, filters=filters, units=registries.lead_units(db.session),
        editable={e.id for e in rows if registries.may_edit(current_user, ps, e)},
        annual=links.rows_by_key(db.session, kind),
    )  # fmt: skip


def _entry_context(entry, **extra) -> dict:
    return {
        "entry": entry,
        "annual_rows": links.rows_for(db.session, entry.kind, entry.key),
        "may_edit": registries.may_edit(current_user, principals(), entry),
        **extra,
    }


@bp.get("/entry/<entry_id>")
@login_required
def show(entry_id):
    entry = registries.get_entry(db.session, entry_id)
    return render_template("registries/show.html", **_entry_context(entry))


@bp.get("/entry/<entry_id>/edit")
@login_required
def edit(entry_id):
    entry = registries.editable_entry(db.session, current_user, principals(), entry_id)
    return render_template("registries/edit.html", **_edit_context(entry, None, {}))


def _edit_context(entry, form, field_errors) -> dict:
    values = form or {
        "lead_unit_id": str(entry.lead_unit_id or ""), "cooperating": "、".join(entry.cooperating or []),
        "status": entry.status, "document_text": entry.document_text or "", "document_url": entry.document_url or "",
        "document_date": entry.document_date.isoformat() if entry.document_date else "", "note": entry.note or "",
        "service_hours": str(entry.service_hours or ""),
    }  # fmt: skip
    return {"entry": entry, "values": values, "field_errors": field_errors, "units": registries.lead_units(db.session)}


@bp.post("/entry/<entry_id>/edit")
@login_required
@transactional
def update(entry_id):
    """Save an edit; a refused one shows the form again as typed, with each field's message, and changes nothing."""
    try:
        entry = registries.update_entry(db.session, current_user, principals(), entry_id, request.form, now())
    except InvalidInput as exc:
        db.session.rollback()
        entry = registries.get_entry(db.session, entry_id)
        flash(_("保存失败：请按提示修改后重试"), "danger")
        ctx = _edit_context(entry, request.form.to_dict(), translate_fields(exc.fields))
        return render_template("registries/edit.html", **ctx), 400
    flash_on_commit(_("已保存：%(title)s", title=entry.title), "success")
    return redirect(url_for("registries.show", entry_id=entry.id))
