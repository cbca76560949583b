"""Deadlines as data: reminders, due moments and escalations are rows fired once by the scheduler.

A human task or an annual-table row with a due date gets its effects when it is created (in the same
transaction). `tick` fires what is due: in one transaction it writes the notifications and marks the
effects fired, so nothing fires twice and nothing is lost. After downtime only the latest stage of an
item fires (one overdue notice, not the reminders that were missed on the way).

Overdue effects fire at the daily digest moment (engine/digests.py): the assignee of a task gets their
own overdue notice, while the escalation to department heads and to 诊改办公室 is one digest per
department and one summary per monitor a day. An item planned when it is already due (an annual table
generated late, a year started with past dates) announces nothing but that overdue notice, with the
day's digest (or the next day's, if today's has gone out).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from . import assignment, digests, notifications
from .models import (
    AnnualTask,
    HumanTask,
    ProcessInstance,
    ScheduledEffect,
    SchedulerLease,
    Subject,
    TaskCandidate,
)

REMINDER_DAYS = (7, 1)
ESCALATE_AFTER = timedelta(days=1)
STAGE = {"remind": 1, "due": 2, "overdue": 3}


def configure(reminder_days=None, escalate_after_hours=None, digest_hour=None) -> None:
    """Set the reminder lead times (days before the due moment), the escalation delay, the digest hour."""
    global REMINDER_DAYS, ESCALATE_AFTER
    if reminder_days:
        REMINDER_DAYS = tuple(sorted({int(d) for d in reminder_days if int(d) > 0}, reverse=True))
    if escalate_after_hours is not None:
        ESCALATE_AFTER = timedelta(hours=float(escalate_after_hours))
    digests.configure(digest_hour)


def plan(object_type: str, object_id: int, due_at: datetime, now: datetime) -> list[dict]:
    """The effect rows of one item: reminders still ahead of us, the due moment, the escalation.

    The escalation waits for the first digest moment after `due_at + ESCALATE_AFTER` (a time that depends
    on the due date only, so planning the same date again finds the effects that fired); an item already
    due gets only that (no burst of "due" notices for what is late on arrival).
    """
    rows = []
    for i, days in enumerate(REMINDER_DAYS):
        at = due_at - timedelta(days=days)
        if at > now:
            rows.append(("remind", i, at, {"days": days}))
    if due_at > now:
        rows.append(("due", len(REMINDER_DAYS), due_at, {}))
    rows.append(("overdue", len(REMINDER_DAYS) + 1, digests.next_slot(due_at + ESCALATE_AFTER), {}))
    return [
        {"key": f"{object_type}:{object_id}:{effect}:{stage}", "effect": effect, "stage": stage,
         "object_type": object_type, "object_id": object_id, "fire_at": at, "params": params}
        for effect, stage, at, params in rows
    ]  # fmt: skip


def schedule(
    session: Session, object_type: str, object_id: int, due_at: datetime | None, now: datetime, fresh: bool = False
) -> None:
    """(Re)plan an item's effects; effects already fired stay as they are. `fresh`: a new item, nothing planned."""
    if fresh:
        if due_at is not None:
            session.execute(insert(ScheduledEffect), plan(object_type, object_id, due_at, now))
        return
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
    rows = [r for r in plan(object_type, object_id, due_at, now) if r["key"] not in fired]
    if rows:
        session.execute(insert(ScheduledEffect), rows)


def cancel(session: Session, object_type: str, object_ids: list[int]) -> None:
    """The work is done: drop its pending effects (fired ones stay as the record)."""
    if object_ids:
        session.execute(
            ScheduledEffect.__table__.delete().where(
                ScheduledEffect.object_type == object_type,
                ScheduledEffect.object_id.in_(object_ids),
                ScheduledEffect.fired_at.is_(None),
            )
        )


def schedule_wake(session: Session, instance_id: int, at: datetime | None) -> None:
    """One pending wake-up per instance, at its next BPMN timer."""
    session.execute(
        ScheduledEffect.__table__.delete().where(
            ScheduledEffect.object_type == "process_instance",
            ScheduledEffect.object_id == instance_id,
            ScheduledEffect.fired_at.is_(None),
        )
    )
    if at is not None:
        session.execute(
            insert(ScheduledEffect),
            [{"key": f"process_instance:{instance_id}:wake:{at.isoformat()}", "effect": "wake", "stage": 0,
              "object_type": "process_instance", "object_id": instance_id, "fire_at": at, "params": {}}],
        )  # fmt: skip


# -- the lease --------------------------------------------------------------------------------------


def acquire_lease(session: Session, holder: str, now: datetime, ttl: timedelta = timedelta(seconds=90)) -> bool:
    """Take or renew the scheduler lease; False while another live process holds it."""
    result = session.execute(
        update(SchedulerLease)
        .where(
            SchedulerLease.name == "scheduler",
            or_(SchedulerLease.holder.is_(None), SchedulerLease.holder == holder, SchedulerLease.expires_at < now),
        )
        .values(holder=holder, expires_at=now + ttl)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def release_lease(session: Session, holder: str) -> None:
    session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == "scheduler", SchedulerLease.holder == holder)
        .values(holder=None, expires_at=None)
    )


# -- firing -----------------------------------------------------------------------------------------


def tick(session: Session, now: datetime, limit: int = 5000) -> dict:
    """Fire every effect due at `now`; the caller commits. Returns counts by outcome."""
    due = session.execute(
        select(ScheduledEffect.id, ScheduledEffect.effect, ScheduledEffect.stage, ScheduledEffect.object_type,
               ScheduledEffect.object_id, ScheduledEffect.params)
        .where(ScheduledEffect.fired_at.is_(None), ScheduledEffect.fire_at <= now)
        .order_by(ScheduledEffect.fire_at)
        .limit(limit)
    ).all()  # fmt: skip
    latest: dict[tuple, tuple] = {}
    superseded = []
    for row in due:
        k = (row.object_type, row.object_id)
        if k in latest and latest[k].stage >= row.stage:
            superseded.append(row.id)
            continue
        if k in latest:
            superseded.append(latest[k].id)
        latest[k] = row
    outcomes: dict[str, list[int]] = defaultdict(list)
    outcomes["superseded"] = superseded
    notes: list[dict] = []
    digest = digests.Digest(now)
    by_type = defaultdict(list)
    for row in latest.values():
        by_type[row.object_type].append(row)
    if by_type.get("human_task"):
        _fire_tasks(session, by_type["human_task"], now, outcomes, notes, digest)
    if by_type.get("annual_task"):
        _fire_annual(session, by_type["annual_task"], now, outcomes, notes, digest)
    for row in by_type.get("process_instance", []):
        from . import runtime

        outcomes[runtime.wake_instance(session, row.object_id, now)].append(row.id)
    notes += digest.rows(session, _note)
    notifications.send(session, notes)
    deferred = outcomes.pop("deferred", [])
    if deferred:  # today's digest of their department has gone out, or the instance is errored: try tomorrow
        session.execute(
            update(ScheduledEffect).where(ScheduledEffect.id.in_(deferred)).values(fire_at=digests.next_slot(now))
        )
    for outcome, ids in outcomes.items():
        if ids:
            session.execute(
                update(ScheduledEffect).where(ScheduledEffect.id.in_(ids)).values(fired_at=now, outcome=outcome)
            )
    session.execute(update(SchedulerLease).where(SchedulerLease.name == "scheduler").values(last_tick_at=now))
    counts = {k: len(v) for k, v in outcomes.items() if v} | {"notifications": len(notes)}
    return counts | ({"deferred": len(deferred)} if deferred else {})


_note = notifications.note  # engine/task_admin.py builds its rows with it too


def _due_words(row, due_at) -> tuple[str, str]:
    if row.effect == "remind":
        return "remind", f"{(row.params or {}).get('days', '')}天后到期"
    if row.effect == "due":
        return "due", "已到截止时间"
    return "overdue", "已逾期，升级提醒"


def _fire_tasks(session, rows, now, outcomes, notes, digest: digests.Digest) -> None:
    ids = [r.object_id for r in rows]
    tasks = {t.id: t for t in session.scalars(select(HumanTask).where(HumanTask.id.in_(ids)))}
    candidates = defaultdict(set)
    for task_id, principal in session.execute(
        select(TaskCandidate.task_id, TaskCandidate.principal).where(TaskCandidate.task_id.in_(ids))
    ):
        candidates[task_id].add(principal)
    units = {}
    if any(r.effect == "overdue" for r in rows):
        subject_ids = {t.subject_id for t in tasks.values() if t.subject_id}
        units = dict(session.execute(select(Subject.id, Subject.org_unit_id).where(Subject.id.in_(subject_ids))).all())
    users = assignment.users_behind(session, set().union(*candidates.values()) if candidates else set())
    # an errored instance's tasks cannot be worked on until an administrator retries it: their reminders wait
    halted = set(
        session.scalars(
            select(HumanTask.id)
            .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
            .where(HumanTask.id.in_(ids), ProcessInstance.status == "error")
        )
    )
    for row in rows:
        task = tasks.get(row.object_id)
        if task is None or task.state != "open":
            outcomes["skipped"].append(row.id)
            continue
        if task.id in halted:
            outcomes["deferred"].append(row.id)
            continue
        unit_ids = [units[task.subject_id]] if units.get(task.subject_id) else []
        if row.effect == "overdue" and digest.taken(session, unit_ids):
            outcomes["deferred"].append(row.id)
            continue
        kind, words = _due_words(row, task.due_at)
        assignees = (
            {task.claimant_id} if task.claimant_id else set().union(*(users.get(p, set()) for p in candidates[task.id]))
        )
        title = f"【{words}】{task.name}：{task.title}"
        link = f"/tasks/{task.id}"
        for uid in sorted(assignees):
            notes.append(_note(uid, kind, title, task.process_name, link, row.id, now))
        if row.effect == "overdue":
            due = task.due_at.astimezone(digests.SCHOOL_TZ)
            text = f"{task.name}：{task.title}（办理人：{task.candidates_label or ''}；截止：{due:%Y-%m-%d}）"
            digest.add(unit_ids, digests.Item("task", text, link), assignees)
        outcomes["sent"].append(row.id)


def _fire_annual(session, rows, now, outcomes, notes, digest: digests.Digest) -> None:
    ids = [r.object_id for r in rows]
    items = {a.id: a for a in session.scalars(select(AnnualTask).where(AnnualTask.id.in_(ids)))}
    heads_of = {u: assignment.group_principal("head", "unit", u) for a in items.values()
                for u in a.responsible_unit_ids or []}  # fmt: skip
    users = assignment.users_behind(session, set(heads_of.values()))
    for row in rows:
        item = items.get(row.object_id)
        if item is None or item.status == "done":
            outcomes["skipped"].append(row.id)
            continue
        link = f"/annual/{item.year}#row-{item.no}"
        if row.effect == "overdue":  # the heads and the office hear of it in the day's digest, not one by one
            if digest.taken(session, item.responsible_unit_ids or []):
                outcomes["deferred"].append(row.id)
                continue
            text = f"年度任务第{item.no}项 {item.task}（{'、'.join(item.responsible)}；完成时间：{item.due_text}）"
            digest.add(item.responsible_unit_ids or [], digests.Item("annual", text, link, item.year), set())
            outcomes["sent"].append(row.id)
            continue
        kind, words = _due_words(row, None)
        heads = set().union(*(users.get(heads_of[u], set()) for u in item.responsible_unit_ids or []))
        title = f"【年度任务{words}】{item.task}"
        body = f"{item.category}；责任部门：{'、'.join(item.responsible)}；完成时间：{item.due_text}"
        for uid in sorted(heads):
            notes.append(_note(uid, kind, title, body, link, row.id, now))
        outcomes["sent"].append(row.id)
