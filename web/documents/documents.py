"""Document pages: visible documents, a document and its versions, diff, print, export, sharing."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from engine import diagnosis
from engine.documents import attachments, sharing
from engine.documents import service as documents
from engine.models import FormTemplate
from forms.diff import diff_documents, summary
from forms.templates import section_labels

from ..db import db, flash_on_commit, transactional
from ..feeds.panel import platform_data, year_of_period
from ..helpers import int_arg, localtime, now, principals

bp = Blueprint("documents", __name__, url_prefix="/documents")


def _template(key, version) -> dict:
    return db.session.scalar(
        select(FormTemplate.definition).where(FormTemplate.key == key, FormTemplate.version == version)
    )


def _load(doc_id):
    """The document, its published versions and the access level ("full" or "published")."""
    doc, level = sharing.access(db.session, current_user, doc_id, principals())
    return doc, documents.versions(db.session, doc), level


def _content(doc, versions, level, version_arg):
    """(version or None for the working copy, data, template definition) that the user may read."""
    if version_arg:
        v = documents.get_version(db.session, doc, version_arg)
        return v, v.data, _template(v.template_key, v.template_version)
    if versions:
        v = versions[-1]
        return v, v.data, _template(v.template_key, v.template_version)
    if level != "full":
        abort(404)
    return None, doc.data, _template(doc.template_key, doc.template_version)


@bp.get("/")
@login_required
def index():
    subject_type = request.args.get("subject_type") or None
    doc_type = request.args.get("doc_type") or None
    search = (request.args.get("q") or "").strip()
    page = int_arg(request.args.get("page"), 1)
    rows, total = sharing.list_documents(
        db.session, current_user, principals(), subject_type=subject_type, doc_type=doc_type, search=search,
        page=page, per_page=30,
    )  # fmt: skip
    return render_template(
        "documents/index.html", rows=rows, total=total, page=page, pages=max(1, (total + 29) // 30),
        subject_type=subject_type, doc_type=doc_type, search=search,
    )  # fmt: skip


@bp.get("/<doc_id>")
@login_required
def show(doc_id):
    doc, versions, level = _load(doc_id)
    version, data, template = _content(doc, versions, level, None)
    return _render_show(doc, versions, level, version, data, template)


@bp.get("/<doc_id>/versions/<version>")
@login_required
def version(doc_id, version):
    doc, versions, level = _load(doc_id)
    v, data, template = _content(doc, versions, level, version)
    return _render_show(doc, versions, level, v, data, template)


@bp.get("/<doc_id>/working-copy")
@login_required
def working_copy(doc_id):
    doc, versions, level = _load(doc_id)
    if level != "full":
        abort(404)
    template = _template(doc.template_key, doc.template_version)
    return _render_show(doc, versions, level, None, doc.data, template)


def _render_show(doc, versions, level, version, data, template):
    return render_template(
        "documents/show.html", doc=doc, versions=versions, version=version, data=data, template=template,
        sections=section_labels(template, data), level=level,
        shares=sharing.shares(db.session, doc) if level == "full" else [],
        attachments=attachments.of_document(db.session, doc.id),
        assessment=diagnosis.assessment_of(db.session, doc.id),
        assess_task=diagnosis.assessments.assessing_task(db.session, current_user, principals(), doc),
        platform=platform_data(doc.subject, year_of_period(doc.period)) if level == "full" and doc.subject else None,
    )  # fmt: skip


@bp.get("/<doc_id>/diff")
@login_required
def diff(doc_id):
    doc, versions, level = _load(doc_id)
    if len(versions) < 2:
        flash(_("至少需要两个已发布版本才能比较"), "info")
        return redirect(url_for("documents.show", doc_id=doc.id))
    a = documents.get_version(db.session, doc, request.args.get("a") or versions[-2].version)
    b = documents.get_version(db.session, doc, request.args.get("b") or versions[-1].version)
    template = _template(b.template_key, b.template_version)
    columns = [c["key"] for c in template["columns"]]
    rows = diff_documents(a.data, b.data, columns)
    labels = section_labels(template, b.data) | section_labels(_template(a.template_key, a.template_version), a.data)
    return render_template(
        "documents/diff.html", doc=doc, versions=versions, a=a, b=b, rows=rows, counts=summary(rows),
        template=template, sections=labels,
    )  # fmt: skip


@bp.get("/<doc_id>/print")
@login_required
def print_view(doc_id):
    doc, versions, level = _load(doc_id)
    version, data, template = _content(doc, versions, level, request.args.get("version"))
    return render_template(
        "documents/print.html", doc=doc, version=version, data=data, template=template,
        sections=section_labels(template, data),
    )  # fmt: skip


@bp.get("/<doc_id>/export.<fmt>")
@login_required
def export(doc_id, fmt):
    from forms import exports

    if fmt not in ("xlsx", "docx"):
        abort(404)
    doc, versions, level = _load(doc_id)
    version, data, template = _content(doc, versions, level, request.args.get("version"))
    meta = {
        "title": doc.title,
        "header_values": documents.header_values(doc, template, data),
        "version": version.version if version else None,
        "published_at": localtime(version.published_at) if version else None,
        "status_label": _(documents.STATUS_LABELS[doc.status]),
    }
    content = exports.to_xlsx(template, data, meta) if fmt == "xlsx" else exports.to_docx(template, data, meta)
    suffix = f"v{version.version}" if version else "draft"
    mimetype = {
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }[fmt]
    return send_file(
        BytesIO(content), mimetype=mimetype, as_attachment=True, download_name=f"{doc.title}-{suffix}.{fmt}"
    )


@bp.get("/<doc_id>/attachments/<attachment_id>")
@login_required
def attachment(doc_id, attachment_id):
    row = attachments.for_download(db.session, current_user, doc_id, attachment_id)
    return send_file(BytesIO(row.content), mimetype=row.content_type, as_attachment=True, download_name=row.filename)


@bp.post("/<doc_id>/shares")
@login_required
@transactional
def add_share(doc_id):
    row = sharing.share(db.session, current_user, doc_id, request.form.get("username", ""), now())
    flash_on_commit(_("已共享给 %(name)s", name=row.label), "success")
    return redirect(url_for("documents.show", doc_id=doc_id))


@bp.post("/<doc_id>/shares/<share_id>/delete")
@login_required
@transactional
def remove_share(doc_id, share_id):
    sharing.unshare(db.session, current_user, doc_id, share_id, now())
    flash_on_commit(_("已取消共享"), "success")
    return redirect(url_for("documents.show", doc_id=doc_id))
