"""Steps 2 (制定基本标准) and 3 (研制模板) of the annual cycle at school level (workflows/cycle_school.bpmn).

Starting a school year starts one school process (once per year, `cycle_school`): each lead department of
the basic standards (seed table 10) confirms that it set or revised them, then each template owner its
templates, with the steps' dates, beside the subjects' step 1 and before their step 4. A confirmation says
what was revised, or that nothing needed revising this year and why (`confirm`, a task kind).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.review import validate_confirmation

from .. import workflow
from ..core import audit
from ..models import CycleSchool, ProcessInstance
from ..workflow import kinds, services

SCHOOL_PROCESS = "cycle_school"


def school_instance(session: Session, year: int) -> ProcessInstance | None:
    """The school process of `year`, if the year was started."""
    return session.scalar(
        select(ProcessInstance)
        .join(CycleSchool, CycleSchool.instance_id == ProcessInstance.id)
        .where(CycleSchool.year == year)
    )


def start_school_year(
    session: Session, year: int, dues: dict, actor, now: datetime, run_id: int | None = None
) -> ProcessInstance | None:
    """Start the year's school process unless it runs already; returns the new instance or None."""
    if session.scalar(select(CycleSchool.id).where(CycleSchool.year == year)):
        return None
    data = {"year": year, **{f"due_{k}": v for k, v in dues.items()}}
    instance = workflow.start_instance(session, process_key=SCHOOL_PROCESS, actor=actor, now=now, data=data)
    session.add(CycleSchool(year=year, instance_id=instance.id, run_id=run_id))
    session.flush()
    audit.record(
        session, actor_id=actor.id if actor else None, action="cycle.school_start", object_type="process_instance",
        object_id=instance.id, now=now, instance_id=instance.id, after={"year": year},
    )  # fmt: skip
    return instance


def take_confirmation(session, ht, user, payload: dict, now) -> dict:
    """`confirm`: 已修订 with what was revised, or 本年无需修订 with the reason."""
    return kinds.decided(ht, validate_confirmation, payload)


def register() -> None:
    services.register_task_kind("confirm", "确认修订（已修订 / 本年无需修订）", take_confirmation)
