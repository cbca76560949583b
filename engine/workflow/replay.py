"""Fast-forward a just-called process through decisions recorded elsewhere, before anybody sees it.

A service that prepares a call activity may leave a replay plan in the task data under `takeover`
(engine/cycle/takeover.py makes one when the annual cycle takes over a chain its authors started on
their own): the decisions to replay ({bpmn_id, decision, comment}, in order) and the task to land on with
its claim and due date. Right after the engine steps, before any task row is written, `replay` runs the
called process along the plan, so the replayed tasks never reach an inbox; `keep_claims` then gives the
landed task its claim and due date back.
"""

from __future__ import annotations

from datetime import datetime

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import HumanTask, ProcessInstance, TaskState
from . import deadlines
from .bpmn.scripting import run_engine
from .readmodel import ready_human_tasks

PLAN_KEY = "takeover"


def replay(wf: BpmnWorkflow) -> dict[str, dict]:
    """Move every ready task carrying a plan along it; {spiff task id: claim and due date} of where it landed."""
    kept: dict[str, dict] = {}
    while True:
        task = next((t for t in ready_human_tasks(wf) if t.data.get(PLAN_KEY)), None)
        if task is None:
            return kept
        plan, sub = task.data[PLAN_KEY], task.workflow
        task.data[PLAN_KEY] = None  # the rest of the process must not replay again
        for step in plan.get("replay") or []:
            if task is None or task.task_spec.bpmn_id != step["bpmn_id"]:
                break  # the process's version differs from the recorded one: continue where it stands
            task.set_data(decision=step["decision"], comment=step["comment"])
            task.run()
            run_engine(wf)
            task = next((t for t in ready_human_tasks(wf) if t.workflow is sub), None)
        land = plan.get("land")
        if task is not None and land and task.task_spec.bpmn_id == land["bpmn_id"]:
            kept[str(task.id)] = land


def keep_claims(session: Session, instance: ProcessInstance, kept: dict[str, dict], now: datetime) -> None:
    """The task a replay landed on keeps the claim and the due date it had where the decisions were made."""
    rows = session.scalars(
        select(HumanTask).where(
            HumanTask.instance_id == instance.id,
            HumanTask.spiff_task_id.in_(list(kept)),
            HumanTask.state == TaskState.OPEN,
        )
    ).all()
    for ht in rows:
        land = kept[ht.spiff_task_id]
        if land.get("claimant_id"):
            ht.claimant_id = land["claimant_id"]
            ht.claimed_at = datetime.fromisoformat(land["claimed_at"]) if land.get("claimed_at") else now
        if land.get("due_at"):
            ht.due_at = datetime.fromisoformat(land["due_at"])
            deadlines.schedule(session, "human_task", ht.id, ht.due_at, now, ht.remind)
