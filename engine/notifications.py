"""The in-app notification centre and a user's own deadlines (for the iCalendar feed)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from . import assignment
from .errors import N_, NotFound
from .models import AnnualTask, HumanTask, Notification, TaskCandidate, User


def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )


def list_for(session: Session, user_id: int, page: int = 1, per_page: int = 30):
    stmt = select(Notification).where(Notification.user_id == user_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(
        stmt.order_by(Notification.id.desc()).limit(per_page).offset((max(1, page) - 1) * per_page)
    ).all()
    return rows, total


def mark_read(session: Session, user_id: int, notification_id, now: datetime) -> Notification:
    """Mark one of the user's own notifications read; anyone else's is NotFound."""
    try:
        nid = int(notification_id)
    except (TypeError, ValueError):
        raise NotFound(N_("通知不存在")) from None
    row = session.scalar(select(Notification).where(Notification.id == nid, Notification.user_id == user_id))
    if row is None:
        raise NotFound(N_("通知不存在"))
    if row.read_at is None:
        row.read_at = now
    return row


def mark_all_read(session: Session, user_id: int, now: datetime) -> int:
    result = session.execute(
        update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None)).values(read_at=now)
    )
    return result.rowcount


def my_deadlines(session: Session, user: User, principals: list[str] | None = None) -> list[dict]:
    """Open tasks the user works on and annual-table rows of units the user heads, with due dates."""
    if principals is None:
        principals = assignment.principals_of(session, user.id)
    candidate = select(TaskCandidate.task_id).where(TaskCandidate.principal.in_(principals))
    tasks = session.execute(
        select(HumanTask.id, HumanTask.name, HumanTask.title, HumanTask.due_at)
        .where(
            HumanTask.state == "open",
            HumanTask.due_at.is_not(None),
            or_(HumanTask.claimant_id == user.id, HumanTask.id.in_(candidate) & HumanTask.claimant_id.is_(None)),
        )
        .order_by(HumanTask.due_at)
        .limit(500)
    ).all()
    out = [
        {"uid": f"task-{t.id}", "summary": f"{t.name}：{t.title}", "due_at": t.due_at, "link": f"/tasks/{t.id}"}
        for t in tasks
    ]
    headed = {int(p.split(":")[3]) for p in principals if p.startswith("g:head:unit:")}
    if headed:
        rows = session.scalars(
            select(AnnualTask).where(AnnualTask.status == "open", AnnualTask.due_date.is_not(None)).limit(2000)
        ).all()
        for a in rows:
            if headed & set(a.responsible_unit_ids or []):
                out.append(
                    {"uid": f"annual-{a.id}", "summary": f"年度任务：{a.task}", "due_date": a.due_date,
                     "link": f"/annual/{a.year}#row-{a.no}"}
                )  # fmt: skip
    return out
