"""基本标准 (/standards): the basic standards of seed table 10 by lead department, level, status and next
revision; a standard's criteria and versions; its lead department starts a revision (chain_basic_standard)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from engine import standards
from engine.core.errors import N_, Conflict, NotFound
from engine.diagnosis import prescriptive
from engine.org import functions
from forms.basic_standards import criteria

from ..db import db, transactional
from ..errors import translate
from ..helpers import now, principals

bp = Blueprint("standards", __name__)


@bp.get("/standards")
@login_required
def index():
    if current_user.kind == "student":
        raise NotFound(N_("页面不存在"))
    lead = request.args.get("lead", "")
    status = request.args.get("status", "")
    lead = lead if functions.is_known(lead) else ""
    status = status if status in standards.STATUS_LABELS else ""
    rows = standards.list_standards(db.session, current_user, principals(), now(), lead, status)
    leads = sorted({r.standard.lead_function for r in standards.list_standards(db.session, current_user,
                                                                               principals(), now())})  # fmt: skip
    return render_template("standards/index.html", rows=rows, lead=lead, status=status, leads=leads,
                           labels=functions.LABELS, statuses=standards.STATUS_LABELS)  # fmt: skip


@bp.get("/standards/<standard_id>")
@login_required
def show(standard_id):
    row = standards.get_standard(db.session, current_user, standard_id, principals(), now())
    versions = standards.versions(db.session, row.standard)
    current = criteria(versions[0].data) if versions else []
    draft = criteria(row.standard.document.data) if not versions else []
    return render_template(
        "standards/show.html", row=row, versions=versions, criteria=current, draft=draft,
        may_revise=standards.may_revise(db.session, current_user, principals(), row.standard),
        statuses=standards.STATUS_LABELS,
        reads_diagnoses=prescriptive.readable(db.session, current_user, principals(), row.standard),
    )  # fmt: skip


@bp.post("/standards/<standard_id>/revise")
@login_required
@transactional
def revise(standard_id):
    """The lead department starts a revision: straight to its drafting task."""
    try:
        task = standards.start_revision(db.session, current_user, standard_id, now())
    except Conflict as exc:  # already in revision: say so on the standard's page
        db.session.rollback()
        flash(translate(exc.message, exc.params), "warning")
        return redirect(url_for("standards.show", standard_id=standard_id))
    return redirect(url_for("tasks.show", task_id=task.id))
