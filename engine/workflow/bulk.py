"""Start many instances of one process in one go (the annual year start: thousands of subjects).

Each instance runs through the engine as usual (`runtime.new_workflow`, `do_engine_steps`), but instead
of the services' one-by-one writes the caller's `service` answers the service calls (the cycle has made
the documents in bulk already), and instances, task rows, candidates, deadlines, notifications and audit
entries are written a batch at a time with the runtime's own row makers (`readmodel.new_task`,
`readmodel.write_tasks`, `runtime.start_audit`). A start the bulk cannot finish the same way (a lane that
resolves to nobody, a service it was not told how to answer) is handed back for the one-by-one path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from ..core import audit
from ..models import ProcessInstance
from . import binding, deadlines, readmodel, runtime
from .bpmn.scripting import run_engine
from .bpmn.serializer import dump_state


@dataclass(eq=False)
class Start:
    """One instance to start: its subject, its start data, the document and title its tasks show."""

    subject: object
    data: dict
    document_id: int | None = None
    title: str | None = None
    instance_id: int | None = None  # set once started


class Unsupported(Exception):
    """This start cannot be written in bulk; it goes the one-by-one way."""


def start_many(
    session: Session, process_key: str, starts: list[Start], now: datetime,
    service: Callable[[str, dict, dict, Start], dict],
) -> list[Start]:  # fmt: skip
    """Start what can be started in bulk (setting `instance_id`); return the starts left over."""
    version = runtime.latest_version(session, process_key)
    bindings = binding.bind(session, version)  # once for the batch: every start runs the same versions
    spec, subs, meta = binding.bundle(session, version, bindings)
    done, rest = [], []
    for start in starts:
        wf = runtime.new_workflow(spec, subs, start.data)
        env = wf.script_engine.environment
        env.handler = lambda op, params, data, start=start: service(op, params, data, start)
        try:
            run_engine(wf)
        except Exception:
            if not isinstance(env.failure, Unsupported):
                raise
            rest.append(start)
            continue
        finally:
            env.handler = None
        done.append((start, wf))
    tasks = _first_tasks(session, process_key, meta, done, now)
    started = [(start, wf) for start, wf in done if start in tasks]
    rest += [start for start, _ in done if start not in tasks]
    if not started:
        return rest
    states = [{"version_id": version.id, "bindings": bindings, "process_key": process_key,
               "subject_id": start.subject.id, "status": "running", "state_json": dump_state(wf), "lock_version": 1,
               "started_at": now, "next_timer_at": readmodel.next_timer(wf)} for start, wf in started]  # fmt: skip
    ids = session.scalars(
        insert(ProcessInstance).returning(ProcessInstance.id, sort_by_parameter_order=True), states
    ).all()
    rows, entries = [], []
    for (start, _wf), instance_id, state in zip(started, ids, states, strict=True):
        start.instance_id = instance_id
        for t in tasks[start]:
            t.row["instance_id"] = instance_id
            rows.append(t)
        entries.append(runtime.start_audit(instance_id, process_key, version, start.subject.id, None, now))
        if state["next_timer_at"] is not None:
            deadlines.schedule_wake(session, instance_id, state["next_timer_at"])
    readmodel.write_tasks(session, rows, None, now)
    audit.record_rows(session, entries)
    return rest


def _lane_key(info: dict):
    lane = info.get("assignment")
    return (tuple(lane["roles"]), lane["scope"]) if lane else None


def _first_tasks(session: Session, process_key: str, meta: dict, done: list, now: datetime) -> dict:
    """{start: its new task rows} for the starts whose every ready task has people behind it."""
    by_lane: dict = {}
    ready = {}
    for start, wf in done:
        ready[start] = [(task, readmodel.task_meta(task, meta)) for task in readmodel.ready_human_tasks(wf)]
        for _task, info in ready[start]:
            by_lane.setdefault(_lane_key(info), []).append((start, info))
    people = {}
    for key, items in by_lane.items():
        subjects = list({id(s.subject): s.subject for s, _ in items}.values())
        people[key] = readmodel.lane_people(session, items[0][1].get("assignment"), subjects)
    out = {}
    for start, found in ready.items():
        made = []
        for task, info in found:
            who = people[_lane_key(info)][start.subject.id]
            if not who.staffed:
                break
            made.append(readmodel.new_task(
                task, info, meta, instance_id=0, process_key=process_key, subject=start.subject,
                document_id=task.data.get("document_id") or start.document_id, title=start.title,
                principals=who.principals, label=who.label, now=now, behind=who.behind,
            ))  # fmt: skip
        else:
            if made:
                out[start] = made
    return out
