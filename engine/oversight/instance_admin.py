"""Administrators act on process instances: suspend, resume, retry, terminate (problems: problems.py).

Suspending sets the instance's open tasks to `suspended`: they leave inboxes, counts, overdue figures
and reminders (pending effects and the timer wake-up are dropped) and cannot be claimed or completed.
Resuming reopens them and plans their deadlines again from the unchanged due date. Retrying runs an
errored instance's failed step again and resolves stuck tasks' lanes against today's organisation.
Terminating cancels the open tasks and their reminders and gives the instance's documents back to their
authors as drafts.

Monitors act on every instance, department heads (`g:head:unit:<id>`) on those of their departments'
subjects. Every function works in the caller's transaction, never commits, and writes the audit log.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .. import org, workflow
from ..core import audit
from ..core.errors import N_, Conflict, InvalidInput, NotFound, object_id
from ..core.text import limited_text
from ..models import (
    Document,
    DocumentStatus,
    HumanTask,
    InstanceStatus,
    ProcessInstance,
    ScheduledEffect,
    Subject,
    TaskState,
    User,
)
from ..org import policy
from ..workflow import deadlines
from . import monitoring
from .problems import ACTIONS_BY_STATUS, STATUS_LABELS, list_problems

__all__ = [
    "STATUS_LABELS", "admin_scope", "instance_summary", "list_problems", "resume", "retry", "suspend", "terminate",
]  # fmt: skip


# -- who may act --------------------------------------------------------------------------------------


admin_scope = monitoring.watch_scope  # monitors act on every instance, heads on their departments'


def _load_instance(session: Session, user: User, instance_id, principals, with_state: bool = False):
    scope = admin_scope(user, principals)
    iid = object_id(instance_id, N_("流程实例不存在"))
    watched = policy.instance_watched(scope)
    if (
        watched is not None
        and session.scalar(select(ProcessInstance.id).where(ProcessInstance.id == iid, watched)) is None
    ):
        raise NotFound(N_("流程实例不存在"))  # the same answer as for an unknown id
    instance = workflow.load_instance(session, iid) if with_state else session.get(ProcessInstance, iid)
    if instance is None:
        raise NotFound(N_("流程实例不存在"))
    return instance


def _principals(session, user, principals):
    return principals if principals is not None else org.principals_of(session, user.id)


def _reason(text, required: bool) -> str:
    reason = limited_text(text, 500, "reason")
    if required and not reason:
        raise InvalidInput(N_("请填写原因"), fields={"reason": [N_("请填写原因")]})
    return reason


# -- actions on one instance -------------------------------------------------------------------------


def instance_summary(session: Session, user: User, instance_id, principals: list[str] | None = None) -> dict:
    """What the confirmation page shows about an instance the user may act on."""
    instance = _load_instance(session, user, instance_id, _principals(session, user, principals))
    subject = session.get(Subject, instance.subject_id) if instance.subject_id else None
    open_tasks = session.scalars(
        select(HumanTask.name)
        .where(HumanTask.instance_id == instance.id, HumanTask.state.in_((TaskState.OPEN, TaskState.SUSPENDED)))
        .order_by(HumanTask.id)
    ).all()
    return {
        "id": instance.id, "status": instance.status, "process": instance.version.definition.name,
        "subject": subject.name if subject else "", "incident": instance.incident or "", "tasks": list(open_tasks),
        "actions": ACTIONS_BY_STATUS.get(instance.status, ()),
    }  # fmt: skip


def suspend(session: Session, user: User, instance_id, reason: str, now: datetime, principals=None) -> ProcessInstance:
    """Stop a running instance: its open tasks leave the inboxes and its reminders and timers are held."""
    reason = _reason(reason, required=True)
    instance = _load_instance(session, user, instance_id, _principals(session, user, principals))
    if instance.status != InstanceStatus.RUNNING:
        raise Conflict(N_("只有运行中的流程可以暂停"))
    ids = list(
        session.scalars(
            select(HumanTask.id).where(HumanTask.instance_id == instance.id, HumanTask.state == TaskState.OPEN)
        )
    )
    if ids:
        session.execute(update(HumanTask).where(HumanTask.id.in_(ids)).values(state=TaskState.SUSPENDED))
        deadlines.cancel(session, "human_task", ids)
    deadlines.schedule_wake(session, instance.id, None)
    instance.status = InstanceStatus.SUSPENDED
    audit.record(
        session, actor_id=user.id, action="instance.suspend", object_type="process_instance", object_id=instance.id,
        instance_id=instance.id, now=now, before={"status": InstanceStatus.RUNNING},
        after={"status": InstanceStatus.SUSPENDED, "tasks": ids},
        note=reason,
    )  # fmt: skip
    session.flush()
    return instance


def resume(session: Session, user: User, instance_id, reason: str, now: datetime, principals=None) -> ProcessInstance:
    """Reopen a suspended instance's tasks and plan their reminders and the next timer again."""
    reason = _reason(reason, required=False)
    instance = _load_instance(session, user, instance_id, _principals(session, user, principals))
    if instance.status != InstanceStatus.SUSPENDED:
        raise Conflict(N_("只有已暂停的流程可以恢复"))
    rows = session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.state == TaskState.SUSPENDED)
    ).all()
    for ht in rows:
        ht.state = TaskState.OPEN
        deadlines.replan_task(session, ht.id, ht.due_at, now, ht.remind)
    if instance.next_timer_at is not None:
        at = max(instance.next_timer_at, now)  # a timer due while suspended fires at the next tick
        key = f"process_instance:{instance.id}:wake:{at.isoformat()}"
        if not session.scalar(select(func.count()).select_from(ScheduledEffect).where(ScheduledEffect.key == key)):
            deadlines.schedule_wake(session, instance.id, at)
    instance.status = InstanceStatus.RUNNING
    audit.record(
        session, actor_id=user.id, action="instance.resume", object_type="process_instance", object_id=instance.id,
        instance_id=instance.id, now=now, before={"status": InstanceStatus.SUSPENDED},
        after={"status": InstanceStatus.RUNNING, "tasks": [t.id for t in rows]}, note=reason or None,
    )  # fmt: skip
    session.flush()
    return instance


def retry(session: Session, user: User, instance_id, reason: str, now: datetime, principals=None) -> dict:
    """Run the failed step of an errored instance again, and resolve stuck tasks' people again.

    All or nothing: if the step fails again, or a stuck task still resolves to nobody, nothing changes
    and the error says why.
    """
    reason = _reason(reason, required=False)
    instance = _load_instance(session, user, instance_id, _principals(session, user, principals), with_state=True)
    before = {"status": instance.status, "incident": instance.incident}
    done = workflow.retry_instance(session, instance, now)
    audit.record(
        session, actor_id=user.id, action="instance.retry", object_type="process_instance", object_id=instance.id,
        instance_id=instance.id, now=now, before=before,
        after={"status": instance.status, "rerun": done["rerun"], "reassigned": done["reassigned"]},
        note=reason or None,
    )  # fmt: skip
    session.flush()
    return {"rerun": done["rerun"], "reassigned": len(done["reassigned"])}


def terminate(
    session: Session, user: User, instance_id, reason: str, now: datetime, principals=None
) -> ProcessInstance:
    """End an instance for good: cancel its tasks and their reminders, release its documents."""
    reason = _reason(reason, required=True)
    instance = _load_instance(session, user, instance_id, _principals(session, user, principals))
    if instance.status not in ACTIONS_BY_STATUS:
        raise Conflict(N_("流程已结束，无需终止"))
    before = {"status": instance.status}
    rows = session.scalars(
        select(HumanTask).where(
            HumanTask.instance_id == instance.id, HumanTask.state.in_((TaskState.OPEN, TaskState.SUSPENDED))
        )
    ).all()
    for ht in rows:
        ht.state = TaskState.CANCELLED
        ht.completed_at = now
    deadlines.cancel(session, "human_task", [ht.id for ht in rows])
    deadlines.schedule_wake(session, instance.id, None)
    instance.status = InstanceStatus.TERMINATED
    instance.ended_at = now
    instance.next_timer_at = None
    # A document in this chain goes back to its authors as a draft, so they may start it again.
    for doc in session.scalars(select(Document).where(Document.instance_id == instance.id)):
        audit.record(
            session, actor_id=user.id, action="document.release", object_type="document", object_id=doc.id,
            instance_id=instance.id, now=now, before={"status": doc.status, "instance_id": instance.id},
            after={"status": DocumentStatus.DRAFT, "instance_id": None},
        )  # fmt: skip
        doc.instance_id = None
        doc.status = DocumentStatus.DRAFT
        doc.updated_at = now
    audit.record(
        session, actor_id=user.id, action="instance.terminate", object_type="process_instance",
        object_id=instance.id, instance_id=instance.id, now=now, before=before,
        after={"status": InstanceStatus.TERMINATED, "cancelled_tasks": [ht.id for ht in rows]}, note=reason,
    )  # fmt: skip
    session.flush()
    return instance
