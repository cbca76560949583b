"""A task's page: the document form for authors, the decision form for reviewers, claim and unclaim."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from engine import diagnosis, workflow
from engine.core.errors import N_, Conflict, InvalidInput, NotAllowed
from engine.documents import attachments, may_submit, withdrawal
from engine.documents import service as documents
from engine.models import Document, ProcessInstance, User
from engine.workflow import tasks
from forms.columns import keep_readonly
from forms.documents import parse_form
from forms.templates import section_labels

from ..db import db, flash_on_commit, transactional
from ..errors import translate, translate_fields
from ..helpers import localtime, now, principals

bp = Blueprint("tasks", __name__, url_prefix="/tasks")

# What the person just did, by the decision the completed task records (forms/review.py, the task kinds).
DONE = {
    "approve": N_("已同意：%(name)s"),
    "return": N_("已退回：%(name)s"),
    "ack": N_("已确认：%(name)s"),
    "submit": N_("已提交审核：%(name)s"),
    None: N_("已提交：%(name)s"),
}


def doc_type_of(task) -> str | None:
    if not task.document_id:
        return None
    return db.session.scalar(select(Document.doc_type).where(Document.id == task.document_id))


def task_context(task, form_data=None, field_errors=None):
    """Everything the task page shows; used by GET and by a POST that failed validation."""
    doc = db.session.get(Document, task.document_id) if task.document_id else None
    template = documents.template_of(db.session, doc) if doc else None
    data = form_data if form_data is not None else (doc.data if doc else None)
    if form_data is not None and template:  # a refused form shows what was typed, readonly cells as stored
        data = keep_readonly(template.definition, form_data, doc.data)
    returned = None
    if doc and task.kind == "edit" and task.state == "open" and task.returned_by_id:
        # the return that sent this very task back (not an earlier step's return in the same cycle)
        reviewer = db.session.get(User, task.returned_by_id)
        returned = {"by": reviewer, "comment": task.return_comment, "at": task.created_at}
    instance = db.session.get(ProcessInstance, task.instance_id)
    can_act = (
        task.state == "open"
        and task.claimant_id in (None, current_user.id)
        and tasks.is_candidate(db.session, task.id, principals())
    )
    return {
        "task": task,
        "doc": doc,
        "template": template.definition if template else None,
        "data": data,
        "sections": section_labels(template.definition, data) if template and data else {},
        "history": tasks.history(db.session, task.instance_id),
        "returned": returned,
        "instance": instance,
        "can_act": can_act,
        "may_withdraw": withdrawal.may_withdraw(db.session, current_user, task, principals()),
        "cancel_state": _cancel_state(task) if task.kind == "edit" and can_act else None,
        "field_errors": field_errors or {},
        "may_submit": doc is None or may_submit(db.session, current_user, doc.subject_id),
        "attachments": attachments.of_document(db.session, doc.id) if doc else [],
        "review_doc": bool(doc and task.kind == diagnosis.WRITING_KIND and doc.doc_type in diagnosis.REVIEW_TYPES),
        "assessment": diagnosis.assessment_of(db.session, doc.id) if doc else None,
    }


def _cancel_state(task) -> str | None:
    """What the edit page offers: cancel a new document ("new") or a revision ("revision"), or says why not."""
    try:
        offer = withdrawal.cancel_offer(db.session, current_user, task.id, principals())
    except Conflict as exc:
        return "cycle" if exc.message == withdrawal.CYCLE_STEP else None
    except NotAllowed:
        return None
    return "revision" if offer.restores_version else "new"


@bp.get("/<task_id>")
@login_required
def show(task_id):
    task = tasks.get_task(db.session, current_user, task_id, principals())
    return render_template("tasks/show.html", **task_context(task))


@bp.post("/<task_id>")
@login_required
@transactional
def submit(task_id):
    action = request.form.get("action", "submit")
    try:
        if action == "save":
            documents.save_draft(db.session, current_user, task_id, parse_form(request.form), now())
            flash_on_commit(_("草稿已保存"), "success")
            return redirect(url_for("tasks.show", task_id=task_id))
        task = tasks.get_task(db.session, current_user, task_id, principals())
        if task.kind == "edit":
            payload = {"document": parse_form(request.form)}
        else:
            payload = {"decision": request.form.get("decision"), "comment": request.form.get("comment", "")}
        done = workflow.complete_task(db.session, current_user, task_id, payload, now(), principals())
    except InvalidInput as exc:
        db.session.rollback()
        task = tasks.get_task(db.session, current_user, task_id, principals())
        form_data = parse_form(request.form) if task.kind == "edit" else None
        ctx = task_context(task, form_data=form_data, field_errors=translate_fields(exc.fields))
        ctx["review_input"] = {"decision": request.form.get("decision"), "comment": request.form.get("comment", "")}
        ctx["unsaved"] = form_data is not None  # the typed-in text is on the page, not in the database
        flash(_("提交失败：请按提示修改后重试"), "danger")
        return render_template("tasks/show.html", **ctx), 400
    decision = done.decision
    if decision == "submit" and doc_type_of(done) not in documents.CHAIN_DOC_TYPES:
        decision = None  # a cycle step's record is published as it is, nobody reviews it
    flash_on_commit(translate(DONE.get(decision, DONE[None]), {"name": done.name}), "success")
    return redirect(url_for("inbox.tasks_list"))


@bp.post("/<task_id>/autosave")
@login_required
@transactional
def autosave(task_id):
    """Background draft save from the task page; answers JSON, the page stays as it is."""
    doc = documents.save_draft(db.session, current_user, task_id, parse_form(request.form), now())
    return jsonify({"saved_at": localtime(doc.updated_at, "%H:%M:%S")})


@bp.post("/<task_id>/attachments")
@login_required
@transactional
def upload_attachment(task_id):
    file = request.files.get("file")
    content = file.read() if file else b""
    row = attachments.upload(
        db.session, current_user, task_id, request.form.get("row_id", ""), file.filename if file else "", content,
        now(), current_app.config["MAX_CONTENT_LENGTH"],
    )  # fmt: skip
    flash_on_commit(_("已上传：%(name)s", name=row.filename), "success")
    return redirect(url_for("tasks.show", task_id=task_id) + "#evidence")


@bp.post("/<task_id>/attachments/<attachment_id>/delete")
@login_required
@transactional
def delete_attachment(task_id, attachment_id):
    attachments.delete(db.session, current_user, task_id, attachment_id, now())
    flash_on_commit(_("已删除佐证材料"), "success")
    return redirect(url_for("tasks.show", task_id=task_id) + "#evidence")


@bp.post("/<task_id>/claim")
@login_required
@transactional
def claim(task_id):
    workflow.claim_task(db.session, current_user, task_id, now())
    flash_on_commit(_("已签收任务"), "success")
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.post("/<task_id>/unclaim")
@login_required
@transactional
def unclaim(task_id):
    workflow.unclaim_task(db.session, current_user, task_id, now())
    flash_on_commit(_("已退回到组任务"), "success")
    return redirect(url_for("inbox.tasks_list"))


# -- the author takes back a submission, or cancels a mistaken start (engine/documents/withdrawal.py) ------
# Both ask on a page of their own first; the flash follows the commit.


def _confirmed() -> None:
    if request.form.get("confirm") != "yes":
        raise InvalidInput(N_("请在确认页面确认后再执行此操作"))


@bp.get("/<task_id>/withdraw")
@login_required
def confirm_withdraw(task_id):
    offer = withdrawal.withdraw_offer(db.session, current_user, task_id, principals())
    return render_template("tasks/confirm.html", action="withdraw", offer=offer)


@bp.post("/<task_id>/withdraw")
@login_required
@transactional
def withdraw(task_id):
    _confirmed()
    task = withdrawal.withdraw(db.session, current_user, task_id, now(), principals())
    flash_on_commit(_("已撤回提交，审核任务已收回；您可以继续修改后重新提交"), "success")
    return redirect(url_for("tasks.show", task_id=task.id))


@bp.get("/<task_id>/cancel")
@login_required
def confirm_cancel(task_id):
    offer = withdrawal.cancel_offer(db.session, current_user, task_id, principals())
    return render_template("tasks/confirm.html", action="cancel", offer=offer)


@bp.post("/<task_id>/cancel")
@login_required
@transactional
def cancel(task_id):
    _confirmed()
    offer = withdrawal.cancel(db.session, current_user, task_id, now(), principals())
    title, version = offer.document.title, offer.restores_version
    if version:
        flash_on_commit(_("已取消修订，%(title)s 恢复为已发布的 v%(v)s", title=title, v=version), "success")
    else:
        flash_on_commit(_("已取消填写，%(title)s 已删除；需要时可以重新开始填写", title=title), "success")
    return redirect(url_for("inbox.my_documents"))
