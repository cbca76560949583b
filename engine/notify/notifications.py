"""Notifications: who is told what (written in the same transaction as the change), the notification
centre, and a user's own deadlines (for the iCalendar feed).

Rows are inserted in bulk (one INSERT per step, whatever the number of people); the scheduler's outbox
e-mails them after the commit (engine/scheduler/outbox.py). Nobody is told about their own action.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, case, func, insert, literal, select, update
from sqlalchemy.orm import Session

from .. import org
from ..core import paging, settings
from ..core.errors import N_, NotFound, object_id
from ..core.paging import Page
from ..models import AnnualTask, HumanTask, Notification, SubjectMember, TaskState, User
from ..org import policy

# Every kind, in the order the centre groups them; labels are translated where they are shown.
KINDS = {
    "task": N_("新任务"),
    "returned": N_("退回"),
    "published": N_("已发布"),
    "remind": N_("提醒"),
    "due": N_("到期"),
    "overdue": N_("逾期"),
    "digest": N_("逾期汇总"),
    "escalation": N_("逾期督办"),
    "warning": N_("预警"),
    "supervision": N_("质量督导"),
    "info": N_("其他"),
}
GROUPS = ("day", "kind")


def note(user_id, kind, title, body, link, effect_id, now, *, digest_key=None, details=None) -> dict:
    """One notification row for a bulk INSERT (every row has the same keys)."""
    return {"user_id": user_id, "kind": kind, "title": title[:200], "body": body, "link": link,
            "created_at": now, "effect_id": effect_id, "digest_key": digest_key, "details": details}  # fmt: skip


_INSERT = insert(Notification.__table__)  # built once: a statement's cache key costs more than the INSERT


def send(session: Session, rows: list[dict]) -> int:
    if rows:
        session.execute(_INSERT, rows)
    return len(rows)


def _local(at: datetime | None, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if at else ""


def task_arrived(
    session: Session, created: list[tuple[HumanTask, list[str]]], actor_id, now: datetime,
    known: dict[str, set[int]] | None = None,
) -> int:  # fmt: skip
    """Tell everybody behind each new task's candidates (a person, or every member of a group) that it arrived.

    A task made by a reviewer's return (`returned_by_id`) is the author's "returned" notice, with the
    reviewer's name (`returned_by_name` when the caller has it) and comment. `known`: the active users
    behind principals the caller resolved already. One query for the people behind the other principals
    (none when all are known), one INSERT.
    """
    known = known or {}
    users = dict(known)
    unknown = {p for _, ps in created for p in ps if p not in known}
    if unknown:
        users.update(org.users_behind(session, unknown))
    returners = {ht.returned_by_id for ht, _ in created
                 if ht.returned_by_id and not getattr(ht, "returned_by_name", None)}  # fmt: skip
    names = (
        dict(session.execute(select(User.id, User.display_name).where(User.id.in_(returners))).all())
        if returners
        else {}
    )
    tz = settings.of(session).timezone
    rows = []
    for ht, principals in created:
        people = set().union(*(users.get(p, set()) for p in principals)) - {actor_id}
        if ht.returned_by_id:
            title = f"【已退回】{ht.title}"
            who = getattr(ht, "returned_by_name", None) or names.get(ht.returned_by_id, "")
            body = f"{who}退回了文档，请修改后重新提交。修改意见：{ht.return_comment or ''}"
            rows += [note(uid, "returned", title, body, f"/tasks/{ht.id}", None, now) for uid in sorted(people)]
        else:
            rows += [arrival(uid, ht.id, ht.name, ht.title, ht.process_name, ht.due_at, now, tz)
                     for uid in sorted(people)]  # fmt: skip
    return send(session, rows)


def arrival(user_id: int, task_id: int, name: str, title: str, process_name: str, due_at, now: datetime,
            tz: ZoneInfo) -> dict:  # fmt: skip
    """The "new task" row of one person (the due moment in the school's time zone)."""
    body = process_name + (f"；截止：{_local(due_at, tz)}" if due_at else "")
    return note(user_id, "task", f"【新任务】{name}：{title}", body, f"/tasks/{task_id}", None, now)


_AUTHORS = (
    select(SubjectMember.user_id)
    .join(User, User.id == SubjectMember.user_id)
    .where(SubjectMember.subject_id == bindparam("subject_id"), User.active)
)


def authors_of(session: Session, subject_id: int | None) -> set[int]:
    """The active members (authors) of a subject."""
    if subject_id is None:
        return set()
    return set(session.scalars(_AUTHORS, {"subject_id": subject_id}))


_N = Notification.__table__.c
# Built once: a document's authors found and told in one statement (an approval's step, engine/documents).
_PUBLISHED = insert(Notification.__table__).from_select(
    ["user_id", "kind", "title", "body", "link", "created_at", "email_attempts"],
    _AUTHORS.where(SubjectMember.user_id != bindparam("actor_id"))
    .add_columns(
        literal("published"),
        bindparam("title", type_=_N.title.type),
        bindparam("body", type_=_N.body.type),
        bindparam("link", type_=_N.link.type),
        bindparam("now", type_=_N.created_at.type),
        literal(0),
    )
    .order_by(SubjectMember.user_id),
)


def document_published(session: Session, doc, version: int, actor_id, now: datetime) -> None:
    """Tell a document's active authors that the chain approved it (not the approver, if an author)."""
    who = session.get(User, actor_id) if actor_id else None
    body = f"第{version}版已审定发布" + (f"（{who.display_name}审定）" if who else "")
    if doc.subject_id is None:
        return
    params = {"subject_id": doc.subject_id, "actor_id": actor_id or 0, "title": f"【已发布】{doc.title}"[:200],
              "body": body, "link": f"/documents/{doc.id}", "now": now}  # fmt: skip
    session.execute(_PUBLISHED, params)


# -- the notification centre -------------------------------------------------------------------------


def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )


def kind_counts(session: Session, user_id: int) -> dict[str, tuple[int, int]]:
    """(all, unread) per kind the user has, in the order of KINDS; one GROUP BY."""
    rows = session.execute(
        select(Notification.kind, func.count(), func.count(case((Notification.read_at.is_(None), 1))))
        .where(Notification.user_id == user_id)
        .group_by(Notification.kind)
    ).all()
    got = {k: (n, u) for k, n, u in rows}
    return {k: got[k] for k in [*KINDS, *sorted(set(got) - set(KINDS))] if k in got}


def _filtered(user_id: int, unread: bool, kind: str | None):
    where = [Notification.user_id == user_id]
    if unread:
        where.append(Notification.read_at.is_(None))
    if kind:
        where.append(Notification.kind == kind)
    return where


def list_for(
    session: Session,
    user_id: int,
    page: int = 1,
    per_page: int = 30,
    *,
    unread: bool = False,
    kind: str | None = None,
    group: str = "day",
) -> Page:
    """One page of the user's notifications, newest first (by kind first when grouped by kind)."""
    where = _filtered(user_id, unread, kind)
    total = session.scalar(select(func.count()).select_from(Notification).where(*where))
    per_page = max(1, min(int(per_page), 100))
    page = max(1, int(page))
    order = [Notification.created_at.desc(), Notification.id.desc()]
    if group == "kind":
        rank = case({k: i for i, k in enumerate(KINDS)}, value=Notification.kind, else_=len(KINDS))
        order = [rank, Notification.kind, *order]
    rows = session.scalars(
        select(Notification).where(*where).order_by(*order).limit(per_page).offset(paging.offset(page, per_page))
    ).all()
    return Page(rows=list(rows), total=total, page=page, per_page=per_page)


def sections(rows: list[Notification], group: str, tz: ZoneInfo, today: date) -> list[tuple[str, str, list]]:
    """The page's rows under headings: (kind of heading, key, rows); a day is "today", "yesterday" or a date."""
    out: list[tuple[str, str, list]] = []
    for row in rows:
        if group == "kind":
            heading = ("kind", row.kind)
        else:
            day = row.created_at.astimezone(tz).date()
            heading = ("today", "") if day == today else ("yesterday", "") if day == today - timedelta(days=1) else (
                "date", day.isoformat())  # fmt: skip
        if not out or out[-1][:2] != heading:
            out.append((*heading, []))
        out[-1][2].append(row)
    return out


def mark_read(session: Session, user_id: int, notification_id, now: datetime) -> Notification:
    """Mark one of the user's own notifications read; anyone else's is NotFound."""
    nid = object_id(notification_id, N_("通知不存在"))
    row = session.scalar(select(Notification).where(Notification.id == nid, Notification.user_id == user_id))
    if row is None:
        raise NotFound(N_("通知不存在"))
    if row.read_at is None:
        row.read_at = now
    return row


def mark_all_read(session: Session, user_id: int, now: datetime, kind: str | None = None) -> int:
    """Mark the user's unread notifications read: all of them, or those of one kind."""
    result = session.execute(update(Notification).where(*_filtered(user_id, True, kind)).values(read_at=now))
    return result.rowcount


def my_deadlines(session: Session, user: User, principals: list[str] | None = None) -> list[dict]:
    """Open tasks the user works on and annual-table rows of units the user heads, with due dates."""
    if principals is None:
        principals = org.principals_of(session, user.id)
    tasks = session.execute(
        select(HumanTask.id, HumanTask.name, HumanTask.title, HumanTask.due_at)
        .where(
            HumanTask.state == TaskState.OPEN,
            HumanTask.due_at.is_not(None),
            policy.task_waiting_for(user.id, principals),
        )
        .order_by(HumanTask.due_at)
        .limit(500)
    ).all()
    out = [
        {"uid": f"task-{t.id}", "summary": f"{t.name}：{t.title}", "due_at": t.due_at, "link": f"/tasks/{t.id}"}
        for t in tasks
    ]
    headed = set(policy.head_units(principals))
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
