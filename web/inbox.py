"""The personal inbox (我的待办) and the author's documents page (我的文档)."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from engine import documents, runtime, tasks, warnings, withdrawal
from engine.errors import N_, Conflict, DomainError
from engine.models import ProcessDefinition

from .db import db, transactional
from .errors import translate, translate_fields
from .helpers import int_arg, now, principals

bp = Blueprint("inbox", __name__)


@bp.get("/")
@login_required
def index():
    return redirect(url_for("inbox.tasks_list"))


@bp.get("/tasks")
@login_required
def tasks_list():
    tab = request.args.get("tab", "mine")
    sort = request.args.get("sort", "due")
    process = request.args.get("process") or None
    search = (request.args.get("q") or "").strip()
    page = tasks.list_tasks(
        db.session, current_user, tab=tab, sort=sort, page=int_arg(request.args.get("page"), 1),
        per_page=int_arg(request.args.get("per_page"), 20), process_key=process, search=search,
        principals=principals(),
    )  # fmt: skip
    counts = tasks.counts(db.session, current_user, principals())
    processes = db.session.execute(
        select(ProcessDefinition.key, ProcessDefinition.name).order_by(ProcessDefinition.name)
    ).all()
    return render_template(
        "inbox/tasks.html", page=page, tab=tab if tab in tasks.TABS else "mine", sort=sort, process=process,
        counts=counts, processes=processes, search=search,
        warning_panel=warnings.inbox_panel(db.session, current_user, principals()),
    )  # fmt: skip


@bp.post("/tasks/batch")
@login_required
def batch():
    """Approve the selected review tasks, each in its own transaction, and report every result."""
    ids = request.form.getlist("task_ids")[:200]
    results = batch_complete(ids, {"decision": "approve", "comment": request.form.get("comment", "")})
    done = sum(1 for r in results if r["ok"])
    return render_template("inbox/batch_result.html", results=results, done=done, failed=len(results) - done)


def batch_complete(ids, payload) -> list[dict]:
    """One unit of work per task: a failure is reported and rolled back without touching the others."""
    results = []
    for raw in dict.fromkeys(ids):
        try:
            task = tasks.get_task(db.session, current_user, raw, principals())
            if task.kind != "review":
                raise Conflict(N_("只能批量办理审核任务"))
            runtime.complete_task(db.session, current_user, task.id, payload, now())
            db.commit()
            results.append({"id": task.id, "ok": True, "title": task.title, "message": _("已同意")})
        except DomainError as exc:
            db.session.rollback()
            message = translate(exc.message, exc.params)
            details = [m for messages in translate_fields(exc.fields).values() for m in messages]
            if details:  # e.g. "最多 2000 个字（当前 2100 个）" for the shared comment
                message = f"{message}：{'；'.join(details)}"
            results.append({"id": raw, "ok": False, "title": "", "message": message})
    return results


@bp.get("/my-documents")
@login_required
def my_documents():
    slots = documents.my_documents(db.session, current_user, now(), current_app.config["ZHENGAI_CYCLE_BASE_YEAR"])
    withdraw, cancel = withdrawal.document_offers(db.session, current_user, slots, principals())
    return render_template("inbox/documents.html", slots=slots, withdraw=withdraw, cancel=cancel)


@bp.post("/my-documents/start")
@login_required
@transactional
def start_document():
    task = documents.start_document(
        db.session, current_user, request.form.get("subject_id"), request.form.get("doc_type", ""), now(),
        current_app.config["ZHENGAI_CYCLE_BASE_YEAR"],
    )  # fmt: skip
    return redirect(url_for("tasks.show", task_id=task.id))
