"""The personal inbox (我的待办) and the author's documents page (我的文档)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from engine import workflow
from engine.documents import service as documents
from engine.documents import withdrawal
from engine.models import ProcessDefinition
from engine.oversight import batch_runs
from engine.warnings import service as warnings
from engine.workflow import tasks

from ..db import db, transactional
from ..errors import translate, translate_fields
from ..helpers import int_arg, now, principals

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


LIST_ARGS = ("tab", "process", "q", "sort", "page")


@bp.post("/tasks/batch")
@login_required
@transactional
def batch():
    """Approve the selected review tasks, each all-or-nothing in its own SAVEPOINT (engine/workflow/batch.py),
    then redirect to the results; one commit for the whole request, the results with it."""
    back = {k: request.form[k] for k in LIST_ARGS if request.form.get(k)}
    ids = request.form.getlist("task_ids")[:200]
    if not ids:
        flash(_("请至少选择一项任务"), "warning")
        return redirect(url_for("inbox.tasks_list", **back))
    payload = {"decision": "approve", "comment": request.form.get("comment", "")}
    results = workflow.complete_many(db.session, current_user, ids, payload, now(), principals())
    run = batch_runs.record(db.session, current_user, "approve", results, now(), {"back": back})
    return redirect(url_for("inbox.batch_result", run_id=run.id))


@bp.get("/tasks/batch/<run_id>")
@login_required
def batch_result(run_id):
    run = batch_runs.get(db.session, current_user, run_id, kind=("approve",))
    results = [dict(r, text=_result_text(r)) for r in run.results]
    done = sum(1 for r in results if r["ok"])
    back = {k: v for k, v in (run.context or {}).get("back", {}).items() if k in LIST_ARGS}
    return render_template("inbox/batch_result.html", run=run, results=results, done=done,
                           failed=len(results) - done, back=url_for("inbox.tasks_list", **back))  # fmt: skip


def _result_text(result: dict) -> str:
    text = translate(result["message"], result["params"])
    details = [m for messages in translate_fields({"d": result.get("details") or []}).values() for m in messages]
    return f"{text}：{'；'.join(details)}" if details else text


@bp.get("/my-documents")
@login_required
def my_documents():
    slots = documents.my_documents(db.session, current_user, now())
    withdraw, cancel = withdrawal.document_offers(db.session, current_user, slots, principals())
    return render_template("inbox/documents.html", slots=slots, withdraw=withdraw, cancel=cancel)


@bp.post("/my-documents/start")
@login_required
@transactional
def start_document():
    task = documents.start_document(
        db.session, current_user, request.form.get("subject_id"), request.form.get("doc_type", ""), now()
    )  # fmt: skip
    return redirect(url_for("tasks.show", task_id=task.id))
