"""Run workflows: start instances, complete tasks, keep the task read model in step.

Every function works inside the caller's transaction and never commits. Workflow state, the task read
model, documents and the audit log change together in that transaction, or not at all.
"""

from __future__ import annotations

import re
from datetime import datetime
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, undefer
from sqlalchemy.orm.exc import StaleDataError

from . import assignment, audit, deadlines, notifications
from .bpmn.scripting import SafeScriptEngine
from .bpmn.serializer import SPECS, dump_state, load_state
from .db import savepoint
from .errors import N_, Conflict, DomainError, InvalidInput, NotAllowed, NotFound, StepFailed
from .models import (
    HumanTask,
    ProcessDefinition,
    ProcessInstance,
    ProcessVersion,
    Subject,
    TaskCandidate,
    User,
)

FALLBACK_PRINCIPAL = assignment.group_principal("monitor", "school", 0)
# Why a task of an instance that is not running cannot be worked on (see engine/instance_admin.py).
BLOCKED = {
    "suspended": N_("该流程已被管理员暂停，恢复后才能办理"),
    "error": N_("该流程运行出错，正在等待管理员处理，暂不能办理"),
}


def version_bundle(session: Session, version: ProcessVersion):
    """(spec, subprocess specs, meta) of a deployed version, parsed once per process.

    The cache key includes the checksum: on SQLite a rolled-back deploy gives its id back, and the next
    version to take that id must not find the other diagram's spec in the cache.
    """

    def loader():
        row = session.execute(
            select(ProcessVersion.spec_json, ProcessVersion.meta).where(ProcessVersion.id == version.id)
        ).one()
        return row.spec_json, row.meta

    return SPECS.get((version.id, version.checksum), loader)


def latest_version(session: Session, process_key: str) -> ProcessVersion:
    definition = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == process_key))
    if definition is None or definition.latest_version_id is None:
        raise NotFound(N_("流程“%(key)s”尚未部署"), key=process_key)
    return session.get(ProcessVersion, definition.latest_version_id)


def start_instance(
    session: Session,
    *,
    process_key: str,
    actor: User | None,
    now: datetime,
    subject: Subject | None = None,
    document_id: int | None = None,
    data: dict | None = None,
) -> ProcessInstance:
    version = latest_version(session, process_key)
    spec, subs, meta = version_bundle(session, version)
    wf = BpmnWorkflow(spec, subs, script_engine=SafeScriptEngine())
    start = wf.get_tasks(state=TaskState.READY)[0]
    start.set_data(**(data or {}))
    instance = ProcessInstance(
        version_id=version.id,
        process_key=process_key,
        subject_id=subject.id if subject else None,
        document_id=document_id,
        status="running",
        state_json="{}",
        started_by_id=actor.id if actor else None,
        started_at=now,
    )
    session.add(instance)
    session.flush()
    audit.record(
        session,
        actor_id=instance.started_by_id,
        action="instance.start",
        object_type="process_instance",
        object_id=instance.id,
        instance_id=instance.id,
        now=now,
        after={"process": process_key, "version": version.version, "subject_id": instance.subject_id},
    )
    _advance(session, instance, wf, meta, subject, instance.started_by_id, now)
    return instance


def load_workflow(session: Session, instance: ProcessInstance) -> tuple[BpmnWorkflow, dict]:
    spec, subs, meta = version_bundle(session, instance.version)
    wf = load_state(instance.state_json, spec, subs)
    wf.script_engine = SafeScriptEngine()  # deserializing gives a default (unsafe) engine: replace it
    return wf, meta


def ready_human_tasks(wf: BpmnWorkflow):
    return wf.get_tasks(state=TaskState.READY, manual=True)


def complete_task(session: Session, user: User, task_id: int, payload: dict, now: datetime) -> HumanTask:
    """Complete a human task with raw input; validates it for the task's kind first."""
    from . import documents, tasks

    principals = assignment.principals_of(session, user.id)
    ht = tasks.get_task(session, user, task_id, principals)
    _check_actionable(session, ht, user, principals)
    try:
        instance = session.scalar(
            select(ProcessInstance)
            .options(undefer(ProcessInstance.state_json))
            .where(ProcessInstance.id == ht.instance_id)
        )
        if instance.status != "running":
            message = BLOCKED.get(instance.status, N_("流程实例当前状态为“%(status)s”，不能办理任务"))
            raise Conflict(message, status=instance.status)
        wf, meta = load_workflow(session, instance)
        try:
            spiff_task = wf.get_task_from_id(UUID(ht.spiff_task_id))
        except Exception:  # noqa: BLE001 - Spiff raises its own TaskNotFoundException
            spiff_task = None
        if spiff_task is None or spiff_task.state != TaskState.READY or not spiff_task.task_spec.manual:
            raise Conflict(N_("该任务已不在待办状态，请刷新页面"))

        data = _task_input(session, ht, user, payload, now, documents)
        before = {"state": ht.state, "claimant_id": ht.claimant_id}
        spiff_task.set_data(**data)
        spiff_task.run()
        ht.state = "completed"
        ht.completed_at = now
        ht.completed_by_id = user.id
        if ht.claimant_id is None:
            ht.claimant_id, ht.claimed_at = user.id, now
        deadlines.cancel(session, "human_task", [ht.id])
        audit.record(
            session,
            actor_id=user.id,
            action="task.complete",
            object_type="human_task",
            object_id=ht.id,
            instance_id=instance.id,
            now=now,
            before=before,
            after={"state": "completed", "decision": ht.decision, "task": ht.bpmn_id},
            note=ht.comment,
        )
        subject = session.get(Subject, instance.subject_id) if instance.subject_id else None
        returned = (ht, user) if ht.decision == "return" else None
        _advance(session, instance, wf, meta, subject, user.id, now, returned=returned)
        session.flush()
    except (StaleDataError, IntegrityError):
        raise Conflict(N_("该任务已被他人处理，请刷新页面")) from None
    except DomainError:
        raise
    except Exception as exc:  # the engine or a service broke: undo, and let the web layer flag the instance
        raise StepFailed(ht.instance_id, exc) from exc
    return ht


def _task_input(session, ht: HumanTask, user: User, payload: dict, now, documents) -> dict:
    from marshmallow import ValidationError

    from forms.review import validate_ack, validate_review

    if ht.kind == "review":
        try:
            clean = validate_review(payload)
        except ValidationError as exc:
            raise InvalidInput(N_("请检查填写的内容"), fields=exc.messages) from None
        ht.decision, ht.comment = clean["decision"], clean["comment"]
        if ht.document_id:
            documents.after_review(session, ht, now)
        return {"decision": clean["decision"], "comment": clean["comment"]}
    if ht.kind == "ack":
        try:
            clean = validate_ack(payload)
        except ValidationError as exc:
            raise InvalidInput(N_("请检查填写的内容"), fields=exc.messages) from None
        ht.decision, ht.comment = clean["decision"], clean["comment"]
        return clean
    if ht.kind == "edit":
        if not ht.document_id:
            raise Conflict(N_("该任务没有关联文档"))
        documents.submit_from_task(session, ht, user, payload.get("document"), now)
        ht.decision = "submit"
        return {"decision": None, "comment": ""}
    fields = payload.get("fields") if isinstance(payload.get("fields"), dict) else {}
    ht.data = fields
    ht.decision = payload.get("decision") if payload.get("decision") in ("approve", "return", "ack") else None
    return {"form": fields, "decision": ht.decision}


def _check_actionable(session, ht: HumanTask, user: User, principals: list[str]) -> None:
    from . import tasks

    if ht.state == "suspended":  # the instance is suspended (engine/instance_admin.py)
        raise Conflict(BLOCKED["suspended"])
    if ht.state != "open":
        raise Conflict(N_("该任务已被处理，无需重复办理"))
    if ht.claimant_id not in (None, user.id):
        who = session.get(User, ht.claimant_id)
        raise Conflict(N_("该任务已被%(name)s签收"), name=who.display_name if who else "?")
    if not tasks.is_candidate(session, ht.id, principals):
        raise NotAllowed(N_("您不是该任务的办理人"))


def claim_task(session: Session, user: User, task_id: int, now: datetime) -> HumanTask:
    from . import tasks

    principals = assignment.principals_of(session, user.id)
    ht = tasks.get_task(session, user, task_id, principals)
    _check_actionable(session, ht, user, principals)
    if ht.claimant_id == user.id:
        return ht
    result = session.execute(
        update(HumanTask)
        .where(HumanTask.id == ht.id, HumanTask.claimant_id.is_(None), HumanTask.state == "open")
        .values(claimant_id=user.id, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.refresh(ht)
        if ht.state != "open":  # e.g. the author withdrew the submission a moment ago (engine/withdrawal.py)
            raise Conflict(N_("该任务已不在待办状态，请刷新页面"))
        raise Conflict(N_("该任务已被他人签收"))
    session.refresh(ht)
    audit.record(
        session, actor_id=user.id, action="task.claim", object_type="human_task", object_id=ht.id,
        instance_id=ht.instance_id, now=now, before={"claimant_id": None}, after={"claimant_id": user.id},
    )  # fmt: skip
    return ht


def unclaim_task(session: Session, user: User, task_id: int, now: datetime) -> HumanTask:
    from . import tasks

    ht = tasks.get_task(session, user, task_id)
    if ht.state != "open":
        raise Conflict(N_("该任务已被处理"))
    if ht.claimant_id != user.id:
        raise Conflict(N_("只能退回自己签收的任务"))
    result = session.execute(
        update(HumanTask)
        .where(HumanTask.id == ht.id, HumanTask.claimant_id == user.id, HumanTask.state == "open")
        .values(claimant_id=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(N_("该任务状态已变化，请刷新页面"))
    session.refresh(ht)
    audit.record(
        session, actor_id=user.id, action="task.unclaim", object_type="human_task", object_id=ht.id,
        instance_id=ht.instance_id, now=now, before={"claimant_id": user.id}, after={"claimant_id": None},
    )  # fmt: skip
    return ht


def _advance(
    session, instance: ProcessInstance, wf: BpmnWorkflow, meta: dict, subject, actor_id, now, returned=None
) -> None:
    """Run the engine to the next wait state (services act in this transaction), sync tasks, store state.

    `returned`: (the review task, the reviewer) when this step is a return; the author's new task carries it.
    """

    from . import cycle_takeover, services

    wf.script_engine.environment.handler = lambda op, params, data: services.call(
        session, instance, subject, actor_id, now, op, params, data
    )
    env = wf.script_engine.environment
    env.failure = None
    try:
        wf.do_engine_steps()
        kept = cycle_takeover.replay(wf)  # a chain the cycle took over moves on to where it stood
    except Exception:
        if env.failure is not None:
            raise env.failure from None
        raise
    finally:
        env.handler = None
    _sync_tasks(session, instance, wf, meta, subject, now, actor_id=actor_id, returned=returned)
    if kept:
        cycle_takeover.keep_claims(session, instance, kept, now)
    instance.state_json = dump_state(wf)
    next_timer = _next_timer(wf)
    if next_timer != instance.next_timer_at:
        deadlines.schedule_wake(session, instance.id, next_timer)
    instance.next_timer_at = next_timer
    if wf.is_completed() and instance.status == "running":
        instance.status = "completed"
        instance.ended_at = now
        audit.record(
            session, actor_id=actor_id, action="instance.complete", object_type="process_instance",
            object_id=instance.id, instance_id=instance.id, now=now, after={"status": "completed"},
        )  # fmt: skip


def _sync_tasks(
    session, instance: ProcessInstance, wf: BpmnWorkflow, meta: dict, subject, now, actor_id=None, returned=None
) -> None:
    """Close read-model rows of tasks no longer ready, add rows for new ones and tell their people."""
    ready = {str(t.id): t for t in ready_human_tasks(wf)}
    open_rows = session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.state == "open")
    ).all()
    for row in open_rows:
        if row.spiff_task_id not in ready:
            row.state = "cancelled"
            row.completed_at = now
            deadlines.cancel(session, "human_task", [row.id])
    existing = {r.spiff_task_id for r in open_rows}
    created = [
        _new_human_task(session, instance, task, meta, subject, now)
        for tid, task in ready.items()
        if tid not in existing
    ]
    if created:
        if returned is not None:
            _mark_returned(created, *returned)
        principals = [[c.principal for c in ht.candidates] for ht in created]
        session.add_all(created)
        session.flush()
        for ht in created:
            if ht.due_at is not None:
                deadlines.schedule(session, "human_task", ht.id, ht.due_at, now, fresh=True)
        notifications.task_arrived(session, list(zip(created, principals, strict=True)), actor_id, now)


def _mark_returned(created: list[HumanTask], review: HumanTask, reviewer: User) -> None:
    """The author's task a return creates carries the 退回 mark and the reviewer's comment."""
    for ht in created:
        if ht.kind == "edit" and (review.document_id is None or ht.document_id == review.document_id):
            ht.returned_by_id, ht.return_comment = reviewer.id, review.comment or ""


def _task_meta(task, meta: dict) -> dict:
    process_id = task.workflow.spec.name
    if process_id == meta.get("process_id"):
        info = meta["tasks"].get(task.task_spec.bpmn_id)
        lanes = meta["lanes"]
    else:
        sub = meta.get("called_meta", {}).get(process_id, {})
        info = sub.get("tasks", {}).get(task.task_spec.bpmn_id)
        lanes = sub.get("lanes", {})
    info = dict(info or {"name": task.task_spec.bpmn_name or task.task_spec.bpmn_id, "kind": "form"})
    info["assignment"] = lanes.get(info.get("lane") or task.task_spec.lane or "")
    return info


def _new_human_task(session, instance, task, meta, subject, now) -> HumanTask:
    from .documents import document_title

    info = _task_meta(task, meta)
    principals, label = [], ""
    lane = info.get("assignment")
    if lane:
        principals, label = assignment.resolve(
            session, assignment.Assignment(tuple(lane["roles"]), lane["scope"]), subject
        )
    if not principals or not assignment.has_members(session, principals):
        instance.incident = f"任务“{info['name']}”无法确定办理人（{label or '未指定泳道'}），已转交诊改办公室处理"
        principals = [FALLBACK_PRINCIPAL]
    due_at = _due_of(info, task, now)
    definition_name = meta.get("name", instance.process_key)
    document_id = task.data.get("document_id") or instance.document_id
    doc_title = document_title(session, document_id) if document_id else None
    ht = HumanTask(
        instance_id=instance.id,
        spiff_task_id=str(task.id),
        bpmn_id=task.task_spec.bpmn_id,
        name=info["name"],
        kind=info.get("kind", "form"),
        lane=info.get("lane"),
        process_key=instance.process_key,
        process_name=definition_name,
        subject_id=subject.id if subject else None,
        subject_name=subject.name if subject else None,
        document_id=document_id,
        title=doc_title or definition_name,
        vertical=info.get("vertical"),
        step=step_of(task, info, meta),
        state="open",
        created_at=now,
        due_at=due_at,
        candidates_label=label[:200] if label else None,
    )
    ht.candidates = [TaskCandidate(principal=p) for p in dict.fromkeys(principals)]
    return ht


def _due_of(info: dict, task, now: datetime) -> datetime | None:
    """A task's due moment: an ISO duration from now, "=name" for a date the instance carries, or
    "=name|P14D" for that date when the instance has one, else the duration (engine/bpmn/compiler.py)."""
    due = info.get("due") or ""
    if due.startswith("="):  # e.g. a cycle step's date from the annual task table
        name, _, due = due[1:].partition("|")
        value = task.data.get(name)
        if isinstance(value, str) and value:
            return datetime.fromisoformat(value)
    if due:
        delta = TimerEventDefinition.get_timedelta_from_start(TimerEventDefinition.parse_iso_duration(due), now)
        return now + delta
    return None


_NUMBERED = re.compile(r"^(\d{1,2})\s")


def step_of(task, info: dict, meta: dict) -> int | None:
    """The annual-cycle step a task belongs to: its own `zhengai:step`, else that of the call activity
    whose chain it runs in (steps 1, 4, 5). Stored on the task row, so lists never parse names."""
    if info.get("step"):
        return info["step"]
    wf = task.workflow
    while getattr(wf, "parent_task_id", None) is not None:
        call = wf.top_workflow.get_task_from_id(wf.parent_task_id)
        process_id = call.workflow.spec.name
        call_meta = meta if process_id == meta.get("process_id") else meta.get("called_meta", {}).get(process_id, {})
        if "calls" in call_meta:
            step = (call_meta["calls"].get(call.task_spec.bpmn_id) or {}).get("step")
        else:  # a version compiled before steps were declared: its cycle names them "1 确定目标（…）"
            found = _NUMBERED.match(call.task_spec.bpmn_name or "") if call_meta.get("category") == "cycle" else None
            step = int(found.group(1)) if found else None
        if step:
            return step
        wf = call.workflow
    if "calls" not in meta and meta.get("category") == "cycle":
        found = _NUMBERED.match(info.get("name") or "")
        return int(found.group(1)) if found else None
    return None


def _next_timer(wf: BpmnWorkflow) -> datetime | None:
    waiting = [t for t in wf.get_tasks(state=TaskState.WAITING) if t.internal_data.get("event_value")]
    values = []
    for t in waiting:
        try:
            values.append(datetime.fromisoformat(t.internal_data["event_value"]))
        except (TypeError, ValueError):
            continue
    return min(values) if values else None


def wake_instance(session: Session, instance_id: int, now: datetime) -> str:
    """A timer of the instance is due: let the engine fire it and move on (scheduler entry).

    The step runs in a SAVEPOINT: if it fails, only this instance is rolled back and marked `error`
    (engine/instance_admin.py), and the scheduler's tick goes on with everything else.
    """
    instance = session.scalar(
        select(ProcessInstance).options(undefer(ProcessInstance.state_json)).where(ProcessInstance.id == instance_id)
    )
    if instance is None or instance.status != "running":  # suspended, errored or finished: nothing runs
        return "skipped"
    try:
        with savepoint(session):
            fire_due_timers(session, instance, now)
    except StaleDataError:
        raise  # a concurrent step, not a broken instance: the next tick tries again
    except Exception as exc:  # noqa: BLE001 - any failure of the step becomes an incident
        from . import instance_admin

        instance_admin.record_failure(session, instance_id, exc, now)
        return "failed"
    return "sent"


def fire_due_timers(session: Session, instance: ProcessInstance, now: datetime) -> None:
    """Fire the instance's timers due by `now` and run the engine on (a wake, or an administrator's retry)."""
    wf, meta = load_workflow(session, instance)
    # Spiff compares timers with the wall clock; ours is a parameter, so mark what is due by `now` fired.
    for waiting in wf.get_tasks(state=TaskState.WAITING):
        value = waiting.internal_data.get("event_value")
        try:
            at = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            at = None
        if at is not None and at <= now:
            waiting.internal_data["event_fired"] = True
    wf.refresh_timers()
    subject = session.get(Subject, instance.subject_id) if instance.subject_id else None
    _advance(session, instance, wf, meta, subject, None, now)
