"""The annual cycle takes over a document its authors are already working on in a chain of its own.

When the cycle reaches step 1, 4 or 5 and the subject's document of the period is a draft or under
review in a chain started from 我的文档, skipping the step would leave the next step's form without
rows, and a second chain on the same document would race the first. So, in the cycle's transaction:

- the standalone chain instance ends (`terminated`), its open tasks are cancelled with their reminders,
  and the take-over is audited on both instances;
- the cycle's own call of the chain continues the same document with its content (the author keeps
  their text) and at the same place: at the author's task if the chain stood there; at a review task
  otherwise, by replaying the author's submission and the approvals of the current round (recorded in
  the standalone instance) through the called chain. The review task keeps its claim and due date.
  `take_over` makes the plan; the workflow runtime replays it (engine/workflow/replay.py).

A document held by anything other than its own standalone chain (e.g. last year's cycle, still
approving the targets of the period) is not taken: the cycle cannot start until that one is done.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from .. import documents
from ..core import audit
from ..core.errors import N_, Conflict
from ..models import CycleInstance, Document, DocumentStatus, HumanTask, InstanceStatus, ProcessInstance, TaskState
from ..workflow import deadlines

ACTIVE = (InstanceStatus.RUNNING, InstanceStatus.SUSPENDED, InstanceStatus.ERROR)


def take_over(session, instance: ProcessInstance, subject, doc: Document, now: datetime) -> dict | None:
    """End the chain that holds `doc` and return what the cycle's chain call replays (None: nothing held)."""
    holder = session.get(ProcessInstance, doc.instance_id)
    if holder is None or holder.status not in ACTIVE:
        doc.instance_id = None  # left behind by an instance that is over: the document is simply free
        return None
    if holder.process_key != documents.chain_key(subject.type) or holder.document_id != doc.id:
        year = session.scalar(select(CycleInstance.year).where(CycleInstance.instance_id == holder.id))
        raise Conflict(
            N_("“%(title)s”正在%(year)s年度的诊改周期中办理，该周期完成此步骤后才能启动本年度"),
            title=doc.title, year=year or "?",
        )  # fmt: skip
    rows = session.scalars(select(HumanTask).where(HumanTask.instance_id == holder.id).order_by(HumanTask.id)).all()
    waiting = [r for r in rows if r.state in (TaskState.OPEN, TaskState.SUSPENDED)]
    plan = {"from": holder.id, "replay": [], "land": None}
    if waiting and waiting[0].kind != "edit":
        here = waiting[0]
        submits = [i for i, r in enumerate(rows) if r.kind == "edit" and r.state == TaskState.COMPLETED]
        round_ = rows[submits[-1] :] if submits else []  # since the author's last submission
        plan["replay"] = [
            {"bpmn_id": r.bpmn_id, "decision": r.decision if r.kind != "edit" else None, "comment": r.comment or ""}
            for r in round_
            if r.state == TaskState.COMPLETED and (r.kind == "edit" or r.decision == "approve")
        ]
        plan["land"] = {
            "bpmn_id": here.bpmn_id,
            "claimant_id": here.claimant_id,
            "claimed_at": here.claimed_at.isoformat() if here.claimed_at else None,
            "due_at": here.due_at.isoformat() if here.due_at else None,
        }
    elif doc.status == DocumentStatus.IN_REVIEW:  # under review with no review task waiting: back to the author
        doc.status = DocumentStatus.DRAFT
    cancelled = [r.id for r in waiting]
    for r in waiting:
        r.state, r.completed_at = TaskState.CANCELLED, now
    deadlines.cancel(session, "human_task", cancelled)
    deadlines.schedule_wake(session, holder.id, None)
    before = {"status": holder.status}
    holder.status, holder.ended_at, holder.next_timer_at = InstanceStatus.TERMINATED, now, None
    after = {"status": InstanceStatus.TERMINATED, "taken_over_by": instance.id, "document_id": doc.id,
             "cancelled_tasks": cancelled, "continues_at": (plan["land"] or {}).get("bpmn_id", "edit")}  # fmt: skip
    audit.record(
        session, actor_id=None, action="instance.take_over", object_type="process_instance", object_id=holder.id,
        instance_id=holder.id, now=now, before=before, after=after,
        note=N_("年度诊改周期接管本文档，在周期内继续办理"),
    )  # fmt: skip
    audit.record(
        session, actor_id=None, action="document.take_over", object_type="document", object_id=doc.id,
        instance_id=instance.id, now=now, before={"instance_id": holder.id, "status": doc.status},
        after={"instance_id": instance.id, "status": doc.status},
    )  # fmt: skip
    doc.instance_id = instance.id
    return plan
