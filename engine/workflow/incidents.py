"""When a workflow cannot go on by itself: a step that raised, or a task nobody can work on.

- A failed step: the runtime raises `StepFailed` for any step that breaks (a person's completion, a
  batch approval, a scheduler wake, a retry, a withdrawal). Whoever owns the transaction undoes the step
  (the request rolls back; a batch item or a wake rolls back its SAVEPOINT) and then calls
  `record_failure`, the one way an incident is recorded: the instance is marked `error` with the incident
  in plain words and the technical detail goes to the audit log (`instance.error`).
- A stuck task: an open task handed to 诊改办公室 because its lane resolved to nobody (the instance carries
  the incident), or one where every user behind its candidates has left.
"""

from __future__ import annotations

import traceback
from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select, union
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import DomainError
from ..models import HumanTask, InstanceStatus, ProcessInstance, RoleAssignment, TaskCandidate, TaskState, User
from ..org.principal import sql_group, sql_user
from .expressions import BoundExceeded
from .readmodel import FALLBACK_PRINCIPAL

# -- a failed step -----------------------------------------------------------------------------------


def record_failure(session: Session, instance_id: int, exc: BaseException, now: datetime) -> None:
    """A step of the instance raised (its changes are already rolled back): mark it errored, audited."""
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:  # the failed step was the instance's start: nothing of it is left to flag
        return
    session.refresh(instance)
    plain, detail = describe_failure(exc)
    before = {"status": instance.status}
    instance.status = InstanceStatus.ERROR
    instance.incident = plain
    audit.record(
        session, actor_id=None, action="instance.error", object_type="process_instance", object_id=instance.id,
        instance_id=instance.id, now=now, before=before,
        after={"status": InstanceStatus.ERROR, "error": type(exc).__name__, "detail": detail}, note=plain,
    )  # fmt: skip
    session.flush()


def describe_failure(exc: BaseException) -> tuple[str, str]:
    """(the incident in plain words, the technical detail: exception and the end of the traceback)."""
    spec = getattr(getattr(exc, "task", None), "task_spec", None) or getattr(exc, "task_spec", None)
    step = (getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None)) if spec is not None else None
    bounded = _bound_exceeded(exc)
    cause = str(exc) if isinstance(exc, DomainError) else str(bounded) if bounded else "系统内部错误"
    where = f"在“{step}”" if step else ""
    plain = f"流程{where}自动执行时出错（{cause}），已停止推进，等待管理员处理"
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return plain[:1000], f"{type(exc).__name__}: {exc}\n{trace[-3000:]}"


def _bound_exceeded(exc: BaseException | None) -> BaseException | None:
    """The bound a step exceeded (expressions.BoundExceeded), however the engine wrapped it: its message is
    the process owner's to read (a loop that never waits, a timer of a hundred years)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, BoundExceeded):
            return exc
        exc = getattr(exc, "exception", None) or exc.__cause__ or exc.__context__
    return None


# -- stuck tasks ---------------------------------------------------------------------------------------


def live_principals():
    """Every principal with at least one active user behind it, as a query (`u:<id>`, `g:<role>:<type>:<id>`)."""
    users = select(sql_user(User.id)).where(User.active)
    groups = (
        select(sql_group(RoleAssignment.role, RoleAssignment.scope_type, RoleAssignment.scope_id))
        .join(User, User.id == RoleAssignment.user_id)
        .where(User.active)
    )
    return union(users, groups)


def waits_at_office():
    """The task waits at 诊改办公室 only: its lane resolved to nobody (the instance carries the incident)."""
    return and_(
        ProcessInstance.incident.is_not(None),
        exists().where(TaskCandidate.task_id == HumanTask.id, TaskCandidate.principal == FALLBACK_PRINCIPAL),
        ~exists().where(TaskCandidate.task_id == HumanTask.id, TaskCandidate.principal != FALLBACK_PRINCIPAL),
    )


def nobody_left():
    """Every user behind the task's candidates has left."""
    return ~exists().where(TaskCandidate.task_id == HumanTask.id, TaskCandidate.principal.in_(live_principals()))


def stuck_task_ids(session: Session, instance_id: int) -> list[int]:
    """Open tasks of one instance that nobody can work on."""
    return list(
        session.scalars(
            select(HumanTask.id)
            .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
            .where(
                HumanTask.instance_id == instance_id,
                HumanTask.state == TaskState.OPEN,
                or_(waits_at_office(), nobody_left()),
            )
            .order_by(HumanTask.id)
        )
    )


def settle_incident(session: Session, instance: ProcessInstance) -> None:
    """A running instance keeps its incident only while a task of it still waits at the office for want of people."""
    if instance.status == InstanceStatus.ERROR or instance.incident is None:
        return
    session.flush()
    if not session.scalar(
        select(func.count())
        .select_from(HumanTask)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(HumanTask.instance_id == instance.id, HumanTask.state == TaskState.OPEN, waits_at_office())
    ):
        instance.incident = None
