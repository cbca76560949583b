"""Deadlines as data: reminders, due moments, escalations and timer wake-ups are rows the scheduler fires.

A human task or an annual-table row with a due date gets its effects when it is created (in the same
transaction); the scheduler's tick (engine/scheduler/tick.py) fires what is due, once. Overdue effects
are planned at the daily digest moment (engine/notify/digests.py). An item planned when it is already
due (an annual table generated late, a year started with past dates) gets nothing but that overdue
notice, with the day's digest (or the next day's, if today's has gone out).

When reminders fire: the task's own `remind` (ISO durations before its due moment, `zhengai:task
remind="P3D,P1D"`, kept on `human_task.remind`) or else the configured reminder days; the escalation delay
and the digest moment are the session's settings (engine/core/settings.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from ..core.settings import Settings
from ..core.settings import of as settings_of
from ..models import HumanTask, ScheduledEffect
from ..notify import digests

STAGE = {"remind": 1, "due": 2, "overdue": 3}
UTC_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # durations are measured from a fixed moment (P1M: 31 days)
_EFFECT = ScheduledEffect.__table__  # written with Core statements: a step plans without an ORM flush
_INSERT = insert(_EFFECT)
_CANCEL = _EFFECT.delete().where(
    _EFFECT.c.object_type == bindparam("object_type"),
    _EFFECT.c.object_id.in_(bindparam("object_ids", expanding=True)),
    _EFFECT.c.fired_at.is_(None),
)


@lru_cache(maxsize=256)  # a handful of distinct lists; planning a year start asks thousands of times
def lead_times(remind: str | None, settings: Settings) -> tuple[tuple[timedelta, dict], ...]:
    """How long before the due moment each reminder fires, longest first, with what it says: the task's own
    `remind` list ("P3D,PT12H") when it has one, else the configured reminder days."""
    if not remind:
        return tuple((timedelta(days=d), {"days": d}) for d in settings.reminder_days)
    leads = set()
    for part in remind.split(","):
        try:
            parsed = TimerEventDefinition.parse_iso_duration(part.strip())
            lead = TimerEventDefinition.get_timedelta_from_start(parsed, UTC_EPOCH)
        except Exception:  # noqa: BLE001 - the compiler admits "=name" forms too: they set no reminder
            continue
        if lead > timedelta(0):
            leads.add(lead)
    day = timedelta(days=1)
    return tuple((lead, {"days": lead.days} if lead % day == timedelta(0) else {"hours": round(lead / (day / 24), 2)})
                 for lead in sorted(leads, reverse=True))  # fmt: skip


def plan(object_type: str, object_id: int, due_at: datetime, now: datetime, settings: Settings,
         remind: str | None = None) -> list[dict]:  # fmt: skip
    """The effect rows of one item: reminders still ahead of us, the due moment, the escalation.

    The escalation waits for the first digest moment after `due_at + settings.escalate_after` (a time that
    depends on the due date only, so planning the same date again finds the effects that fired); an item
    already due gets only that (no burst of "due" notices for what is late on arrival).
    """
    rows = []
    leads = lead_times(remind, settings)
    for i, (lead, params) in enumerate(leads):
        at = due_at - lead
        if at > now:
            rows.append(("remind", i, at, dict(params)))
    if due_at > now:
        rows.append(("due", len(leads), due_at, {}))
    rows.append(("overdue", len(leads) + 1, settings.digest_slot(due_at + settings.escalate_after), {}))
    return [
        {"key": f"{object_type}:{object_id}:{effect}:{stage}", "effect": effect, "stage": stage,
         "object_type": object_type, "object_id": object_id, "fire_at": at, "params": params}
        for effect, stage, at, params in rows
    ]  # fmt: skip


def plan_new(session: Session, object_type: str, items: list[tuple], now: datetime) -> None:
    """Plan the effects of new items (nothing planned yet), [(id, due moment[, remind])], in one INSERT."""
    settings = settings_of(session)
    rows = [r for object_id, due_at, *remind in items if due_at is not None
            for r in plan(object_type, object_id, due_at, now, settings, *remind)]  # fmt: skip
    if rows:
        session.connection().execute(_INSERT, rows)


def schedule(session: Session, object_type: str, object_id: int, due_at: datetime | None, now: datetime,
             remind: str | None = None) -> None:  # fmt: skip
    """Plan an item's effects again for its (new) due date; effects already fired stay as they are."""
    session.execute(
        ScheduledEffect.__table__.delete().where(
            ScheduledEffect.object_type == object_type,
            ScheduledEffect.object_id == object_id,
            ScheduledEffect.fired_at.is_(None),
        )
    )
    if due_at is None:
        return
    fired = set(
        session.scalars(
            select(ScheduledEffect.key).where(
                ScheduledEffect.object_type == object_type, ScheduledEffect.object_id == object_id
            )
        )
    )
    rows = [r for r in plan(object_type, object_id, due_at, now, settings_of(session), remind) if r["key"] not in fired]
    if rows:
        session.execute(insert(ScheduledEffect), rows)


def cancel(session: Session, object_type: str, object_ids: list[int]) -> None:
    """The work is done: drop its pending effects (fired ones stay as the record), in one DELETE."""
    if object_ids:
        session.connection().execute(_CANCEL, {"object_type": object_type, "object_ids": list(object_ids)})


def schedule_wake(session: Session, instance_id: int, at: datetime | None) -> None:
    """One pending wake-up per instance, at its next BPMN timer."""
    conn = session.connection()
    conn.execute(
        _EFFECT.delete().where(
            _EFFECT.c.object_type == "process_instance",
            _EFFECT.c.object_id == instance_id,
            _EFFECT.c.fired_at.is_(None),
        )
    )
    if at is not None:
        conn.execute(
            insert(_EFFECT),
            [{"key": f"process_instance:{instance_id}:wake:{at.isoformat()}", "effect": "wake", "stage": 0,
              "object_type": "process_instance", "object_id": instance_id, "fire_at": at, "params": {}}],
        )  # fmt: skip


def replan_task(session: Session, task_id: int, due_at: datetime | None, now: datetime,
                remind: str | None = None) -> None:  # fmt: skip
    """Plan a task's reminders for its (new) due date again.

    A date moved after its due notice fired gets notices of its own (the keys carry the date), while
    planning the same date again (resume after suspend, a withdrawn submission's reopened task) never
    repeats a notice that already fired.
    """
    cancel(session, "human_task", [task_id])
    if due_at is None:
        return
    fired = set(
        session.execute(
            select(ScheduledEffect.effect, ScheduledEffect.stage, ScheduledEffect.fire_at).where(
                ScheduledEffect.object_type == "human_task",
                ScheduledEffect.object_id == task_id,
                ScheduledEffect.fired_at.is_not(None),
            )
        ).all()
    )
    planned = plan("human_task", task_id, due_at, now, settings_of(session), remind)
    rows = [r for r in planned if (r["effect"], r["stage"], r["fire_at"]) not in fired]
    for row in rows:
        row["key"] = f"{row['key']}@{due_at.isoformat()}"
    if rows:
        session.execute(insert(ScheduledEffect), rows)


def escalate_open_tasks(session: Session, instance_id: int, now: datetime) -> None:
    """A BPMN timer fired (`notify_overdue`): queue an overdue escalation for the instance's open tasks,
    sent with the next digest."""
    ids = session.scalars(
        select(HumanTask.id).where(HumanTask.instance_id == instance_id, HumanTask.state == "open")
    ).all()
    rows = [
        {"key": f"human_task:{tid}:timer:{now.isoformat()}", "effect": "overdue", "stage": 99,
         "object_type": "human_task", "object_id": tid, "fire_at": digests.next_slot(now, settings_of(session)),
         "params": {"source": "bpmn_timer"}}
        for tid in ids
    ]  # fmt: skip
    if rows:
        session.execute(insert(ScheduledEffect), rows)
