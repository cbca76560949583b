"""What needs an administrator, found by query (no workflow is loaded to list): errors and stuck tasks.

- an *error*: a step the scheduler ran (a BPMN timer) raised. `runtime.wake_instance` runs it in a
  SAVEPOINT, so only that instance rolls back; `record_failure` marks it `status='error'` with the
  incident in plain words and writes the technical detail to the audit log (`instance.error`).
  A step run for a person (completing a task) that fails rolls back with the request (nothing of it
  happens; the person is told); the web layer then records the same incident in a transaction of its
  own (`engine.errors.StepFailed`). Retry lets people continue once the cause is fixed.
- a *stuck task*: an open task nobody can work on, either handed to 诊改办公室 because its lane resolved
  to nobody (`runtime._new_human_task` sets `incident`, the task's only candidate is the office) or
  because every user behind its candidates has left (no candidate principal with an active member).
- a *suspended* instance (engine/instance_admin.py), listed so that it is not forgotten.
"""

from __future__ import annotations

import traceback
from datetime import datetime

from sqlalchemy import String, and_, cast, exists, func, literal, or_, select, union
from sqlalchemy.orm import Session

from . import audit, runtime
from .errors import DomainError
from .models import (
    AuditEntry,
    HumanTask,
    OrgUnit,
    ProcessDefinition,
    ProcessInstance,
    ProcessVersion,
    RoleAssignment,
    Subject,
    TaskCandidate,
    User,
)

FALLBACK = runtime.FALLBACK_PRINCIPAL
STATUS_LABELS = {
    "running": "运行中",
    "suspended": "已暂停",
    "error": "运行出错",
    "completed": "已完成",
    "terminated": "已终止",
    "cancelled": "已取消",  # by its author before anybody else acted (engine/withdrawal.py)
}
ACTIONS_BY_STATUS = {
    "error": ("retry", "terminate"),
    "running": ("retry", "suspend", "terminate"),
    "suspended": ("resume", "terminate"),
}
LIST_LIMIT = 500


# -- finding problems by query ---------------------------------------------------------------------------


def _live_principals():
    """Every principal with at least one active user behind it, as a query (`u:<id>`, `g:<role>:<type>:<id>`)."""
    users = select(literal("u:", String) + cast(User.id, String)).where(User.active)
    groups = (
        select(
            literal("g:", String)
            + RoleAssignment.role
            + literal(":", String)
            + RoleAssignment.scope_type
            + literal(":", String)
            + cast(func.coalesce(RoleAssignment.scope_id, 0), String)
        )  # fmt: skip
        .join(User, User.id == RoleAssignment.user_id)
        .where(User.active)
    )
    return union(users, groups)


def waits_at_office():
    """The task waits at 诊改办公室 only: its lane resolved to nobody (the instance carries the incident)."""
    return and_(
        ProcessInstance.incident.is_not(None),
        exists().where(TaskCandidate.task_id == HumanTask.id, TaskCandidate.principal == FALLBACK),
        ~exists().where(TaskCandidate.task_id == HumanTask.id, TaskCandidate.principal != FALLBACK),
    )


def _nobody_left():
    return ~exists().where(TaskCandidate.task_id == HumanTask.id, TaskCandidate.principal.in_(_live_principals()))


def stuck_task_ids(session: Session, instance_id: int) -> list[int]:
    """Open tasks of one instance that nobody can work on."""
    return list(
        session.scalars(
            select(HumanTask.id)
            .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
            .where(
                HumanTask.instance_id == instance_id,
                HumanTask.state == "open",
                or_(waits_at_office(), _nobody_left()),
            )
            .order_by(HumanTask.id)
        )
    )


def list_problems(session: Session, now: datetime, unit_ids: list[int] | None = None) -> list[dict]:
    """Errored and suspended instances and instances with stuck tasks; `unit_ids` limits to departments."""
    definition = (
        select(ProcessVersion.id, ProcessDefinition.name)
        .join(ProcessDefinition, ProcessDefinition.id == ProcessVersion.definition_id)
        .subquery()
    )
    cols = (
        ProcessInstance.id, ProcessInstance.status, ProcessInstance.incident, ProcessInstance.started_at,
        definition.c.name, Subject.name, OrgUnit.name,
    )  # fmt: skip

    def scoped(stmt):
        stmt = (
            stmt.join(definition, definition.c.id == ProcessInstance.version_id)
            .outerjoin(Subject, Subject.id == ProcessInstance.subject_id)
            .outerjoin(OrgUnit, OrgUnit.id == Subject.org_unit_id)
        )
        if unit_ids is not None:
            stmt = stmt.where(Subject.org_unit_id.in_(unit_ids or [-1]))
        return stmt

    problems: dict[int, dict] = {}
    halted = session.execute(
        scoped(select(*cols))
        .where(ProcessInstance.status.in_(("error", "suspended")))
        .order_by(ProcessInstance.id)
        .limit(LIST_LIMIT)
    ).all()
    for iid, status, incident, started, process, subject, unit in halted:
        problems[iid] = _problem(iid, status, "error" if status == "error" else "suspended", process, subject, unit)
        problems[iid].update(message=incident or "", since=started)

    fallback = waits_at_office().label("fallback")
    stuck = session.execute(
        scoped(
            select(
                *cols,
                HumanTask.id,
                HumanTask.name,
                HumanTask.bpmn_id,
                HumanTask.lane,
                HumanTask.candidates_label,
                HumanTask.created_at,
                fallback,
            )
        )  # fmt: skip
        .join(HumanTask, HumanTask.instance_id == ProcessInstance.id)
        .where(
            HumanTask.state == "open",
            ProcessInstance.status.in_(("running", "error")),
            or_(waits_at_office(), _nobody_left()),
        )
        .order_by(HumanTask.created_at, HumanTask.id)
        .limit(LIST_LIMIT)
    ).all()
    candidates = candidates_by_task(session, [r[7] for r in stuck])
    for iid, status, incident, _started, process, subject, unit, tid, name, bpmn_id, lane, label, created, fb in stuck:
        problem = problems.get(iid)
        if problem is None:
            problem = problems[iid] = _problem(iid, status, "stuck", process, subject, unit)
            problem.update(message="", since=created)
        why = "已暂交诊改办公室处理" if fb else "候选办理人均已停用或离职"
        problem["tasks"].append({"id": tid, "name": name, "label": label or "", "fallback": bool(fb)})
        text = f"任务“{name}”找不到办理人（{label or '未指定泳道'}），{why}"
        problem["message"] = "；".join(filter(None, [problem["message"], text]))
        detail = f"task #{tid} bpmn_id={bpmn_id} lane={lane or '-'} candidates={','.join(candidates.get(tid, []))}"
        problem["detail"] = "\n".join(filter(None, [problem["detail"], detail]))
        if fb and incident:
            problem["detail"] += f"\nincident: {incident}"

    _add_audit_details(session, problems)
    order = {"error": 0, "stuck": 1, "suspended": 2}
    return sorted(problems.values(), key=lambda p: (order[p["kind"]], p["since"], p["instance_id"]))


def _problem(iid, status, kind, process, subject, unit) -> dict:
    return {
        "instance_id": iid, "status": status, "kind": kind, "process": process or "", "subject": subject or "",
        "department": unit or "", "message": "", "detail": "", "since": None, "tasks": [], "by": "",
        "actions": ACTIONS_BY_STATUS.get(status, ()),
    }  # fmt: skip


def candidates_by_task(session, task_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    if task_ids:
        for tid, principal in session.execute(
            select(TaskCandidate.task_id, TaskCandidate.principal)
            .where(TaskCandidate.task_id.in_(task_ids))
            .order_by(TaskCandidate.principal)
        ):
            out.setdefault(tid, []).append(principal)
    return out


def _add_audit_details(session, problems: dict[int, dict]) -> None:
    """The technical detail of an error and who suspended an instance, from the latest audit entries."""
    wanted = {iid: p for iid, p in problems.items() if p["status"] in ("error", "suspended")}
    if not wanted:
        return
    rows = session.execute(
        select(AuditEntry.instance_id, AuditEntry.action, AuditEntry.at, AuditEntry.after, AuditEntry.note,
               User.display_name)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.instance_id.in_(list(wanted)), AuditEntry.action.in_(("instance.error", "instance.suspend")))
        .order_by(AuditEntry.id.desc())
    ).all()  # fmt: skip
    seen = set()
    for iid, action, at, after, note, who in rows:
        problem = wanted[iid]
        if iid in seen or action != {"error": "instance.error", "suspended": "instance.suspend"}[problem["status"]]:
            continue
        seen.add(iid)
        problem["since"] = at
        if action == "instance.error":
            problem["detail"] = "\n".join(filter(None, [(after or {}).get("detail", ""), problem["detail"]]))
        else:
            problem["by"] = who or ""
            problem["message"] = "；".join(filter(None, [f"由{who or '系统'}暂停：{note or ''}", problem["message"]]))


# -- recording a failure -------------------------------------------------------------------------------


def record_failure(session: Session, instance_id: int, exc: BaseException, now: datetime) -> None:
    """A step of the instance raised (its changes are already rolled back): mark it errored, audited."""
    instance = session.get(ProcessInstance, instance_id)
    session.refresh(instance)
    plain, detail = describe_failure(exc)
    before = {"status": instance.status}
    instance.status = "error"
    instance.incident = plain
    audit.record(
        session, actor_id=None, action="instance.error", object_type="process_instance", object_id=instance.id,
        instance_id=instance.id, now=now, before=before,
        after={"status": "error", "error": type(exc).__name__, "detail": detail}, note=plain,
    )  # fmt: skip
    session.flush()


def describe_failure(exc: BaseException) -> tuple[str, str]:
    """(the incident in plain words, the technical detail: exception and the end of the traceback)."""
    spec = getattr(getattr(exc, "task", None), "task_spec", None) or getattr(exc, "task_spec", None)
    step = (getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None)) if spec is not None else None
    cause = str(exc) if isinstance(exc, DomainError) else "系统内部错误"
    where = f"在“{step}”" if step else ""
    plain = f"流程{where}自动执行时出错（{cause}），已停止推进，等待管理员处理"
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return plain[:1000], f"{type(exc).__name__}: {exc}\n{trace[-3000:]}"
