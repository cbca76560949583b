"""What needs an administrator, found by query (no workflow is loaded to list): errors and stuck tasks.

- an *error*: a step raised (a scheduler wake, or a person's step, which was undone); the incident was
  recorded by `engine.workflow.record_failure` (engine/workflow/incidents.py). Retry lets people
  continue once the cause is fixed.
- a *stuck task*: an open task nobody can work on, either handed to 诊改办公室 because its lane resolved
  to nobody (the instance carries the incident, the task's only candidate is the office) or because
  every user behind its candidates has left (no candidate principal with an active member).
- a *suspended* instance (engine/oversight/instance_admin.py), listed so that it is not forgotten.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..models import (
    AuditEntry,
    HumanTask,
    InstanceStatus,
    OrgUnit,
    ProcessDefinition,
    ProcessInstance,
    ProcessVersion,
    Subject,
    TaskState,
    User,
)
from ..org import policy
from ..workflow.incidents import nobody_left, waits_at_office
from ..workflow.readmodel import candidates_by_task

STATUS_LABELS = {
    InstanceStatus.RUNNING: "运行中",
    InstanceStatus.SUSPENDED: "已暂停",
    InstanceStatus.ERROR: "运行出错",
    InstanceStatus.COMPLETED: "已完成",
    InstanceStatus.TERMINATED: "已终止",
    InstanceStatus.CANCELLED: "已取消",  # by its author before anybody else acted (engine/documents/withdrawal.py)
}
ACTIONS_BY_STATUS = {
    InstanceStatus.ERROR: ("retry", "terminate"),
    InstanceStatus.RUNNING: ("retry", "suspend", "terminate"),
    InstanceStatus.SUSPENDED: ("resume", "terminate"),
}
LIST_LIMIT = 500


# -- finding problems by query ---------------------------------------------------------------------------


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
        if (watched := policy.instance_watched(unit_ids)) is not None:
            stmt = stmt.where(watched)
        return stmt

    problems: dict[int, dict] = {}
    halted = session.execute(
        scoped(select(*cols))
        .where(ProcessInstance.status.in_((InstanceStatus.ERROR, InstanceStatus.SUSPENDED)))
        .order_by(ProcessInstance.id)
        .limit(LIST_LIMIT)
    ).all()
    for iid, status, incident, started, process, subject, unit in halted:
        problems[iid] = _problem(
            iid, status, "error" if status == InstanceStatus.ERROR else "suspended", process, subject, unit
        )
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
            HumanTask.state == TaskState.OPEN,
            ProcessInstance.status.in_((InstanceStatus.RUNNING, InstanceStatus.ERROR)),
            or_(waits_at_office(), nobody_left()),
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


def _add_audit_details(session, problems: dict[int, dict]) -> None:
    """The technical detail of an error and who suspended an instance, from the latest audit entries."""
    wanted = {iid: p for iid, p in problems.items() if p["status"] in (InstanceStatus.ERROR, InstanceStatus.SUSPENDED)}
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
        if (
            iid in seen
            or action
            != {InstanceStatus.ERROR: "instance.error", InstanceStatus.SUSPENDED: "instance.suspend"}[problem["status"]]
        ):
            continue
        seen.add(iid)
        problem["since"] = at
        if action == "instance.error":
            problem["detail"] = "\n".join(filter(None, [(after or {}).get("detail", ""), problem["detail"]]))
        else:
            problem["by"] = who or ""
            problem["message"] = "；".join(filter(None, [f"由{who or '系统'}暂停：{note or ''}", problem["message"]]))
