"""Where the instances of one process version wait: the task read model aggregated per BPMN element.

One aggregate query over `human_task` (joined to its instance for the version); no workflow is loaded.
Steps of called processes (a cycle's approval chains) carry their own element ids: they are listed,
but have no shape on the calling process's diagram.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from ..core.errors import N_, NotFound, object_id
from ..models import HumanTask, InstanceStatus, ProcessDefinition, ProcessInstance, ProcessVersion, TaskState, User
from ..org import policy
from .monitoring import epoch_seconds

LEVELS = 5  # heat classes 0 (cold) .. 4 (the bottleneck's share)


def may_list(session: Session, user: User, principals: list[str]) -> bool:
    """Monitors, and owners of at least one process, analyse process versions."""
    return policy.is_monitor(user, principals) or policy.owns_any_process(session, user, principals)


def list_versions(session: Session, user: User, principals: list[str]) -> list[dict]:
    """Deployed versions the user may analyse, newest first per process, with instance counts."""
    if not may_list(session, user, principals):
        raise NotFound(N_("页面不存在"))
    stmt = select(ProcessVersion, ProcessDefinition).join(
        ProcessDefinition, ProcessDefinition.id == ProcessVersion.definition_id
    )
    if (analysable := policy.process_analysable(policy.viewer(user, principals))) is not None:
        stmt = stmt.where(analysable)
    rows = session.execute(stmt.order_by(ProcessDefinition.name, ProcessVersion.version.desc())).all()
    running = func.sum(case((ProcessInstance.status == InstanceStatus.RUNNING, 1), else_=0))
    counts = {
        vid: (total, run or 0)
        for vid, total, run in session.execute(
            select(ProcessInstance.version_id, func.count(), running)
            .where(ProcessInstance.version_id.in_([v.id for v, _ in rows] or [-1]))
            .group_by(ProcessInstance.version_id)
        )
    }
    return [
        {"id": v.id, "key": d.key, "name": d.name, "version": v.version, "deployed_at": v.deployed_at,
         "latest": d.latest_version_id == v.id, "instances": counts.get(v.id, (0, 0))[0],
         "running": counts.get(v.id, (0, 0))[1]}
        for v, d in rows
    ]  # fmt: skip


def get_version(session: Session, user: User, principals: list[str], version_id) -> ProcessVersion:
    """A version the user may analyse (monitors, owners of its process), or NotFound."""
    version_id = object_id(version_id, N_("流程版本不存在"))
    stmt = (
        select(ProcessVersion)
        .join(ProcessDefinition, ProcessDefinition.id == ProcessVersion.definition_id)
        .where(ProcessVersion.id == version_id)
    )
    if (analysable := policy.process_analysable(policy.viewer(user, principals))) is not None:
        stmt = stmt.where(analysable)
    version = session.scalar(stmt)
    if version is None:
        raise NotFound(N_("流程版本不存在"))
    return version


def may_analyse(user: User, principals: list[str], definition: ProcessDefinition) -> bool:
    return policy.may_analyse_process(policy.viewer(user, principals), definition)


def longest_waiting(session: Session, version_id: int, now: datetime, limit: int = 20) -> list[dict]:
    """The open tasks of a version's instances that have waited longest, for links to their instances."""
    rows = session.execute(
        select(
            HumanTask.instance_id,
            HumanTask.bpmn_id,
            HumanTask.name,
            HumanTask.subject_name,
            HumanTask.created_at,
            HumanTask.due_at,
        )  # fmt: skip
        .where(
            HumanTask.instance_id.in_(select(ProcessInstance.id).where(ProcessInstance.version_id == version_id)),
            HumanTask.state == TaskState.OPEN,
        )
        .order_by(HumanTask.created_at, HumanTask.id)
        .limit(limit)
    ).all()
    return [
        {"instance_id": r[0], "bpmn_id": r[1], "name": r[2], "subject": r[3] or "", "created_at": r[4],
         "due_at": r[5], "wait_s": (now - r[4]).total_seconds(), "overdue": r[5] is not None and r[5] < now}
        for r in rows
    ]  # fmt: skip


def version_heatmap(session: Session, version_id: int, now: datetime, meta: dict | None = None) -> dict:
    """Per element: tasks waiting now, their average wait, overdue ones; completed tasks' average duration."""
    is_open = HumanTask.state == TaskState.OPEN
    is_done = HumanTask.state == TaskState.COMPLETED
    created = epoch_seconds(session, HumanTask.created_at)
    stmt = (
        select(
            HumanTask.bpmn_id,
            func.max(HumanTask.name),
            func.sum(case((is_open, 1), else_=0)),
            func.sum(case((and_(is_open, HumanTask.due_at < now), 1), else_=0)),
            func.avg(case((is_open, created))),
            func.sum(case((is_done, 1), else_=0)),
            func.avg(case((is_done, epoch_seconds(session, HumanTask.completed_at) - created))),
        )
        # Driven from the version's instances (indexed) to their tasks (indexed by instance).
        .where(HumanTask.instance_id.in_(select(ProcessInstance.id).where(ProcessInstance.version_id == version_id)))
        .group_by(HumanTask.bpmn_id)
    )
    if meta is None:
        meta = session.scalar(select(ProcessVersion.meta).where(ProcessVersion.id == version_id)) or {}
    own = meta.get("tasks", {})
    steps = {
        bpmn_id: {"bpmn_id": bpmn_id, "name": info.get("name") or bpmn_id, "in_diagram": True, "open": 0,
                  "overdue": 0, "avg_wait_s": None, "completed": 0, "avg_done_s": None}
        for bpmn_id, info in own.items()
    }  # fmt: skip
    stamp = now.timestamp()
    for bpmn_id, name, n_open, n_overdue, avg_created, n_done, avg_done in session.execute(stmt):
        step = steps.setdefault(bpmn_id, {"bpmn_id": bpmn_id, "name": name, "in_diagram": False})
        step.update(
            open=int(n_open or 0), overdue=int(n_overdue or 0), completed=int(n_done or 0),
            avg_wait_s=max(0.0, stamp - float(avg_created)) if n_open else None,
            avg_done_s=float(avg_done) if n_done and avg_done is not None else None,
        )  # fmt: skip
    # The bottleneck holds the most waiting time now: instances waiting there times their average wait.
    for step in steps.values():
        step["score"] = step["open"] * (step["avg_wait_s"] or 0.0)
    top = max((s["score"] for s in steps.values()), default=0.0)
    for step in steps.values():
        step["level"] = 0 if not top or not step["open"] else max(1, round((LEVELS - 1) * step["score"] / top))
    ordered = sorted(steps.values(), key=lambda s: (-s["score"], -s["open"], -s["completed"], s["name"]))
    bottleneck = ordered[0]["bpmn_id"] if ordered and top else None
    return {"steps": ordered, "bottleneck": bottleneck}
