"""The task kinds and the service the workflow itself provides; the other packages register theirs.

`form` (a plain form, the default) and `ack` (an acknowledgement) need nothing but the task; `review`
decisions are read here too (`review_decision`) for the documents package, which registers the `review`
and `edit` kinds because a decision or a submission changes a document (engine/documents/service.py).
"""

from __future__ import annotations

from marshmallow import ValidationError

from forms.review import validate_ack, validate_review

from ..core.errors import N_, InvalidInput
from . import deadlines, readmodel, services


def decided(ht, validate, payload: dict) -> dict:
    """A decision read by `validate` (forms/review.py) and recorded on the task row; refused input is
    InvalidInput with the fields' messages. The review, acknowledgement and confirmation kinds share it."""
    try:
        clean = validate(payload)
    except ValidationError as exc:
        raise InvalidInput(N_("请检查填写的内容"), fields=exc.messages) from None
    readmodel.record_outcome(ht, decision=clean["decision"], comment=clean["comment"])
    return clean


def review_decision(ht, payload: dict) -> dict:
    """A reviewer's decision (approve / return with a comment), recorded on the task row."""
    clean = decided(ht, validate_review, payload)
    return {"decision": clean["decision"], "comment": clean["comment"]}


def take_ack(session, ht, user, payload: dict, now) -> dict:
    return decided(ht, validate_ack, payload)


def take_form(session, ht, user, payload: dict, now) -> dict:
    fields = payload.get("fields") if isinstance(payload.get("fields"), dict) else {}
    decision = payload.get("decision") if payload.get("decision") in ("approve", "return", "ack") else None
    readmodel.record_outcome(ht, decision=decision, data=fields)
    return {"form": fields, "decision": decision}


def notify_overdue(step: services.Step, params: dict, data: dict) -> dict:
    """A BPMN timer escalates: the instance's open tasks go into the next overdue digest."""
    deadlines.escalate_open_tasks(step.session, step.instance.id, step.now)
    return {"escalated": True}


def register() -> None:
    services.register_task_kind("form", "填写表单", take_form)
    services.register_task_kind("ack", "确认", take_ack)
    services.register_service("notify_overdue", "逾期督办（通知办理人、部门负责人和诊改办公室）", notify_overdue)
