"""JSON API under /api/v1: the same actions and permission checks as the pages.

Errors always look like {"error": {"code", "message", "fields"}}. Authenticate with the session cookie
(plus the X-CSRFToken header on writes) or with `Authorization: Bearer <token>` from the profile page.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user
from marshmallow import Schema, fields, validate

from engine import workflow
from engine.core.errors import MAX_ID, N_, InvalidInput
from engine.documents import service as documents
from engine.models import Document, User
from engine.workflow import tasks

from ..db import db, transactional
from ..errors import error_response, translate
from ..helpers import int_arg, now, principals

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def _require_login():
    if not current_user.is_authenticated:
        from flask_babel import gettext

        return error_response(401, "unauthorized", gettext("请先登录"))
    return None


class TaskSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    title = fields.String()
    process_name = fields.String()
    subject_name = fields.String(allow_none=True)
    kind = fields.String()
    state = fields.String()
    due_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)
    decision = fields.String(allow_none=True)
    claimant_id = fields.Integer(allow_none=True)
    candidates_label = fields.String(allow_none=True)
    step = fields.Integer(allow_none=True)  # the annual-cycle step (1-11) of a task inside a cycle
    returned = fields.Method("_returned", metadata={"type": "boolean"})
    returned_by_id = fields.Integer(allow_none=True)
    return_comment = fields.String(allow_none=True)

    def _returned(self, row):
        return row.returned_by_id is not None


class TaskRowSchema(TaskSchema):
    claimant_name = fields.String(allow_none=True)
    returned_by_name = fields.String(allow_none=True)


class TaskDetailSchema(TaskSchema):
    document_id = fields.Integer(allow_none=True)
    instance_id = fields.Integer()
    comment = fields.String(allow_none=True)
    process_key = fields.String()


class HistoryEventSchema(Schema):
    """What an administrator did to a step: reassigned, extended or reminded."""

    kind = fields.String(validate=validate.OneOf(["reassign", "extend", "remind"]))
    at = fields.DateTime()
    who = fields.String()
    note = fields.String()
    assignee = fields.String()
    due_at = fields.DateTime(allow_none=True)
    previous_due_at = fields.DateTime(allow_none=True)


class HistoryStepSchema(Schema):
    """A step of the task's instance, as the task page's timeline shows it."""

    id = fields.Integer()
    name = fields.String()
    state = fields.String()
    decision = fields.String(allow_none=True)
    comment = fields.String(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    display_name = fields.String(allow_none=True, metadata={"description": "办理人"})
    step = fields.Integer(allow_none=True)
    events = fields.List(fields.Nested(HistoryEventSchema))


class VersionSchema(Schema):
    version = fields.Integer()
    published_at = fields.DateTime()
    template_key = fields.String()
    template_version = fields.Integer()


class DocumentSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    doc_type = fields.String()
    period = fields.String()
    status = fields.String()
    subject_id = fields.Integer()
    template_key = fields.String()
    template_version = fields.Integer()
    published_version = fields.Integer()
    updated_at = fields.DateTime()


class DocumentSlotSchema(Schema):
    """One row of 我的文档: a subject's document of the current period, started or not."""

    subject_id = fields.Function(lambda slot: slot.subject.id, metadata={"type": "integer"})
    subject_name = fields.Function(lambda slot: slot.subject.name, metadata={"type": "string"})
    subject_type = fields.Function(lambda slot: slot.subject.type, metadata={"type": "string"})
    doc_type = fields.String()
    period = fields.String()
    template_key = fields.Function(
        lambda slot: slot.template.key if slot.template else None, allow_none=True, metadata={"type": "string"}
    )
    template_title = fields.Function(
        lambda slot: slot.template.title if slot.template else None, allow_none=True, metadata={"type": "string"}
    )
    document_id = fields.Function(
        lambda slot: slot.document.id if slot.document else None, allow_none=True, metadata={"type": "integer"}
    )
    status = fields.Function(
        lambda slot: slot.document.status if slot.document else None, allow_none=True, metadata={"type": "string"}
    )
    open_task_id = fields.Integer(allow_none=True)


# Schemas are built once: building one costs more than dumping a page with it. Dumping does not change them,
# so the threads of a worker share them.
TASK_ROWS = TaskRowSchema(many=True)
TASK_DETAIL = TaskDetailSchema()
DOCUMENT = DocumentSchema()
VERSIONS = VersionSchema(many=True)
SLOTS = DocumentSlotSchema(many=True)
HISTORY = HistoryStepSchema(many=True)


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput(N_("请求体必须是 JSON 对象"))
    return body


@bp.get("/tasks")
def list_tasks():
    page = tasks.list_tasks(
        db.session, current_user, tab=request.args.get("tab", "mine"), sort=request.args.get("sort", "due"),
        page=int_arg(request.args.get("page"), 1), per_page=int_arg(request.args.get("per_page"), 20),
        process_key=request.args.get("process") or None, search=request.args.get("q"), principals=principals(),
    )  # fmt: skip
    moment = now()
    dumped = TASK_ROWS.dump(page.rows)
    items = [dict(item, overdue=row.overdue(moment)) for item, row in zip(dumped, page.rows, strict=True)]
    return jsonify({"items": items, "total": page.total, "page": page.page, "per_page": page.per_page})


@bp.get("/tasks/<task_id>")
def show_task(task_id):
    task = tasks.get_task(db.session, current_user, task_id, principals())
    body = TASK_DETAIL.dump(task)
    returner = db.session.get(User, task.returned_by_id) if task.returned_by_id else None
    body["returned_by_name"] = returner.display_name if returner else None
    body["history"] = HISTORY.dump(tasks.history(db.session, task.instance_id))
    if task.document_id:
        doc = db.session.get(Document, task.document_id)
        body["document"] = dict(DOCUMENT.dump(doc), data=doc.data)
    return jsonify(body)


@bp.get("/my-documents")
def my_documents():
    """The signed-in author's documents of the current periods, as 我的文档 lists them."""
    return jsonify({"items": SLOTS.dump(documents.my_documents(db.session, current_user, now()))})


@bp.post("/documents/start")
@transactional
def start_document():
    """Start (or revise) a subject's document of the current period: 201 with the author's first task."""
    body = _json_body()
    task = documents.start_document(db.session, current_user, body.get("subject_id"), str(body.get("doc_type", "")),
                                    now())  # fmt: skip
    return jsonify(TASK_DETAIL.dump(task)), 201


@bp.post("/tasks/<task_id>/claim")
@transactional
def claim(task_id):
    return jsonify(TASK_DETAIL.dump(workflow.claim_task(db.session, current_user, task_id, now())))


@bp.post("/tasks/<task_id>/unclaim")
@transactional
def unclaim(task_id):
    return jsonify(TASK_DETAIL.dump(workflow.unclaim_task(db.session, current_user, task_id, now())))


@bp.post("/tasks/<task_id>/complete")
@transactional
def complete(task_id):
    task = workflow.complete_task(db.session, current_user, task_id, _json_body(), now(), principals())
    return jsonify(TASK_DETAIL.dump(task))


@bp.post("/tasks/<task_id>/draft")
@transactional
def save_draft(task_id):
    doc = documents.save_draft(db.session, current_user, task_id, _json_body().get("document"), now())
    return jsonify(dict(DOCUMENT.dump(doc), data=doc.data))


@bp.get("/documents/<doc_id>")
def show_document(doc_id):
    doc = documents.get_document(db.session, current_user, doc_id, principals())
    body = DOCUMENT.dump(doc)
    body["versions"] = VERSIONS.dump(documents.versions(db.session, doc))
    if request.args.get("version"):
        v = documents.get_version(db.session, doc, request.args["version"])
        body["data"] = v.data
        body["version"] = v.version
    else:
        body["data"] = doc.data
    return jsonify(body)


@bp.post("/tasks/batch-complete")
@transactional
def batch_complete():
    """Approve several review tasks, each all-or-nothing on its own; every result is reported."""
    body = _json_body()
    ids = body.get("task_ids")
    if not isinstance(ids, list) or not ids or len(ids) > 200:
        raise InvalidInput(N_("请检查填写的内容"), fields={"task_ids": [N_("请选择 1 到 200 个任务")]})
    if not all(type(i) is int and 0 < i <= MAX_ID for i in ids):  # a bool is no id, nor "12" (as described)
        raise InvalidInput(N_("请检查填写的内容"), fields={"task_ids": [N_("任务 id 必须是正整数")]})
    comment = body.get("comment", "")
    if not isinstance(comment, str):
        raise InvalidInput(N_("请检查填写的内容"), fields={"comment": [N_("审核意见必须是文本")]})
    payload = {"decision": "approve", "comment": comment}
    results = workflow.complete_many(db.session, current_user, [str(i) for i in ids], payload, now(), principals())
    return jsonify({"results": [
        {"id": int(r["id"]), **{k: r[k] for k in ("ok", "name", "title", "subject")},
         "message": translate(r["message"], r["params"])}
        for r in results
    ]})  # fmt: skip
