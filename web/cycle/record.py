"""年度诊改 › 自我诊断记录 (seed tables 29-36): a subject's record of a year, its exports, and 质量管理处's
吻合度 overview of the year. Whoever may see the subject's documents may see its record (404 otherwise)."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.core import periods
from engine.cycle import record as records
from engine.cycle import sampling
from engine.documents import sharing
from forms import record as layout
from forms import record_exports

from ..db import db
from ..feeds.panel import platform_data
from ..helpers import int_arg, now, principals, settings

bp = Blueprint("record", __name__, url_prefix="/cycle/record")
MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _load(subject_id, year):
    return records.record_for(db.session, current_user, subject_id, year, principals())


def _judges(rec) -> bool:
    """Whether the user has full access to one of the record's documents (the subject's people, its reviewers,
    monitors): they see its 平台数据; readers of the published documents only do not."""
    ps = principals()
    return any(sharing.access(db.session, current_user, d.id, ps)[1] == "full" for d in rec.documents.values())


@bp.get("/<subject_id>/<year>")
@login_required
def show(subject_id, year):
    rec = _load(subject_id, year)
    return render_template(
        "cycle/record.html", rec=rec, groups=layout.GROUPS, columns=layout.columns(), percent=layout.percent,
        platform=platform_data(rec.subject, rec.year) if _judges(rec) else None,
    )  # fmt: skip


@bp.get("/<subject_id>/<year>/export.<fmt>")
@login_required
def export(subject_id, year, fmt):
    if fmt not in MIMETYPES:
        abort(404)
    rec = _load(subject_id, year)
    meta = {"title": _("自我诊断记录"), "subject": rec.subject.name, "year": rec.year}
    writer = record_exports.to_xlsx if fmt == "xlsx" else record_exports.to_docx
    content = writer(rec.layout, meta, _)
    name = f"{_('自我诊断记录')}-{rec.subject.name}-{rec.year}.{fmt}"
    return send_file(BytesIO(content), mimetype=MIMETYPES[fmt], as_attachment=True, download_name=name)


@bp.get("/agreement")
@login_required
def agreement():
    """质量管理处's list of the year's subjects by 吻合度, lowest first (the sampling page's readers)."""
    sampling.check_allowed(current_user, principals())
    year = int_arg(request.args.get("year"), 0)
    if not 2000 <= year <= 2100:
        year = periods.local_year(now(), settings().timezone)
    rows = records.overview(db.session, year)
    return render_template("cycle/agreement.html", year=year, rows=rows, percent=layout.percent)
