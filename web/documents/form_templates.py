"""Process owners edit a template's items and publish a new template version."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.core.errors import N_, InvalidInput, NotFound
from engine.documents import templates

from ..db import db, flash_on_commit, transactional
from ..errors import translate_fields
from ..helpers import now, principals

bp = Blueprint("form_templates", __name__, url_prefix="/form-templates")


@bp.get("/")
@login_required
def index():
    owned = templates.owned_subject_types(db.session, current_user, principals())
    if owned is not None and not owned:
        raise NotFound(N_("页面不存在"))
    return render_template("form_templates/index.html", rows=templates.latest_versions(db.session, owned))


def _edit_context(key, field_errors=None, form=None):
    versions = templates.get_editable(db.session, current_user, key, principals())
    return {
        "versions": versions,
        "latest": versions[0],
        "usage": templates.usage(db.session, key),
        "field_errors": field_errors or {},
        "form": form,
    }


@bp.get("/<key>")
@login_required
def edit(key):
    return render_template("form_templates/edit.html", **_edit_context(key))


@bp.post("/<key>")
@login_required
@transactional
def publish(key):
    items_text = {k[len("items-") :]: v for k, v in request.form.items() if k.startswith("items-")}
    new_sections = [
        {"label": request.form.get(f"new-{i}-label", ""), "items": request.form.get(f"new-{i}-items", "")}
        for i in range(3)
    ]
    try:
        template = templates.publish_version(
            db.session, current_user, key, items_text, new_sections, request.form.get("note", ""), now()
        )
    except InvalidInput as exc:
        db.session.rollback()
        ctx = _edit_context(key, translate_fields(exc.fields), request.form)
        flash(_("未发布：请按提示修改后重试"), "danger")
        return render_template("form_templates/edit.html", **ctx), 400
    flash_on_commit(_("已发布模板 v%(v)s；新建的文档将使用此版本，已有文档保持原版本。", v=template.version), "success")
    return redirect(url_for("form_templates.edit", key=key))
