"""Run workflows: start instances, complete, claim and unclaim tasks, wake timers, retry a failed step.

Every function works inside the caller's transaction and never commits. Workflow state, the task read
model, documents and the audit log change together in that transaction, or not at all. A step the engine
cannot run raises `StepFailed` (the caller undoes it and records the incident, engine/workflow/incidents.py);
a step that lost a race with another raises `Conflict`.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from functools import cache
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import String, bindparam, case, cast, false, func, literal_column, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, configure_mappers, defaultload, joinedload, lazyload, undefer
from sqlalchemy.orm.exc import StaleDataError

from .. import org
from ..core import audit
from ..core.db import autoflush, holding, write_row
from ..core.errors import N_, Conflict, DomainError, StepFailed
from ..models import Document, HumanTask, ProcessInstance, ProcessVersion, Subject, User
from . import binding, deadlines, incidents, readmodel, replay, services, tasks
from .bpmn.compaction import compact
from .bpmn.scripting import SafeScriptEngine, run_engine
from .bpmn.serializer import dump_state, load_state
from .deploy import latest_version
from .tasks import BLOCKED


def new_workflow(spec, subs, data: dict | None = None) -> BpmnWorkflow:
    """A fresh workflow of a version's spec with our script engine, its start event given `data`."""
    wf = BpmnWorkflow(spec, subs, script_engine=SafeScriptEngine())
    wf.get_tasks(state=TaskState.READY)[0].set_data(**(data or {}))
    return wf


def start_audit(instance_id: int, process_key: str, version: ProcessVersion, subject_id, actor_id, now) -> dict:
    """The audit row of a started instance (written one by one, or in bulk by engine/workflow/bulk.py)."""
    return audit.row(
        actor_id=actor_id, action="instance.start", object_type="process_instance", object_id=instance_id,
        instance_id=instance_id, now=now, after={"process": process_key, "version": version.version,
                                                 "subject_id": subject_id},
    )  # fmt: skip


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
    bindings = binding.bind(session, version)  # called processes: their latest versions, kept for good
    spec, subs, meta = binding.bundle(session, version, bindings)
    wf = new_workflow(spec, subs, data)
    instance = ProcessInstance(
        version_id=version.id,
        bindings=bindings,
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
    audit.record_rows(session, [start_audit(instance.id, process_key, version, instance.subject_id,
                                            instance.started_by_id, now)])  # fmt: skip
    with step_of_instance(instance.id):
        advance(session, instance, wf, meta, subject, instance.started_by_id, now, open_rows=[])  # it has none yet
    return instance


def load_workflow(session: Session, instance: ProcessInstance) -> tuple[BpmnWorkflow, dict]:
    spec, subs, meta = binding.instance_bundle(session, instance)
    wf = load_state(instance.state_json, spec, subs)
    wf.script_engine = SafeScriptEngine()  # deserializing gives a default (unsafe) engine: replace it
    return wf, meta


@cache
def _load_instance_stmt():
    """Built once (on first use: the mappers must be configured), then only executed."""
    configure_mappers()
    return (
        select(ProcessInstance)
        .options(undefer(ProcessInstance.state_json), joinedload(ProcessInstance.subject))
        .where(ProcessInstance.id == bindparam("instance_id"))
    )


def load_instance(session: Session, instance_id: int) -> ProcessInstance | None:
    """An instance with its stored state and its subject loaded (the state is deferred everywhere else)."""
    return session.scalar(_load_instance_stmt(), {"instance_id": instance_id})


@cache
def _load_for_step_stmts() -> tuple[dict, dict]:
    """A completion's one read, by whether the user is a monitor (engine/workflow/tasks.py
    `visible_statements`): the task if the user may see it and whether it is offered to them, its instance
    with the stored state and the subject, the instance's open task rows ("id:Spiff task id", comma
    separated), the document its kind works on (a review publishes or returns its instance's document, an
    edit submits its own: `TaskKind.document`) and the columns its kind reads (`TaskKind.read`, e.g. a
    submission's template and team); and where each kind's columns are in the row."""
    configure_mappers()
    t = HumanTask.__table__.alias("open_task")  # not the loaded task's row (the outer query's human_task)
    row = cast(t.c.id, String) + literal_column("':'") + t.c.spiff_task_id
    open_rows = select(func.aggregate_strings(row, literal_column("','"))).where(
        t.c.instance_id == ProcessInstance.id, t.c.state == "open"
    )
    kinds = services.kinds_with_reads()
    owner = {"instance": ProcessInstance.document_id, "task": HumanTask.document_id}
    which = [(HumanTask.kind == k.name, owner[k.document]) for k in kinds if k.document]
    reads, at = [], {}
    for k in kinds:
        columns = k.read() if k.read else ()
        at[k.name] = slice(len(reads), len(reads) + len(columns))
        reads += [case((HumanTask.kind == k.name, c)) for c in columns]  # only asked for a task of that kind
    statements = {
        monitor: stmt.add_columns(ProcessInstance, open_rows.scalar_subquery(), Document, *reads)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .outerjoin(Document, Document.id == case(*which) if which else false())
        .options(
            undefer(ProcessInstance.state_json),
            joinedload(ProcessInstance.subject),
            # not read by a step (a document's subject is the instance's, found in the session if asked for)
            lazyload(Document.subject),
            defaultload(ProcessInstance.version).lazyload(ProcessVersion.definition),
        )
        for monitor, stmt in tasks.visible_statements().items()
    }
    return statements, at


def load_for_step(session: Session, user: User, task_id, principals: list[str] | None):
    """The task the user may work on now (else NotFound or why not, as `tasks.actionable_task`), its instance
    as `load_instance` gives it, the instance's open task rows (id, Spiff task id), the document its kind
    works on (kept in the identity map while the caller holds it) and what its kind reads: one statement."""
    if principals is None:
        principals = org.principals_of(session, user.id)
    statements, at = _load_for_step_stmts()
    ht, offered, own_review, instance, text, document, *reads = tasks.visible_row(session, statements, user, task_id,
                                                                                  principals)  # fmt: skip
    tasks.check_actionable(session, ht, user, principals, bool(offered), bool(own_review))
    rows = [item.split(":", 1) for item in text.split(",")] if text else []
    read = tuple(reads[at[ht.kind]]) if ht.kind in at else ()
    return ht, instance, [(int(row_id), spiff_id) for row_id, spiff_id in rows], document, read


RACED = N_("该任务已被他人处理，请刷新页面")


@contextmanager
def step_of_instance(instance_id: int, raced: str = RACED):
    """Run an engine step: a lost optimistic-lock race is a Conflict (`raced`), anything else that breaks
    StepFailed."""
    try:
        yield
    except (StaleDataError, IntegrityError):
        raise Conflict(raced) from None
    except DomainError:
        raise
    except Exception as exc:  # the engine or a service broke: undo, and let the caller flag the instance
        raise StepFailed(instance_id, exc) from exc


def complete_task(
    session: Session, user: User, task_id: int, payload: dict, now: datetime, principals: list[str] | None = None
) -> HumanTask:
    """Complete a human task with raw input; its kind (engine/workflow/services.py) reads the input first.

    The hot path of the product, so it is written for speed (README, Performance): one query loads the task
    with the permission check, its instance with the stored state, the document its kind works on and what
    the kind reads (`load_for_step`); the kind reads the input (and writes what it owns, e.g. the document);
    then, with autoflush off, the engine runs, and the read-model diff, deadlines, notices, the instance
    and the audit entries are written with a few Core statements (no ORM unit of work).
    A race is decided twice: the task row is closed only while it is still open and unclaimed by
    others, and the instance's UPDATE only matches the version that was loaded.
    """
    # a review changes its document (publishes or returns it), an edit submits it: it comes with the task, held
    ht, instance, open_rows, _document, read = load_for_step(session, user, task_id, principals)
    kind = services.kind_of(ht.kind)
    with step_of_instance(ht.instance_id), holding(session):
        with audit.collected(session):
            if instance.status != "running":
                message = BLOCKED.get(instance.status, N_("流程实例当前状态为“%(status)s”，不能办理任务"))
                raise Conflict(message, status=instance.status)
            wf, meta, ready = ready_step(session, instance, ht)
            if ready is None:
                raise Conflict(N_("该任务已不在待办状态，请刷新页面"))

            before = {"state": ht.state, "claimant_id": ht.claimant_id}
            with session.no_autoflush:
                if kind.read:
                    data = kind.take_input(session, ht, user, payload, now, read=read)
                else:
                    data = kind.take_input(session, ht, user, payload, now)
                if not readmodel.complete_row(session, ht, user, now):
                    raise Conflict(RACED)
                audit.record(
                    session, actor_id=user.id, action="task.complete", object_type="human_task", object_id=ht.id,
                    instance_id=instance.id, now=now, before=before,
                    after={"state": "completed", "decision": ht.decision, "task": ht.bpmn_id}, note=ht.comment,
                )  # fmt: skip
                returned = (ht, user) if ht.decision == "return" else None
                still_open = [r for r in open_rows if r[0] != ht.id]  # complete_row closed it
                run_step(session, instance, wf, meta, ready, data, user.id, now, ht.id, returned, still_open)
        session.flush()  # the document, the instance (its optimistic lock): with the audit entries' INSERT
    return ht


def ready_step(session: Session, instance: ProcessInstance, ht: HumanTask):
    """The instance's workflow and meta, and the row's Spiff task when it is a person's step ready to run (else
    None): the start of every completion, by a person (`complete_task`) or by the system (system_steps.py)."""
    wf, meta = load_workflow(session, instance)
    ready = spiff_task(wf, ht.spiff_task_id)
    if ready is None or ready.state != TaskState.READY or not ready.task_spec.manual:
        ready = None
    return wf, meta, ready


def run_step(session, instance, wf, meta, ready, data: dict, actor_id, now, row_id: int, returned=None,
             open_rows=None) -> None:  # fmt: skip
    """Run the ready step with `data` and the instance on to its next wait state; the caller has closed the
    step's row `row_id` and recorded it (the rest of every completion)."""
    ready.set_data(**data)
    ready.run()
    subject = session.get(Subject, instance.subject_id) if instance.subject_id else None
    advance(session, instance, wf, meta, subject, actor_id, now, returned=returned, closed=(row_id,),
            open_rows=open_rows)  # fmt: skip


def spiff_task(wf: BpmnWorkflow, spiff_task_id: str):
    """The workflow's task of a read-model row, or None."""
    try:
        return wf.get_task_from_id(UUID(spiff_task_id))
    except Exception:  # noqa: BLE001 - Spiff raises its own TaskNotFoundException
        return None


def claim_task(session: Session, user: User, task_id: int, now: datetime) -> HumanTask:
    ht = tasks.actionable_task(session, user, task_id)
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
        if ht.state != "open":  # e.g. the author withdrew the submission a moment ago (engine/documents/withdrawal.py)
            raise Conflict(N_("该任务已不在待办状态，请刷新页面"))
        raise Conflict(N_("该任务已被他人签收"))
    session.refresh(ht)
    audit.record(
        session, actor_id=user.id, action="task.claim", object_type="human_task", object_id=ht.id,
        instance_id=ht.instance_id, now=now, before={"claimant_id": None}, after={"claimant_id": user.id},
    )  # fmt: skip
    return ht


def unclaim_task(session: Session, user: User, task_id: int, now: datetime) -> HumanTask:
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


def advance(
    session: Session, instance: ProcessInstance, wf: BpmnWorkflow, meta: dict, subject, actor_id, now, returned=None,
    closed: tuple[int, ...] = (), open_rows: list | None = None,
) -> None:  # fmt: skip
    """Run the engine to the next wait state (services act in this transaction), sync tasks, store state.

    `returned`: (the review task, the reviewer) when this step is a return; the author's new task carries it.
    `closed`: task rows the caller closed (a completion), whose pending reminders are dropped with the others'.
    `open_rows`: the instance's open task rows when the caller read them in this transaction (readmodel.py).
    Services run with the session's own autoflush, whatever the caller's: they are other packages' code.
    """
    step = services.Step(session, instance, subject, actor_id, now)
    env = wf.script_engine.environment

    def call(op, params, data):
        with autoflush(session, True):
            return services.call(step, op, params, data)

    env.handler = call
    env.failure = None
    env.now = now
    try:
        run_engine(wf)
        kept = replay.replay(wf)  # a process called with a replay plan moves on to where it stood
    except Exception:
        if env.failure is not None:
            raise env.failure from None
        raise
    finally:
        env.handler = None
        env.now = None
    readmodel.sync_tasks(session, instance, wf, meta, subject, now, actor_id=actor_id, returned=returned,
                         closed=closed, open_rows=open_rows)  # fmt: skip
    if kept:
        replay.keep_claims(session, instance, kept, now)
    values = state_values(session, instance, wf)
    if wf.is_completed() and instance.status == "running":
        values.update(status="completed", ended_at=now)
        audit.record(
            session, actor_id=actor_id, action="instance.complete", object_type="process_instance",
            object_id=instance.id, instance_id=instance.id, now=now, after={"status": "completed"},
        )  # fmt: skip
    write_row(session, instance, values)  # with the optimistic lock: a lost race is StaleDataError


def state_values(session: Session, instance: ProcessInstance, wf: BpmnWorkflow) -> dict:
    """The instance's columns that keep the workflow's state, without the history Spiff never reads again,
    and its next timer (the scheduler's wake-up is planned here when it moved)."""
    compact(wf)
    values = {"state_json": dump_state(wf)}
    next_timer = readmodel.next_timer(wf)
    if next_timer != instance.next_timer_at:
        deadlines.schedule_wake(session, instance.id, next_timer)
        values["next_timer_at"] = next_timer
    return values


def wake_instance(session: Session, instance_id: int, now: datetime) -> str:
    """A timer of the instance is due: let the engine fire it and move on (the scheduler's entry).

    "skipped" when the instance does not run (suspended, errored, finished); a failure is StepFailed
    and a lost race StaleDataError (engine/scheduler/tick.py undoes the wake and decides what follows).
    """
    instance = load_instance(session, instance_id)
    if instance is None or instance.status != "running":
        return "skipped"
    try:
        fire_due_timers(session, instance, now)
        session.flush()
    except StaleDataError:
        raise  # a concurrent step, not a broken instance: the next tick tries again
    except Exception as exc:  # noqa: BLE001 - any failure of the step becomes an incident
        raise StepFailed(instance_id, exc) from exc
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
    env = wf.script_engine.environment
    env.now = now  # a date timer not due by `now` must not fire because the wall clock is later
    try:
        wf.refresh_timers()
    finally:
        env.now = None
    subject = session.get(Subject, instance.subject_id) if instance.subject_id else None
    advance(session, instance, wf, meta, subject, None, now)


def retry_instance(session: Session, instance: ProcessInstance, now: datetime) -> dict:
    """Run an errored instance's failed step again and resolve stuck tasks' people against today's
    organisation; all or nothing. A step that fails again is StepFailed (409, with the detail); a stuck
    task that still resolves to nobody is a Conflict naming it."""
    if instance.status not in ("running", "error"):
        raise Conflict(N_("该流程当前不能重试"))
    rerun = instance.status == "error"
    if rerun:
        instance.status = "running"
        instance.incident = None
        try:
            fire_due_timers(session, instance, now)
            session.flush()
        except StaleDataError:
            raise
        except Exception as exc:  # noqa: BLE001 - reported to the administrator, the request rolls back
            raise StepFailed(instance.id, exc, N_("重试失败，流程仍然出错：%(detail)s"), status=409,
                             detail=f"{type(exc).__name__}: {exc}") from exc  # fmt: skip
    stuck = incidents.stuck_task_ids(session, instance.id)
    if not rerun and not stuck:
        raise Conflict(N_("该流程没有需要重试的问题"))
    resolved = _resolve_again(session, instance, stuck) if stuck else []
    incidents.settle_incident(session, instance)
    return {"rerun": rerun, "reassigned": resolved}


def _resolve_again(session: Session, instance: ProcessInstance, task_ids: list[int]) -> list[dict]:
    """Resolve the lanes of stuck tasks against today's organisation; Conflict if any still has nobody."""
    wf, meta = load_workflow(session, instance)
    subject = session.get(Subject, instance.subject_id) if instance.subject_id else None
    done, missing = [], []
    for ht in session.scalars(select(HumanTask).where(HumanTask.id.in_(task_ids)).order_by(HumanTask.id)):
        task = spiff_task(wf, ht.spiff_task_id)
        lane = readmodel.task_meta(task, meta).get("assignment") if task is not None else None
        people = readmodel.lane_people(session, lane, [subject], task.data)[subject.id if subject else None]
        if not people.staffed:
            missing.append(f"“{ht.name}”（{people.label or ht.candidates_label or '未指定泳道'}）")
            continue
        before = readmodel.candidates_of(session, ht.id)
        readmodel.set_candidates(session, ht, people.principals, people.label)
        done.append({"task": ht.id, "before": before, "after": list(dict.fromkeys(people.principals))})
    if missing:
        raise Conflict(
            N_("仍无法确定办理人：%(tasks)s。请先在组织机构中为相应角色配置在职人员，或将任务转办"),
            tasks="、".join(missing),
        )
    return done
