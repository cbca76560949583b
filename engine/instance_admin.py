"""Administrators act on process instances: suspend, resume, retry, terminate (problems: engine/problems.py).

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
from uuid import UUID

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session, undefer
from sqlalchemy.orm.exc import StaleDataError

from . import assignment, audit, deadlines, monitoring, runtime
from .errors import N_, Conflict, InvalidInput, NotFound
from .models import Document, HumanTask, ProcessInstance, ScheduledEffect, Subject, TaskCandidate, User
from .problems import (
    ACTIONS_BY_STATUS,
    STATUS_LABELS,
    candidates_by_task,
    list_problems,
    record_failure,
    stuck_task_ids,
    waits_at_office,
)
from .text import limited_text

__all__ = [
    "STATUS_LABELS", "admin_scope", "instance_summary", "list_problems", "record_failure", "resume", "retry",
    "suspend", "terminate",
]  # fmt: skip


# -- who may act --------------------------------------------------------------------------------------


admin_scope = monitoring.watch_scope  # monitors act on every instance, heads on their departments'


def _load_instance(session: Session, user: User, instance_id, principals, with_state: bool = False):
    scope = admin_scope(user, principals)
    try:
        iid = int(instance_id)
    except (TypeError, ValueError):
        raise NotFound(N_("流程实例不存在")) from None
    stmt = select(ProcessInstance).where(ProcessInstance.id == iid)
    if with_state:
        stmt = stmt.options(undefer(ProcessInstance.state_json))
    instance = session.scalar(stmt)
    if instance is None:
        raise NotFound(N_("流程实例不存在"))
    if scope is not None:
        unit = session.scalar(select(Subject.org_unit_id).where(Subject.id == instance.subject_id))
        if unit not in scope:
            raise NotFound(N_("流程实例不存在"))  # the same answer as for an unknown id
    return instance


def _principals(session, user, principals):
    return principals if principals is not None else assignment.principals_of(session, user.id)


def _reason(text, required: bool) -> str:
    reason = limited_text(text, 500, "reason")
    if required and not reason:
        raise InvalidInput(N_("请填写原因"), fields={"reason": [N_("请填写原因")]})
    return reason


# -- helpers shared with the batch actions (engine/task_admin.py) ------------------------------------------


def set_candidates(session: Session, ht: HumanTask, principals: list[str], label: str) -> None:
    """Replace who may work on an open task; the claim is cleared."""
    session.execute(delete(TaskCandidate).where(TaskCandidate.task_id == ht.id))
    session.execute(insert(TaskCandidate), [{"task_id": ht.id, "principal": p} for p in dict.fromkeys(principals)])
    session.expire(ht, ["candidates"])
    ht.candidates_label = label[:200] if label else None
    ht.claimant_id = None
    ht.claimed_at = None


def candidates_of(session: Session, task_id: int) -> list[str]:
    return candidates_by_task(session, [task_id]).get(task_id, [])


def settle_incident(session: Session, instance: ProcessInstance) -> None:
    """A running instance keeps its incident only while a task of it still waits at the office for want of people."""
    if instance.status == "error" or instance.incident is None:
        return
    session.flush()
    if not session.scalar(
        select(func.count())
        .select_from(HumanTask)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(HumanTask.instance_id == instance.id, HumanTask.state == "open", waits_at_office())
    ):
        instance.incident = None


def replan_task(session: Session, task_id: int, due_at: datetime | None, now: datetime) -> None:
    """Plan a task's reminders for its (new) due date again.

    A date moved after its due notice fired gets notices of its own (the keys carry the date), while
    planning the same date again (resume after suspend) never repeats a notice that already fired.
    """
    deadlines.cancel(session, "human_task", [task_id])
    if due_at is None:
        return
    fired = set(
        session.execute(
            select(ScheduledEffect.effect, ScheduledEffect.stage, ScheduledEffect.fire_at).where(
                ScheduledEffect.object_type == "human_task",
                ScheduledEffect.object_id == task_id,
                ScheduledEffect.fired_at.is_not(None),
            )
        ).all()
    )
    rows = [
        r
        for r in deadlines.plan("human_task", task_id, due_at, now)
        if (r["effect"], r["stage"], r["fire_at"]) not in fired
    ]
    for row in rows:
        row["key"] = f"{row['key']}@{due_at.isoformat()}"
    if rows:
        session.execute(insert(ScheduledEffect), rows)


# -- actions on one instance -------------------------------------------------------------------------


def instance_summary(session: Session, user: User, instance_id, principals: list[str] | None = None) -> dict:
    """What the confirmation page shows about an instance the user may act on."""
    instance = _load_instance(session, user, instance_id, _principals(session, user, principals))
    subject = session.get(Subject, instance.subject_id) if instance.subject_id else None
    open_tasks = session.scalars(
        select(HumanTask.name)
        .where(HumanTask.instance_id == instance.id, HumanTask.state.in_(("open", "suspended")))
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
    if instance.status != "running":
        raise Conflict(N_("只有运行中的流程可以暂停"))
    ids = list(
        session.scalars(select(HumanTask.id).where(HumanTask.instance_id == instance.id, HumanTask.state == "open"))
    )
    if ids:
        session.execute(update(HumanTask).where(HumanTask.id.in_(ids)).values(state="suspended"))
        deadlines.cancel(session, "human_task", ids)
    deadlines.schedule_wake(session, instance.id, None)
    instance.status = "suspended"
    audit.record(
        session, actor_id=user.id, action="instance.suspend", object_type="process_instance", object_id=instance.id,
        instance_id=instance.id, now=now, before={"status": "running"}, after={"status": "suspended", "tasks": ids},
        note=reason,
    )  # fmt: skip
    session.flush()
    return instance


def resume(session: Session, user: User, instance_id, reason: str, now: datetime, principals=None) -> ProcessInstance:
    """Reopen a suspended instance's tasks and plan their reminders and the next timer again."""
    reason = _reason(reason, required=False)
    instance = _load_instance(session, user, instance_id, _principals(session, user, principals))
    if instance.status != "suspended":
        raise Conflict(N_("只有已暂停的流程可以恢复"))
    rows = session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.state == "suspended")
    ).all()
    for ht in rows:
        ht.state = "open"
        replan_task(session, ht.id, ht.due_at, now)
    if instance.next_timer_at is not None:
        at = max(instance.next_timer_at, now)  # a timer due while suspended fires at the next tick
        key = f"process_instance:{instance.id}:wake:{at.isoformat()}"
        if not session.scalar(select(func.count()).select_from(ScheduledEffect).where(ScheduledEffect.key == key)):
            deadlines.schedule_wake(session, instance.id, at)
    instance.status = "running"
    audit.record(
        session, actor_id=user.id, action="instance.resume", object_type="process_instance", object_id=instance.id,
        instance_id=instance.id, now=now, before={"status": "suspended"},
        after={"status": "running", "tasks": [t.id for t in rows]}, note=reason or None,
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
    if instance.status not in ("running", "error"):
        raise Conflict(N_("该流程当前不能重试"))
    before = {"status": instance.status, "incident": instance.incident}
    rerun = instance.status == "error"
    if rerun:
        instance.status = "running"
        instance.incident = None
        try:
            runtime.fire_due_timers(session, instance, now)
            session.flush()
        except StaleDataError:
            raise
        except Exception as exc:  # noqa: BLE001 - reported to the administrator, the request rolls back
            raise Conflict(N_("重试失败，流程仍然出错：%(detail)s"), detail=f"{type(exc).__name__}: {exc}") from None
    stuck = stuck_task_ids(session, instance.id)
    if not rerun and not stuck:
        raise Conflict(N_("该流程没有需要重试的问题"))
    resolved = _resolve_again(session, instance, stuck) if stuck else []
    settle_incident(session, instance)
    audit.record(
        session, actor_id=user.id, action="instance.retry", object_type="process_instance", object_id=instance.id,
        instance_id=instance.id, now=now, before=before,
        after={"status": instance.status, "rerun": rerun, "reassigned": resolved}, note=reason or None,
    )  # fmt: skip
    session.flush()
    return {"rerun": rerun, "reassigned": len(resolved)}


def _resolve_again(session, instance: ProcessInstance, task_ids: list[int]) -> list[dict]:
    """Resolve the lanes of stuck tasks against today's organisation; Conflict if any still has nobody."""
    wf, meta = runtime.load_workflow(session, instance)
    subject = session.get(Subject, instance.subject_id) if instance.subject_id else None
    done, missing = [], []
    for ht in session.scalars(select(HumanTask).where(HumanTask.id.in_(task_ids)).order_by(HumanTask.id)):
        try:
            spiff_task = wf.get_task_from_id(UUID(ht.spiff_task_id))
        except Exception:  # noqa: BLE001 - Spiff raises its own TaskNotFoundException
            spiff_task = None
        lane = runtime._task_meta(spiff_task, meta).get("assignment") if spiff_task is not None else None
        principals, label = [], ht.candidates_label or ""
        if lane:
            principals, label = assignment.resolve(
                session, assignment.Assignment(tuple(lane["roles"]), lane["scope"]), subject
            )
        if not principals or not assignment.has_members(session, principals):
            missing.append(f"“{ht.name}”（{label or '未指定泳道'}）")
            continue
        before = candidates_of(session, ht.id)
        set_candidates(session, ht, principals, label)
        done.append({"task": ht.id, "before": before, "after": list(dict.fromkeys(principals))})
    if missing:
        raise Conflict(
            N_("仍无法确定办理人：%(tasks)s。请先在组织机构中为相应角色配置在职人员，或将任务转办"),
            tasks="、".join(missing),
        )
    return done


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
        select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.state.in_(("open", "suspended")))
    ).all()
    for ht in rows:
        ht.state = "cancelled"
        ht.completed_at = now
    deadlines.cancel(session, "human_task", [ht.id for ht in rows])
    deadlines.schedule_wake(session, instance.id, None)
    instance.status = "terminated"
    instance.ended_at = now
    instance.next_timer_at = None
    # A document in this chain goes back to its authors as a draft, so they may start it again.
    for doc in session.scalars(select(Document).where(Document.instance_id == instance.id)):
        audit.record(
            session, actor_id=user.id, action="document.release", object_type="document", object_id=doc.id,
            instance_id=instance.id, now=now, before={"status": doc.status, "instance_id": instance.id},
            after={"status": "draft", "instance_id": None},
        )  # fmt: skip
        doc.instance_id = None
        doc.status = "draft"
        doc.updated_at = now
    audit.record(
        session, actor_id=user.id, action="instance.terminate", object_type="process_instance",
        object_id=instance.id, instance_id=instance.id, now=now, before=before,
        after={"status": "terminated", "cancelled_tasks": [ht.id for ht in rows]}, note=reason,
    )  # fmt: skip
    session.flush()
    return instance
