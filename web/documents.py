"""Document pages: the current state, the version history, any published version."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from engine import documents
from engine.models import FormTemplate
from forms.templates import section_labels

from .db import db
from .helpers import principals

bp = Blueprint("documents", __name__, url_prefix="/documents")


def _template(key, version):
    from sqlalchemy import select

    return db.session.scalar(select(FormTemplate).where(FormTemplate.key == key, FormTemplate.version == version))


@bp.get("/<doc_id>")
@login_required
def show(doc_id):
    doc = documents.get_document(db.session, current_user, doc_id, principals())
    versions = documents.versions(db.session, doc)
    template = documents.template_of(db.session, doc)
    latest = versions[-1] if versions else None
    data = latest.data if latest else doc.data
    return render_template(
        "documents/show.html", doc=doc, versions=versions, version=latest, data=data,
        template=template.definition, sections=section_labels(template.definition, data),
    )  # fmt: skip


@bp.get("/<doc_id>/versions/<version>")
@login_required
def version(doc_id, version):
    doc = documents.get_document(db.session, current_user, doc_id, principals())
    v = documents.get_version(db.session, doc, version)
    template = _template(v.template_key, v.template_version)
    return render_template(
        "documents/show.html", doc=doc, versions=documents.versions(db.session, doc), version=v, data=v.data,
        template=template.definition, sections=section_labels(template.definition, v.data),
    )  # fmt: skip
