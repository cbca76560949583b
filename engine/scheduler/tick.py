"""The scheduler's tick: fire the effects that are due (engine/workflow/deadlines.py plans them).

In one transaction `tick` writes the notifications and marks the effects fired, so nothing fires twice
and nothing is lost. After downtime only the latest stage of an item fires (one overdue notice, not the
reminders that were missed on the way). Overdue effects fire at the daily digest moment
(engine/notify/digests.py): the assignee of a task gets their own overdue notice, while the escalation
to department heads and to 诊改办公室 is one digest per department and one summary per monitor a day.
Position terms that start or end on the day take effect (engine/org/positions.py `sync_positions`).

Due BPMN timers wake their instances (engine/workflow/runtime.py) one by one, `wake_due`: the scheduler
(engine/scheduler/loop.py) gives each wake a transaction of its own, so SQLite's write lock is never held
across several workflow runs and one slow or poisoned instance costs only its own bounded run. A wake whose
step fails is spent with the instance's incident (the instance stays errored until an administrator retries
it); a wake that lost a race with a person's step stays due for the next tick. `tick(session, now)` also
wakes them inside the caller's transaction (the demo's history, tests); the scheduler passes `wake=False`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .. import notify, org, workflow
from ..core import settings
from ..models import (
    AnnualTask,
    HumanTask,
    InstanceStatus,
    ProcessInstance,
    ScheduledEffect,
    SchedulerLease,
    Subject,
    TaskCandidate,
    TaskState,
)
from ..notify import digests
from ..org import positions as org_positions
from ..workflow import wake_instance


def tick(session: Session, now: datetime, limit: int = 5000, wake: bool = True) -> dict:
    """Fire every effect due at `now`; the caller commits. Returns counts by outcome.

    `wake=False` leaves the due BPMN timers to `due_wakes` / `wake_due`, one transaction each (the scheduler).
    """
    due = session.execute(
        select(ScheduledEffect.id, ScheduledEffect.effect, ScheduledEffect.stage, ScheduledEffect.object_type,
               ScheduledEffect.object_id, ScheduledEffect.params)
        .where(ScheduledEffect.fired_at.is_(None), ScheduledEffect.fire_at <= now,
               ScheduledEffect.object_type != "process_instance")
        .order_by(ScheduledEffect.fire_at)
        .limit(limit)
    ).all()  # fmt: skip
    latest, superseded = _latest(due)
    outcomes: dict[str, list[int]] = defaultdict(list)
    outcomes["superseded"] = superseded
    notes: list[dict] = []
    cfg = settings.of(session)
    digest = digests.Digest(now, cfg)
    by_type = defaultdict(list)
    for row in latest.values():
        by_type[row.object_type].append(row)
    if by_type.get("human_task"):
        _fire_tasks(session, by_type["human_task"], now, outcomes, notes, digest)
    if by_type.get("annual_task"):
        _fire_annual(session, by_type["annual_task"], now, outcomes, notes, digest)
    notes += digest.rows(session, notify.note)
    notify.send(session, notes)
    deferred = outcomes.pop("deferred", [])
    if deferred:  # today's digest of their department has gone out, or the instance is errored: try tomorrow
        session.execute(
            update(ScheduledEffect).where(ScheduledEffect.id.in_(deferred)).values(fire_at=digests.next_slot(now, cfg))
        )
    for outcome, ids in outcomes.items():
        if ids:
            session.execute(
                update(ScheduledEffect).where(ScheduledEffect.id.in_(ids)).values(fired_at=now, outcome=outcome)
            )
    session.execute(update(SchedulerLease).where(SchedulerLease.name == "scheduler").values(last_tick_at=now))
    # position terms that start or end today take effect (engine/org/positions.py)
    positions_changed = org_positions.sync_positions(session, now)
    counts = {k: len(v) for k, v in outcomes.items() if v} | {"notifications": len(notes)}
    counts |= {"positions": positions_changed} if positions_changed else {}
    counts |= {"deferred": len(deferred)} if deferred else {}
    if wake:
        woken = Counter(
            wake_due(session, effect_id, instance_id, now) for effect_id, instance_id in due_wakes(session, now)
        )
        counts = merge_counts(counts, woken)
    return counts


def merge_counts(counts: dict, more) -> dict:
    """The counts of a tick with more outcomes (e.g. its wakes) added."""
    total = Counter(counts)
    total.update({k: v for k, v in dict(more).items() if v})
    return dict(total)


def _latest(rows) -> tuple[dict[tuple, tuple], list[int]]:
    """The latest stage of each item among the due rows, and the ids of the earlier ones it supersedes."""
    latest: dict[tuple, tuple] = {}
    superseded = []
    for row in rows:
        k = (row.object_type, row.object_id)
        if k in latest and latest[k].stage >= row.stage:
            superseded.append(row.id)
            continue
        if k in latest:
            superseded.append(latest[k].id)
        latest[k] = row
    return latest, superseded


def due_wakes(session: Session, now: datetime, limit: int = 5000) -> list[tuple[int, int]]:
    """The BPMN timers due at `now`: (effect id, instance id), one per instance (a duplicate is marked
    superseded; the caller commits). Errored instances have none: their failed wake was spent."""
    due = session.execute(
        select(ScheduledEffect.id, ScheduledEffect.stage, ScheduledEffect.object_type, ScheduledEffect.object_id)
        .where(ScheduledEffect.fired_at.is_(None), ScheduledEffect.fire_at <= now,
               ScheduledEffect.object_type == "process_instance")
        .order_by(ScheduledEffect.fire_at, ScheduledEffect.id)
        .limit(limit)
    ).all()  # fmt: skip
    latest, superseded = _latest(due)
    if superseded:
        session.execute(
            update(ScheduledEffect).where(ScheduledEffect.id.in_(superseded)).values(fired_at=now, outcome="superseded")
        )
    return [(row.id, row.object_id) for row in latest.values()]


def wake_due(session: Session, effect_id: int, instance_id: int, now: datetime) -> str:
    """Wake one instance for its due timer (engine/workflow/runtime.py `wake_instance`); the caller commits.

    "sent" (the engine ran on), "skipped" (the instance no longer runs), "failed" (its step failed: the
    instance is errored with its incident, and the wake is spent, so no later tick runs the poisoned step
    again; an administrator's retry does) or "retry" (a person's step on the same instance committed
    meanwhile: nothing is wrong with it, the wake stays due for the next tick).
    """
    (outcome,) = workflow.each_in_savepoint(session, [instance_id], lambda i: wake_instance(session, i, now), now)
    if outcome.raced:
        return "retry"
    result = outcome.value if outcome.ok else "failed"
    # the wake just run may have planned the next one (a timer the step set, e.g. the cycle's 次日再查 wait for
    # the sampling draw) in a row that reuses this one's id (SQLite reuses the highest rowid it deleted):
    # only a due row is spent
    session.execute(
        update(ScheduledEffect)
        .where(ScheduledEffect.id == effect_id, ScheduledEffect.fired_at.is_(None), ScheduledEffect.fire_at <= now)
        .values(fired_at=now, outcome=result)
        .execution_options(synchronize_session=False)
    )
    return result


def _due_words(row, due_at) -> tuple[str, str]:
    if row.effect == "remind":
        params = row.params or {}
        if "hours" in params:  # a task's own `remind` in hours (PT12H)
            return "remind", f"{params['hours']:g}小时后到期"
        return "remind", f"{params.get('days', '')}天后到期"
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
    users = org.users_behind(session, set().union(*candidates.values()) if candidates else set())
    # an errored instance's tasks cannot be worked on until an administrator retries it: their reminders wait
    halted = set(
        session.scalars(
            select(HumanTask.id)
            .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
            .where(HumanTask.id.in_(ids), ProcessInstance.status == InstanceStatus.ERROR)
        )
    )
    for row in rows:
        task = tasks.get(row.object_id)
        if task is None or task.state != TaskState.OPEN:
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
            notes.append(notify.note(uid, kind, title, task.process_name, link, row.id, now))
        if row.effect == "overdue":
            due = task.due_at.astimezone(digest.settings.timezone)
            text = f"{task.name}：{task.title}（办理人：{task.candidates_label or ''}；截止：{due:%Y-%m-%d}）"
            digest.add(unit_ids, digests.Item("task", text, link), assignees)
        outcomes["sent"].append(row.id)


def _fire_annual(session, rows, now, outcomes, notes, digest: digests.Digest) -> None:
    ids = [r.object_id for r in rows]
    items = {a.id: a for a in session.scalars(select(AnnualTask).where(AnnualTask.id.in_(ids)))}
    heads_of = {u: org.group_principal("head", "unit", u) for a in items.values()
                for u in a.responsible_unit_ids or []}  # fmt: skip
    users = org.users_behind(session, set(heads_of.values()))
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
            notes.append(notify.note(uid, kind, title, body, link, row.id, now))
        outcomes["sent"].append(row.id)
