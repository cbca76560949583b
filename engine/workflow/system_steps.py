"""A person's step completed by the system, on the same path as a person's completion (`runtime.complete_task`):
the step runs inside `step_of_instance` (a lost race is a Conflict, anything else StepFailed), the task row is
closed by one UPDATE that only matches while it is open, the audit entry and the read-model diff are written with
it, and the instance's optimistic lock decides a race once more. Used when a step's condition is met by the
data rather than by a person, e.g. 收集评分 once every scorer has submitted (engine/assessment/closing.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..core import audit
from ..core.db import holding
from ..core.errors import Conflict
from ..models import HumanTask
from .runtime import RACED, load_instance, ready_step, run_step, step_of_instance


def complete_by_system(
    session: Session, instance_id: int, bpmn_id: str, data: dict, comment: str, actor_id: int | None, now: datetime
) -> HumanTask | None:
    """Complete the instance's open `bpmn_id` task with `data` (its decision under "decision"), recorded as
    done by nobody with `comment`; `actor_id` is who caused it (the audit entry's actor). None when the
    instance does not run or has no such open task."""
    instance = load_instance(session, instance_id)
    if instance is None or instance.status != "running":
        return None
    ht = session.scalar(select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.bpmn_id == bpmn_id,
                                                HumanTask.state == "open"))  # fmt: skip
    if ht is None:
        return None
    decision = data.get("decision")
    with step_of_instance(instance_id), holding(session):
        with audit.collected(session):
            wf, meta, ready = ready_step(session, instance, ht)
            if ready is None:
                return None
            with session.no_autoflush:
                closed = session.execute(
                    update(HumanTask).where(HumanTask.id == ht.id, HumanTask.state == "open")
                    .values(state="completed", completed_at=now, decision=decision, comment=comment)
                    .execution_options(synchronize_session=False)
                ).rowcount  # fmt: skip
                if closed != 1:
                    raise Conflict(RACED)
                for key, value in {"state": "completed", "completed_at": now, "decision": decision,
                                   "comment": comment}.items():  # fmt: skip
                    set_committed_value(ht, key, value)
                audit.record(
                    session, actor_id=actor_id, action="task.complete", object_type="human_task", object_id=ht.id,
                    instance_id=instance.id, now=now, before={"state": "open"},
                    after={"state": "completed", "decision": decision, "task": bpmn_id, "by": "system"}, note=comment,
                )  # fmt: skip
                run_step(session, instance, wf, meta, ready, data, actor_id, now, ht.id)
        session.flush()
    return ht
