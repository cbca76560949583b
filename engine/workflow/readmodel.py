"""The task read model: the `human_task` and `task_candidate` rows that inboxes and lists read.

`new_task` is the one place a task row is made (name, kind, lane, step, due date, title, candidates),
`write_tasks` the one place new rows are written with their candidates, deadlines and arrival notices;
a single step (`sync_tasks`) and the year start's bulk (engine/workflow/bulk.py) both go through them,
so a task looks the same however it came to be.

A step writes its diff of the read model with Core statements on the session's connection, one per
table and kind of change (close the rows of tasks no longer ready, insert the new ones, their
candidates, deadlines and notices): no ORM objects, so no unit of work and no autoflush on the way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from .. import notify, org
from ..models import Document, HumanTask, ProcessInstance, TaskCandidate, User
from . import deadlines

FALLBACK_PRINCIPAL = org.MONITOR  # a lane that resolves to nobody hands its task to 诊改办公室
_NUMBERED = re.compile(r"^(\d{1,2})\s")


def ready_human_tasks(wf: BpmnWorkflow):
    return wf.get_tasks(state=TaskState.READY, manual=True)


def task_meta(task, meta: dict) -> dict:
    """Our metadata of a Spiff task (name, kind, lane, due, step...), from its own or a called process."""
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


def due_of(info: dict, task, now: datetime) -> datetime | None:
    """A task's due moment: an ISO duration from now, "=name" for a date the instance carries, or
    "=name|P14D" for that date when the instance has one, else the duration (engine/workflow/bpmn/compiler.py)."""
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


def next_timer(wf: BpmnWorkflow) -> datetime | None:
    """When the workflow's earliest waiting timer is due (kept on the instance for the scheduler)."""
    waiting = [t for t in wf.get_tasks(state=TaskState.WAITING) if t.internal_data.get("event_value")]
    values = []
    for t in waiting:
        try:
            values.append(datetime.fromisoformat(t.internal_data["event_value"]))
        except (TypeError, ValueError):
            continue
    return min(values) if values else None


# -- who works on a task ----------------------------------------------------------------------------


@dataclass
class People:
    """Who a lane resolves to for one subject: the principals, their label, whether anybody active is
    behind, and who that is (principal -> active user ids: the arrival notices need no second query)."""

    principals: list[str]
    label: str
    staffed: bool
    behind: dict[str, set[int]] = field(default_factory=dict)


def lane_people(
    session: Session, lane: dict | None, subjects: list, data: dict | None = None
) -> dict[int | None, People]:
    """A lane's people for each subject (keyed by subject id; None for an instance without a subject):
    for authors one query for all subjects (who, and whether active), else one for the principals and one for
    the active users behind them. `data`: the task's data, where a `=<name>` lane finds its unit
    (engine/org/assignment.py)."""
    if not lane:
        return {(s.id if s else None): People([], "", False) for s in subjects}
    resolved, behind = org.resolve_people(session, org.Assignment(tuple(lane["roles"]), lane["scope"]), subjects, data)
    return {
        key: People(principals, label, any(behind.get(p) for p in principals),
                    {p: behind.get(p, set()) for p in principals})
        for key, (principals, label) in resolved.items()
    }  # fmt: skip


def people_or_office(session: Session, instance, info: dict, subject, data: dict | None = None) -> People:
    """A task's people; a lane that resolves to nobody hands the task to 诊改办公室 and flags the instance."""
    people = lane_people(session, info.get("assignment"), [subject], data)[subject.id if subject else None]
    if people.staffed:
        return people
    instance.incident = f"任务“{info['name']}”无法确定办理人（{people.label or '未指定泳道'}），已转交诊改办公室处理"
    return People([FALLBACK_PRINCIPAL], people.label, False)


# -- making and writing task rows -------------------------------------------------------------------


@dataclass
class NewTask:
    """A human_task row about to be written, with the principals who may work on it (and, when known,
    the active users behind them and the name of the reviewer whose return made it)."""

    row: dict
    principals: list[str] = field(default_factory=list)
    behind: dict[str, set[int]] = field(default_factory=dict)
    returned_by_name: str | None = None


def new_task(task, info: dict, meta: dict, *, instance_id: int, process_key: str, subject, document_id,
             title: str | None, principals: list[str], label: str, now: datetime,
             behind: dict[str, set[int]] | None = None) -> NewTask:  # fmt: skip
    """The read-model row of a ready Spiff task: the one function that decides what a task row says."""
    process_name = meta.get("name", process_key)
    row = {
        "instance_id": instance_id, "spiff_task_id": str(task.id), "bpmn_id": task.task_spec.bpmn_id,
        "name": info["name"], "kind": info.get("kind", "form"), "lane": info.get("lane"),
        "process_key": process_key, "process_name": process_name, "subject_id": subject.id if subject else None,
        "subject_name": subject.name if subject else None, "document_id": document_id,
        "title": title or process_name, "vertical": info.get("vertical"), "step": step_of(task, info, meta),
        "state": "open", "created_at": now, "due_at": due_of(info, task, now),
        "remind": ",".join(info.get("remind") or ())[:120] or None,
        "candidates_label": label[:200] if label else None, "returned_by_id": None, "return_comment": None,
    }  # fmt: skip
    return NewTask(row, list(dict.fromkeys(principals)), dict(behind or {}))


# The statements of a step's diff, built once (building costs about as much as running them on SQLite).
_TASK, _CANDIDATE = HumanTask.__table__, TaskCandidate.__table__
_INSERT_TASKS = insert(_TASK).returning(_TASK.c.id, sort_by_parameter_order=True)
_INSERT_CANDIDATES = insert(_CANDIDATE)
_OPEN_ROWS = select(_TASK.c.id, _TASK.c.spiff_task_id).where(
    _TASK.c.instance_id == bindparam("instance_id"), _TASK.c.state == "open"
)
_CANCEL_ROWS = (
    update(_TASK)
    .where(_TASK.c.id.in_(bindparam("ids", expanding=True)), _TASK.c.state == "open")
    .values(state="cancelled", completed_at=bindparam("now"))
)


def _complete_statement(claim: bool):
    """Close an open task's row for its completer (only while nobody else holds it); `claim`: it was unclaimed."""
    values = {
        "state": "completed", "completed_at": bindparam("now"), "completed_by_id": bindparam("user_id"),
        "decision": bindparam("decision_"), "comment": bindparam("comment_"), "data": bindparam("data_"),
    }  # fmt: skip
    if claim:
        values.update(claimant_id=bindparam("user_id"), claimed_at=bindparam("now"))
    return (
        update(_TASK)
        .where(_TASK.c.id == bindparam("task_id"), _TASK.c.state == "open",
               _TASK.c.claimant_id.is_(None) | (_TASK.c.claimant_id == bindparam("user_id")))
        .values(values)
    )  # fmt: skip


_COMPLETE = {claim: _complete_statement(claim) for claim in (False, True)}


def write_tasks(session: Session, tasks: list[NewTask], actor_id: int | None, now: datetime) -> list[int]:
    """Insert new task rows with their candidates, plan their deadlines and tell their people (a few
    statements however many tasks: the bulk year start writes 500 subjects' tasks at a time)."""
    if not tasks:
        return []
    conn = session.connection()
    ids = conn.execute(_INSERT_TASKS, [t.row for t in tasks]).scalars().all()
    conn.execute(
        _INSERT_CANDIDATES, [{"task_id": i, "principal": p} for t, i in zip(tasks, ids, strict=True)
                             for p in t.principals]
    )  # fmt: skip
    dues = [(i, t.row["due_at"], t.row["remind"]) for t, i in zip(tasks, ids, strict=True)]
    deadlines.plan_new(session, "human_task", dues, now)
    arrived = [(SimpleNamespace(id=i, returned_by_name=t.returned_by_name, **t.row), t.principals)
               for t, i in zip(tasks, ids, strict=True)]  # fmt: skip
    known = {p: users for t in tasks for p, users in t.behind.items()}
    notify.task_arrived(session, arrived, actor_id, now, known=known)
    return list(ids)


def record_outcome(ht: HumanTask, **outcome) -> None:
    """What a task's kind read from the input (decision, comment, data), kept on the task for `complete_row`
    to write: set as committed, so the task stays clean and the completion needs no unit of work (a failed
    step is rolled back, and its objects expired, by whoever owns the transaction)."""
    for key, value in outcome.items():
        set_committed_value(ht, key, value)


def complete_row(session: Session, ht: HumanTask, user: User, now: datetime) -> bool:
    """Write a completed task's row (state, who, when, the decision and data its kind recorded) with one
    UPDATE that only matches while the row is still open and not claimed by somebody else: False when
    another request completed, withdrew or claimed it first. The ORM object is left clean (the kind set
    its outcome with `record_outcome`)."""
    claim = ht.claimant_id is None
    done = session.connection().execute(
        _COMPLETE[claim],
        {"task_id": ht.id, "user_id": user.id, "now": now, "decision_": ht.decision, "comment_": ht.comment,
         "data_": ht.data},
    ).rowcount  # fmt: skip
    values = {"state": "completed", "completed_at": now, "completed_by_id": user.id}
    if claim:
        values.update(claimant_id=user.id, claimed_at=now)
    for key, value in values.items():
        set_committed_value(ht, key, value)
    return done == 1


def sync_tasks(session: Session, instance: ProcessInstance, wf: BpmnWorkflow, meta: dict, subject, now: datetime,
               actor_id: int | None = None, returned: tuple | None = None,
               closed: tuple[int, ...] = (), open_rows: list | None = None) -> None:  # fmt: skip
    """Close read-model rows of tasks no longer ready, add rows for new ones and tell their people.

    `returned`: (the review task, the reviewer) when this step is a return; the author's new task carries it.
    `closed`: rows the caller closed itself (a completion): their pending reminders go with the others'.
    `open_rows`: the instance's open rows, (id, Spiff task id), when the caller read them already in this
    transaction (none for an instance it just inserted); else they are looked up here.
    """
    conn = session.connection()
    ready = {str(t.id): t for t in ready_human_tasks(wf)}
    if open_rows is None:
        open_rows = conn.execute(_OPEN_ROWS, {"instance_id": instance.id}).all()
    gone = [row_id for row_id, spiff_id in open_rows if spiff_id not in ready]
    if gone:
        conn.execute(_CANCEL_ROWS, {"ids": gone, "now": now})
    deadlines.cancel(session, "human_task", [*closed, *gone])
    existing = {spiff_id for _row_id, spiff_id in open_rows}
    created = []
    for tid, task in ready.items():
        if tid in existing:
            continue
        info = task_meta(task, meta)
        people = people_or_office(session, instance, info, subject, task.data)
        document_id = task.data.get("document_id") or instance.document_id
        created.append(new_task(task, info, meta, instance_id=instance.id, process_key=instance.process_key,
                                subject=subject, document_id=document_id, title=_title(session, document_id),
                                principals=people.principals, label=people.label, now=now,
                                behind=people.behind))  # fmt: skip
    if not created:
        return
    if returned is not None:
        mark_returned(created, *returned)
    write_tasks(session, created, actor_id, now)


def _title(session: Session, document_id: int | None) -> str | None:
    """A document's title: from the session when the step loaded the document already, else one query."""
    if not document_id:
        return None
    doc = session.identity_map.get(session.identity_key(Document, document_id))
    if doc is not None:
        return doc.title
    return session.scalar(select(Document.title).where(Document.id == document_id))


def mark_returned(created: list[NewTask], review: HumanTask, reviewer: User) -> None:
    """The author's task a return creates carries the 退回 mark and the reviewer's comment."""
    for t in created:
        if t.row["kind"] == "edit" and (review.document_id is None or t.row["document_id"] == review.document_id):
            t.row["returned_by_id"], t.row["return_comment"] = reviewer.id, review.comment or ""
            t.returned_by_name = reviewer.display_name


# -- candidates of existing tasks -------------------------------------------------------------------


def candidates_by_task(session: Session, task_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    if task_ids:
        for tid, principal in session.execute(
            select(TaskCandidate.task_id, TaskCandidate.principal)
            .where(TaskCandidate.task_id.in_(task_ids))
            .order_by(TaskCandidate.principal)
        ):
            out.setdefault(tid, []).append(principal)
    return out


def candidates_of(session: Session, task_id: int) -> list[str]:
    return candidates_by_task(session, [task_id]).get(task_id, [])


def set_candidates(session: Session, ht: HumanTask, principals: list[str], label: str) -> None:
    """Replace who may work on an open task; the claim is cleared."""
    session.execute(delete(TaskCandidate).where(TaskCandidate.task_id == ht.id))
    session.execute(insert(TaskCandidate), [{"task_id": ht.id, "principal": p} for p in dict.fromkeys(principals)])
    session.expire(ht, ["candidates"])
    ht.candidates_label = label[:200] if label else None
    ht.claimant_id = None
    ht.claimed_at = None
