"""Work standards (table 9): every unit's seven categories with their status; a unit's page to start or revise one."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from engine.core.errors import N_, NotFound
from engine.documents import work_standards
from forms.work_standards import CATEGORIES

from ..db import db
from ..helpers import now

bp = Blueprint("work_standards", __name__, url_prefix="/standards/work")


def _staff_only() -> None:
    """Work standards are the staff's business; students are shown nothing (404)."""
    if current_user.kind == "student":
        raise NotFound(N_("页面不存在"))


@bp.get("/")
@login_required
def index():
    """Units × the seven categories of the current period, each with its status; `category` highlights one."""
    _staff_only()
    category = request.args.get("category")
    return render_template(
        "work_standards/index.html", rows=work_standards.overview(db.session, now()), categories=CATEGORIES,
        category=category if category in CATEGORIES else None, period=work_standards.period(db.session, now()),
    )  # fmt: skip


@bp.get("/<subject_id>")
@login_required
def unit(subject_id):
    """One unit's work standards by category; its members start or revise them here."""
    _staff_only()
    subject = work_standards.get_unit(db.session, subject_id)
    slots = work_standards.slots(db.session, current_user, subject, now())
    author = work_standards.is_author(db.session, current_user, subject)
    ctx = {"subject": subject, "slots": slots, "author": author, "categories": CATEGORIES}
    return render_template("work_standards/unit.html", **ctx)
