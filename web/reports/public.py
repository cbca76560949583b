"""向社会公开: the published reports for anyone, without login — the list and each report's PDF and Word. Any id
that is not a published report is not found."""

from __future__ import annotations

from flask import Blueprint, render_template

from engine import reports

from ..db import db
from . import _send

bp = Blueprint("public_reports", __name__, url_prefix="/public/reports")


@bp.get("")
@bp.get("/")
def index():
    rows = reports.reading.published(db.session)
    names = {r.id: reports.reading.unit_label(db.session, r) for r in rows}
    return render_template("reports/public.html", rows=rows, names=names)


@bp.get("/<report_id>.<any(docx, pdf, xlsx):fmt>")
def download(report_id, fmt):
    return _send(reports.reading.public_report(db.session, report_id), fmt)
