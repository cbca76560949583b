"""What BPMN service tasks may do, performed inside the caller's transaction (see bpmn/scripting.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select

from .errors import N_, NotFound
from .models import HumanTask, ProcessInstance, ScheduledEffect


def call(session, instance: ProcessInstance, subject, actor_id, now: datetime, operation: str, params: dict, data):
    """Run one service call for a workflow; `data` is the calling task's data and may be updated."""
    if operation == "publish_document":
        from . import documents

        documents.publish_from_instance(session, instance, actor_id, now, document_id=data.get("document_id"))
        return {"published": True}
    if operation == "prepare_document":
        from . import cycle

        doc, needs_chain = cycle.prepare_document(session, instance, subject, str(params.get("doc_type")), data, now)
        data["document_id"] = doc.id
        data["needs_chain"] = needs_chain
        return {"document_id": doc.id, "needs_chain": needs_chain}
    if operation == "notify_overdue":
        escalate_open_tasks(session, instance.id, now)
        return {"escalated": True}
    raise NotFound(N_("未知的服务：%(name)s"), name=operation)


def escalate_open_tasks(session, instance_id: int, now: datetime) -> None:
    """A BPMN timer fired: queue an overdue escalation for the instance's open tasks, sent with the next digest."""
    from .digests import next_slot

    ids = session.scalars(
        select(HumanTask.id).where(HumanTask.instance_id == instance_id, HumanTask.state == "open")
    ).all()
    rows = [
        {"key": f"human_task:{tid}:timer:{now.isoformat()}", "effect": "overdue", "stage": 99,
         "object_type": "human_task", "object_id": tid, "fire_at": next_slot(now), "params": {"source": "bpmn_timer"}}
        for tid in ids
    ]  # fmt: skip
    if rows:
        session.execute(insert(ScheduledEffect), rows)
