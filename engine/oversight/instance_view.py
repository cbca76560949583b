"""One process instance as its diagram shows it: the path taken, where it waits now, and every step's history.

This is the one page that opens a workflow (a single instance, read only) to read Spiff's task states;
lists and figures never do. Elements of a called process (a cycle's approval chain) are shown on the
call activity that runs them.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from SpiffWorkflow.util.task import TaskState as SpiffTaskState
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from ..core.errors import N_, NotFound, object_id
from ..models import Document, HumanTask, ProcessInstance, ProcessVersion, Subject, TaskState, User
from ..org import policy
from ..workflow import runtime
from ..workflow.bpmn.compaction import REACHED, previous_element, trail_of
from ..workflow.bpmn.compiler import NSMAP, parse_xml
from ..workflow.tasks import admin_events

_FLOWS: dict[int, dict[tuple[str, str], list[str]]] = {}  # version id -> (source, target) -> flow ids
_CLAIMANT, _WHO = aliased(User), aliased(User)  # made once: a new alias per call is a new statement each time


def get_instance(session: Session, user: User, principals: list[str], instance_id) -> ProcessInstance:
    """An instance the user may look at (engine/org/policy/ `instance_visible`: monitors, who started it,
    heads of the subject's department, the process owners, participants), or NotFound whether or not it
    exists."""
    instance_id = object_id(instance_id, N_("流程实例不存在"))
    stmt = select(ProcessInstance).where(ProcessInstance.id == instance_id)
    if (visible := policy.instance_visible(policy.viewer(user, principals))) is not None:
        stmt = stmt.where(visible)
    instance = session.scalar(stmt)
    if instance is None:
        raise NotFound(N_("流程实例不存在"))
    return instance


def diagram_xml(session: Session, instance: ProcessInstance) -> str:
    return session.scalar(select(ProcessVersion.bpmn_xml).where(ProcessVersion.id == instance.version_id))


def _flows(session: Session, version_id: int) -> dict[tuple[str, str], list[str]]:
    """Sequence flows of a version's process by (source, target); versions never change, so cached."""
    if version_id not in _FLOWS:
        root = parse_xml(session.scalar(select(ProcessVersion.bpmn_xml).where(ProcessVersion.id == version_id)))
        flows: dict[tuple[str, str], list[str]] = {}
        for flow in root.iterfind("bpmn:process/bpmn:sequenceFlow", NSMAP):
            flows.setdefault((flow.get("sourceRef"), flow.get("targetRef")), []).append(flow.get("id"))
        if len(_FLOWS) > 256:
            _FLOWS.clear()
        _FLOWS[version_id] = flows
    return _FLOWS[version_id]


def _top_level(wf, task):
    """The task of the top-level process that runs `task` (itself, or the call activity around it)."""
    while task.workflow is not wf:
        task = wf.get_task_from_id(task.workflow.parent_task_id)
    return task


def _due(value) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _token(current: dict[str, dict], task) -> dict:
    """The entry of the element holding a token (one per element, however many tasks wait there)."""
    spec = task.task_spec
    empty = {"id": spec.bpmn_id, "name": spec.bpmn_name or spec.bpmn_id, "tasks": [], "open": 0, "overdue": 0}
    return current.setdefault(spec.bpmn_id, {**empty, "due_at": None})


def diagram_state(session: Session, instance: ProcessInstance, now: datetime) -> dict:
    """What to highlight: completed elements (how often), taken flows, current tokens, waiting timers.

    `current` has one entry per top-level element holding a token: its open human tasks (from the read
    model: names, overdue count, earliest due) or the waiting call activity / gateway. The stored state
    keeps only the history Spiff still needs; the path of what it dropped is its trail
    (engine/workflow/bpmn/compaction.py), added here to what is still there.
    """
    wf, _ = runtime.load_workflow(session, instance)  # state_json is deferred: loaded here, for this page only
    flows = _flows(session, instance.version_id)
    trail = trail_of(wf)
    completed: Counter[str] = Counter(trail.completed)
    taken: set[str] = {flow for pair in trail.flows for flow in flows.get(pair, ())}
    current: dict[str, dict] = {}
    timers: list[dict] = []
    for task in wf.get_tasks():
        if task.state not in REACHED or task.workflow is not wf or not task.task_spec.bpmn_id:
            continue
        bpmn_id = task.task_spec.bpmn_id
        previous = previous_element(task)
        if previous is not None:
            taken.update(flows.get((previous.task_spec.bpmn_id, bpmn_id), ()))
        if task.state == SpiffTaskState.COMPLETED:
            completed[bpmn_id] += 1
        elif task.state == SpiffTaskState.WAITING and task.internal_data.get("event_value"):
            due_at = _due(task.internal_data["event_value"])
            timers.append({"id": bpmn_id, "name": task.task_spec.bpmn_name or "", "due_at": due_at})
        else:
            _token(current, task)

    claimant = _CLAIMANT
    open_rows = session.execute(
        select(
            HumanTask.id,
            HumanTask.spiff_task_id,
            HumanTask.name,
            HumanTask.due_at,
            HumanTask.candidates_label,
            claimant.display_name,
        )  # fmt: skip
        .outerjoin(claimant, claimant.id == HumanTask.claimant_id)
        .where(HumanTask.instance_id == instance.id, HumanTask.state == TaskState.OPEN)
        .order_by(HumanTask.id)
    ).all()
    for task_id, spiff_id, name, due_at, candidates, claimed_by in open_rows:
        task = runtime.spiff_task(wf, spiff_id)
        if task is None:
            continue
        entry = _token(current, _top_level(wf, task))
        late = due_at is not None and due_at < now
        entry["tasks"].append({"id": task_id, "name": name, "who": claimed_by or candidates or "", "due_at": due_at,
                               "overdue": late})  # fmt: skip
        entry["open"] += 1
        entry["overdue"] += int(late)
        if due_at is not None and (entry["due_at"] is None or due_at < entry["due_at"]):
            entry["due_at"] = due_at
    for timer in timers:
        timer["overdue"] = timer["due_at"] is not None and timer["due_at"] < now
    return {
        "status": instance.status,
        "completed": dict(completed),
        "flows": sorted(taken),
        "current": list(current.values()),
        "timers": timers,
        "overdue": [c["id"] for c in current.values() if c["overdue"]],
    }


def history(session: Session, user: User, principals: list[str], instance_id: int, now: datetime) -> list[dict]:
    """Every human task of the instance, oldest first: who, when, decision, comment.

    The comment, the task's form data and the document link are left out of rows whose document the
    user may not read (engine/documents/sharing.py): seeing the process is not reading the document.
    """
    who, claimant = _WHO, _CLAIMANT
    rows = session.execute(
        select(HumanTask, who.display_name, claimant.display_name)
        .outerjoin(who, who.id == HumanTask.completed_by_id)
        .outerjoin(claimant, claimant.id == HumanTask.claimant_id)
        .where(HumanTask.instance_id == instance_id)
        .order_by(HumanTask.created_at, HumanTask.id)
    ).all()
    doc_ids = {t.document_id for t, _, _ in rows if t.document_id}
    readable = set()
    if doc_ids:
        stmt = select(Document.id).join(Subject, Subject.id == Document.subject_id).where(Document.id.in_(doc_ids))
        if (visible := policy.document_visible(policy.viewer(user, principals))) is not None:
            stmt = stmt.where(visible)
        readable = set(session.scalars(stmt))
    events = admin_events(session, instance_id)
    out = []
    for t, completed_by, claimed_by in rows:
        allowed = t.document_id is None or t.document_id in readable
        out.append({
            "id": t.id, "bpmn_id": t.bpmn_id, "name": t.name, "kind": t.kind, "state": t.state,
            "created_at": t.created_at, "due_at": t.due_at, "completed_at": t.completed_at,
            "overdue": t.state == TaskState.OPEN and t.due_at is not None and t.due_at < now,
            "who": completed_by if t.state == TaskState.COMPLETED else (claimed_by or t.candidates_label or ""),
            "decision": t.decision, "restricted": not allowed,
            "comment": t.comment if allowed else None,
            "data": t.data if allowed else None,
            "document_id": t.document_id if allowed else None,
            "events": events.get(t.id, []),
        })  # fmt: skip
    return out
