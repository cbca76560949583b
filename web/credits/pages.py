"""综合素质学分 pages of a student and of a claim: 我的学分 (total, ledger, claims), the claim form, a claim's page
and its evidence, a student's ledger for their counselor (减分 there), and the template globals other pages use.
The counselor's decision is worked on the normal task page (web/workflow/tasks.py, `credits/_task.html`)."""

from __future__ import annotations

from io import BytesIO

from flask import current_app, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from engine import credits
from engine.core.errors import N_, InvalidInput, NotFound
from engine.credits import access, claims, ledger
from engine.models import CreditClaim, CreditEntry, Document, Subject
from engine.workflow import tasks
from forms.credits import CATEGORIES, DECISION_LABELS, DIRECTIONS, LIMITS, STEPS

from ..db import db, flash_on_commit, transactional
from ..errors import refused
from ..helpers import now, principals, today
from .base import bp, ledger_context, names, nav, student_page


@bp.get("/")
@login_required
def index():
    """我的学分 for a student; others go to the page their role has."""
    if current_user.kind != "student":
        tabs = nav()
        if tabs["sees_classes"]:
            return redirect(url_for("credits.classes"))
        if tabs["runs_check"]:
            return redirect(url_for("credits.graduation"))
        raise NotFound(N_("页面不存在"))
    ctx = ledger_context(current_user)
    ctx["made_for_others"] = claims.made_by(db.session, current_user)
    ctx["names"] |= names(c.student_id for c in ctx["made_for_others"])
    return render_template("credits/index.html", active="mine", **ctx, **nav())


def _claim_form(form=None, errors=None, status=200):
    return render_template(
        "credits/claim_form.html", items=credits.catalogue.items(db.session, "add", active_only=True),
        mates=claims.classmates(db.session, current_user), form=form or {}, field_errors=errors or {},
        limits=LIMITS, today=today(), active="mine", **nav(),
    ), status  # fmt: skip


@bp.get("/claim")
@login_required
def claim_form():
    if current_user.kind != "student":
        raise NotFound(N_("页面不存在"))
    return _claim_form({"student": str(current_user.id), "item": request.args.get("item", "")})


@bp.post("/claim")
@login_required
@transactional
def claim():
    if current_user.kind != "student":
        raise NotFound(N_("页面不存在"))
    form = {k: request.form.get(k, "") for k in ("item", "student", "occurred_on", "description")}
    upload = request.files.get("evidence")
    file = (upload.filename or "", upload.read()) if upload else None
    try:
        made = claims.submit(db.session, current_user, form, file, now(), current_app.config["MAX_CONTENT_LENGTH"])
    except InvalidInput as exc:
        errors = refused(exc, "item")
        return _claim_form(form, errors, 400)
    flash_on_commit(_("学分申请已提交：%(title)s", title=made.title), "success")
    return redirect(url_for("credits.show_claim", claim_id=made.id))


@bp.get("/claims/<claim_id>")
@login_required
def show_claim(claim_id):
    found = claims.get_claim(db.session, current_user, principals(), claim_id)
    step = claims.open_task(db.session, found)
    may_open = step is not None and (
        tasks.is_candidate(db.session, step.id, principals()) or step.claimant_id == current_user.id
    )
    entry_ids = db.session.scalars(select(CreditEntry.id).where(CreditEntry.claim_id == found.id)).all()
    return render_template(
        "credits/claim.html", c=found, step=step, may_open=may_open, entry_ids=entry_ids,
        history=tasks.history(db.session, found.instance_id) if found.instance_id else [],
        names=names([found.student_id, found.claimant_id, found.decided_by_id]),
        active="mine" if current_user.kind == "student" else "audit", **nav(),
    )  # fmt: skip


@bp.get("/claims/<claim_id>/evidence")
@login_required
def evidence(claim_id):
    found = claims.get_claim(db.session, current_user, principals(), claim_id, with_evidence=True)
    if not found.evidence_name:
        raise NotFound(N_("佐证材料不存在"))
    return send_file(BytesIO(found.evidence_content), mimetype=found.evidence_type, as_attachment=True,
                     download_name=found.evidence_name)  # fmt: skip


@bp.get("/students/<user_id>")
@login_required
def student(user_id):
    """A student's ledger for their counselor and 党委学生工作部 (减分 and reversals there)."""
    found = access.get_student(db.session, current_user, principals(), user_id)
    if found.id == current_user.id:
        return redirect(url_for("credits.index"))
    return student_page(found)


@bp.post("/students/<user_id>/deduct")
@login_required
@transactional
def deduct(user_id):
    form = {k: request.form.get(k, "") for k in ("item", "occurred_on", "reason")}
    try:
        entry = claims.deduct(db.session, current_user, principals(), user_id, form, now())
    except InvalidInput as exc:
        errors = refused(exc, "reason")
        found = access.get_student(db.session, current_user, principals(), user_id)
        return student_page(found, form, errors, 400)
    flash_on_commit(_("已记录减分：%(title)s", title=entry.title), "success")
    return redirect(url_for("credits.student", user_id=entry.student_id))


@bp.app_template_global()
def credit_claim_of(task):
    """The claim a `credit` step is about (the task page shows it above the decision)."""
    if task is None or task.kind != "credit":
        return None
    return db.session.scalar(select(CreditClaim).where(CreditClaim.instance_id == task.instance_id))


@bp.app_template_global()
def credit_names(claim: CreditClaim) -> dict[int, str]:
    return names([claim.student_id, claim.claimant_id])


@bp.app_template_global()
def credit_figure(doc: Document | None):
    """The ledger's value for a document's 学分达标 / 学分达标率 item (student and 专业学生综合素质培养 documents)."""
    if doc is None:
        return None
    return credits.figures.for_subject(db.session, db.session.get(Subject, doc.subject_id))


@bp.app_template_global()
def credits_card() -> dict | None:
    """What the 质量评价 hub's card shows the user (None: no card)."""
    if not current_user.is_authenticated:
        return None
    tabs = nav()
    if not (tabs["is_student"] or tabs["sees_classes"] or tabs["runs_check"]):
        return None
    out = dict(tabs, standard=ledger.standard(db.session))
    if tabs["is_student"]:
        out["total"] = ledger.totals(db.session, [current_user.id])[current_user.id]
    return out


@bp.app_context_processor
def _labels() -> dict:
    return {"CREDIT_STATUSES": claims.STATUSES, "CREDIT_STEPS": STEPS, "CREDIT_DECISIONS": DECISION_LABELS,
            "CREDIT_CATEGORIES": CATEGORIES, "CREDIT_DIRECTIONS": DIRECTIONS}  # fmt: skip
