"""The personal inbox (我的待办) and the author's documents page (我的文档)."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from engine import documents, tasks
from engine.models import ProcessDefinition

from .db import db, transactional
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
    page = tasks.list_tasks(
        db.session, current_user, tab=tab, sort=sort, page=int_arg(request.args.get("page"), 1),
        per_page=int_arg(request.args.get("per_page"), 20), process_key=process, principals=principals(),
    )  # fmt: skip
    counts = tasks.counts(db.session, current_user, principals())
    processes = db.session.execute(
        select(ProcessDefinition.key, ProcessDefinition.name).order_by(ProcessDefinition.name)
    ).all()
    return render_template(
        "inbox/tasks.html", page=page, tab=tab if tab in tasks.TABS else "mine", sort=sort, process=process,
        counts=counts, processes=processes,
    )  # fmt: skip


@bp.get("/my-documents")
@login_required
def my_documents():
    slots = documents.my_documents(db.session, current_user, now(), current_app.config["ZHENGAI_CYCLE_BASE_YEAR"])
    return render_template("inbox/documents.html", slots=slots)


@bp.post("/my-documents/start")
@login_required
@transactional
def start_document():
    task = documents.start_document(
        db.session, current_user, request.form.get("subject_id"), request.form.get("doc_type", ""), now(),
        current_app.config["ZHENGAI_CYCLE_BASE_YEAR"],
    )  # fmt: skip
    return redirect(url_for("tasks.show", task_id=task.id))
