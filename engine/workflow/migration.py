"""Move a running instance to another version of its process (SpiffWorkflow's diff and migrate).

An instance moves to what a new instance would run: the target version with the latest versions of the
processes it calls (engine/workflow/binding.py), so migrating a cycle also brings the chain it is running
up to date. It can move when every step it waits at exists (same id) in the new versions. Open tasks keep
their id, claim and due date; their name follows the new version.
"""

from __future__ import annotations

from datetime import datetime

from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState as SpiffTaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import HumanTask, InstanceStatus, ProcessInstance, ProcessVersion, Subject, TaskState
from . import binding, readmodel, runtime
from .bpmn.compaction import compact
from .bpmn.serializer import REGISTRY, dump_state


def blockers(session: Session, instance: ProcessInstance, target: ProcessVersion, bindings: dict | None = None) -> dict:
    """Whether the instance could move to `target` (with `bindings`, what a new instance of it binds now,
    given by a caller checking many): {"ok", "reasons", "current" (where it waits)}."""
    wf, _meta = runtime.load_workflow(session, instance)
    if bindings is None:
        bindings = binding.bind(session, target)
    spec, subs, _ = binding.bundle(session, target, bindings)
    reasons = _reasons(wf, spec, subs)
    current = sorted({t.task_spec.bpmn_name or t.task_spec.bpmn_id for t in _current_tasks(wf)})
    return {"ok": not reasons, "reasons": reasons, "current": current}


def is_current(instance: ProcessInstance, target: ProcessVersion, bindings: dict | None) -> bool:
    """Whether the instance already runs `target` and the called versions `bindings`."""
    return instance.version_id == target.id and (instance.bindings or None) == (bindings or None)


def _current_tasks(wf):
    return [t for t in wf.get_tasks(state=SpiffTaskState.READY | SpiffTaskState.WAITING) if t.task_spec.bpmn_id]


def _reasons(wf, spec, subs) -> list[str]:
    reasons = []
    for t in wf.get_tasks(state=SpiffTaskState.READY | SpiffTaskState.WAITING | SpiffTaskState.STARTED):
        bpmn_id = t.task_spec.bpmn_id
        if not bpmn_id:
            continue
        owner = t.workflow.spec
        new_spec = spec if owner.name == spec.name else subs.get(owner.name)
        if new_spec is None:
            reasons.append(f"当前所在的子流程“{owner.name}”在新版本中不存在")
        elif t.task_spec.name not in new_spec.task_specs:
            reasons.append(f"当前步骤“{t.task_spec.bpmn_name or bpmn_id}”在新版本中已删除")
    return sorted(set(reasons))


def migrate_instance(session: Session, instance: ProcessInstance, target: ProcessVersion, now: datetime) -> str | None:
    """Move a running instance (state loaded) to `target`; the reason it cannot, or None when it moved."""
    if instance.status != InstanceStatus.RUNNING:
        return f"实例状态为“{instance.status}”，只能迁移运行中的实例"
    bindings = binding.bind(session, target)
    if is_current(instance, target, bindings):
        return "实例已在该版本上"
    wf, _ = runtime.load_workflow(session, instance)
    spec, subs, meta = binding.bundle(session, target, bindings)
    reasons = _reasons(wf, spec, subs)
    if reasons:
        return "；".join(reasons)
    top, sub_diffs = diff_workflow(REGISTRY, wf, spec, subs)
    migrate_workflow(top, wf, spec)
    for sp_id, sp_diff in sub_diffs.items():
        sub = wf.subprocesses[sp_id]
        if sp_diff is not None:
            migrate_workflow(sp_diff, sub, subs[sub.spec.name])
    wf.subprocess_specs = subs
    instance.version = target
    instance.bindings = bindings
    subject = session.get(Subject, instance.subject_id) if instance.subject_id else None
    readmodel.sync_tasks(session, instance, wf, meta, subject, now)
    _rename_open_tasks(session, instance, wf, meta)
    compact(wf)
    instance.state_json = dump_state(wf)
    instance.next_timer_at = readmodel.next_timer(wf)
    session.flush()
    return None


def _rename_open_tasks(session: Session, instance: ProcessInstance, wf, meta: dict) -> None:
    """Open tasks keep their id, claim and due date; their name follows the new version (also the tasks
    of a called process, which follow its newly bound version)."""
    for row in session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.state == TaskState.OPEN)
    ):
        task = runtime.spiff_task(wf, row.spiff_task_id)
        info = readmodel.task_meta(task, meta) if task is not None else None
        if info is not None and task.task_spec.bpmn_id == row.bpmn_id:
            row.name, row.vertical = info["name"], info.get("vertical")
