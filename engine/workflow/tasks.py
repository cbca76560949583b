"""Read side of human tasks: permission-checked loading, whether one may act, the inbox, a task's history.

Everything here reads the task read model (`human_task`, `task_candidate`), never a workflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, or_, select, union
from sqlalchemy.orm import Session, aliased

from .. import org
from ..core.errors import N_, Conflict, NotAllowed, NotFound
from ..core.paging import Page
from ..models import AuditEntry, HumanTask, TaskCandidate, TaskState, User
from ..org import policy

# Why a task of an instance that is not running cannot be worked on (see engine/oversight/instance_admin.py).
BLOCKED = {
    TaskState.SUSPENDED: N_("该流程已被管理员暂停，恢复后才能办理"),
    "error": N_("该流程运行出错，正在等待管理员处理，暂不能办理"),  # InstanceStatus.ERROR
}
TABS = ("mine", "groups", "claimed", "done")
SORTS = {
    "due": (HumanTask.due_at.is_(None), HumanTask.due_at.asc(), HumanTask.id.desc()),
    "-due": (HumanTask.due_at.is_(None), HumanTask.due_at.desc(), HumanTask.id.desc()),
    "created": (HumanTask.created_at.asc(), HumanTask.id.asc()),
    "-created": (HumanTask.created_at.desc(), HumanTask.id.desc()),
    "name": (HumanTask.name.asc(), HumanTask.id.desc()),
}


def is_candidate(session: Session, task_id: int, principals: list[str]) -> bool:
    return bool(
        session.scalar(
            select(func.count())
            .select_from(TaskCandidate)
            .where(TaskCandidate.task_id == task_id, TaskCandidate.principal.in_(principals))
        )
    )


def get_task(session: Session, user: User, task_id, principals: list[str] | None = None) -> HumanTask:
    """A task the user may see, or NotFound: never reveal whether an id exists."""
    try:
        task_id = int(task_id)
    except (TypeError, ValueError):
        raise NotFound(N_("任务不存在")) from None
    if principals is None:
        principals = org.principals_of(session, user.id)
    stmt = select(HumanTask).where(HumanTask.id == task_id)
    if (visible := policy.task_visible(policy.viewer(user, principals))) is not None:
        stmt = stmt.where(visible)
    ht = session.scalar(stmt)
    if ht is None:
        raise NotFound(N_("任务不存在"))
    return ht


def check_actionable(session: Session, ht: HumanTask, user: User, principals: list[str]) -> None:
    """The user may work on the task now: it is open, not claimed by somebody else, and offered to them."""
    if ht.state == TaskState.SUSPENDED:  # the instance is suspended (engine/oversight/instance_admin.py)
        raise Conflict(BLOCKED[TaskState.SUSPENDED])
    if ht.state != TaskState.OPEN:
        raise Conflict(N_("该任务已被处理，无需重复办理"))
    if ht.claimant_id not in (None, user.id):
        who = session.get(User, ht.claimant_id)
        raise Conflict(N_("该任务已被%(name)s签收"), name=who.display_name if who else "?")
    if not is_candidate(session, ht.id, principals):
        raise NotAllowed(N_("您不是该任务的办理人"))


def actionable_task(session: Session, user: User, task_id, principals: list[str] | None = None) -> HumanTask:
    """A task the user may see (else NotFound) and work on now (else why not)."""
    if principals is None:
        principals = org.principals_of(session, user.id)
    ht = get_task(session, user, task_id, principals)
    check_actionable(session, ht, user, principals)
    return ht


@dataclass
class InboxRow:
    id: int
    name: str
    title: str
    process_name: str
    subject_name: str | None
    kind: str
    state: str
    due_at: datetime | None
    created_at: datetime
    completed_at: datetime | None
    decision: str | None
    claimant_id: int | None
    claimant_name: str | None
    candidates_label: str | None
    returned_by_id: int | None = None
    returned_by_name: str | None = None
    return_comment: str | None = None
    step: int | None = None  # the annual-cycle step (1-11) of a task inside a cycle

    @property
    def returned(self) -> bool:
        """An author's task that a reviewer's return sent back (the inbox's 退回 mark)."""
        return self.returned_by_id is not None

    def overdue(self, now: datetime) -> bool:
        return self.state == TaskState.OPEN and self.due_at is not None and self.due_at < now


InboxPage = Page  # rows, total, page, per_page, pages


def list_tasks(
    session: Session,
    user: User,
    *,
    tab: str = "mine",
    sort: str = "due",
    page: int = 1,
    per_page: int = 20,
    process_key: str | None = None,
    search: str | None = None,
    principals: list[str] | None = None,
) -> InboxPage:
    """One page of a user's inbox; a single query for the rows and one for the count."""
    if principals is None:
        principals = org.principals_of(session, user.id)
    tab = tab if tab in TABS else "mine"
    per_page = max(1, min(int(per_page), 100))
    page = max(1, int(page))
    me = org.user_principal(user.id)
    groups = [p for p in principals if p != me]

    # Open-task tabs start from a materialized set of candidate task ids (index on principal) joined to
    # human_task by primary key: a handful of lookups however many open tasks the school has, where a
    # scan of open tasks with a subquery per row would grow with the whole school.
    ids = None
    if tab == "done":
        where = [HumanTask.completed_by_id == user.id, HumanTask.state == TaskState.COMPLETED]
    elif tab == "claimed":
        where = [HumanTask.claimant_id == user.id, HumanTask.state == TaskState.OPEN]
    elif tab == "groups":
        ids = policy.offered_task_ids(groups or ["-"]).distinct().subquery("ids")
        where = [HumanTask.state == TaskState.OPEN]
    else:
        ids = union(
            policy.offered_task_ids(principals),
            select(HumanTask.id).where(HumanTask.claimant_id == user.id, HumanTask.state == TaskState.OPEN),
        ).subquery("ids")
        where = [
            HumanTask.state == TaskState.OPEN,
            or_(HumanTask.claimant_id.is_(None), HumanTask.claimant_id == user.id),
        ]
    if process_key:
        where.append(HumanTask.process_key == process_key)
    if search and search.strip():
        term = search.strip()[:50]
        where.append(
            or_(HumanTask.subject_name.contains(term, autoescape=True), HumanTask.title.contains(term, autoescape=True))
        )

    def source(stmt):
        if ids is None:
            return stmt.select_from(HumanTask)
        return stmt.select_from(ids).join(HumanTask, HumanTask.id == ids.c[0])

    claimant, returner = aliased(User), aliased(User)
    order = SORTS.get(sort, SORTS["due"])
    if tab == "done":
        order = (HumanTask.completed_at.desc(), HumanTask.id.desc())
    stmt = (
        source(
            select(
                HumanTask.id,
                HumanTask.name,
                HumanTask.title,
                HumanTask.process_name,
                HumanTask.subject_name,
                HumanTask.kind,
                HumanTask.state,
                HumanTask.due_at,
                HumanTask.created_at,
                HumanTask.completed_at,
                HumanTask.decision,
                HumanTask.claimant_id,
                claimant.display_name,
                HumanTask.candidates_label,
                HumanTask.returned_by_id,
                returner.display_name,
                HumanTask.return_comment,
                HumanTask.step,
            )
        )  # fmt: skip
        .outerjoin(claimant, claimant.id == HumanTask.claimant_id)
        .outerjoin(returner, returner.id == HumanTask.returned_by_id)
        .where(*where)
        .order_by(*order)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = [InboxRow(*r) for r in session.execute(stmt).all()]
    total = session.scalar(source(select(func.count())).where(*where))
    return InboxPage(rows=rows, total=total, page=page, per_page=per_page)


def counts(session: Session, user: User, principals: list[str] | None = None) -> dict[str, int]:
    """Open-task counts for the tab badges."""
    return {
        tab: list_tasks(session, user, tab=tab, per_page=1, principals=principals).total
        for tab in ("mine", "groups", "claimed")
    }


def history(session: Session, instance_id: int) -> list[dict]:
    """Completed steps of an instance, oldest first, for the task page's timeline."""
    who = aliased(User)
    rows = session.execute(
        select(
            HumanTask.id,
            HumanTask.name,
            HumanTask.state,
            HumanTask.decision,
            HumanTask.comment,
            HumanTask.completed_at,
            HumanTask.created_at,
            who.display_name,
            HumanTask.step,
        )  # fmt: skip
        .outerjoin(who, who.id == HumanTask.completed_by_id)
        .where(HumanTask.instance_id == instance_id)
        .order_by(HumanTask.created_at, HumanTask.id)
    ).all()
    events = admin_events(session, instance_id)
    return [dict(r._asdict(), events=events.get(r.id, [])) for r in rows]


ADMIN_ACTIONS = {"task.reassign": "reassign", "task.extend": "extend", "task.remind": "remind"}


def admin_events(session: Session, instance_id: int) -> dict[int, list[dict]]:
    """What administrators did to the instance's tasks (engine/oversight/task_admin.py audits it), by task id, oldest
    first: who and when, and the new assignee, the new due date and its reason, or the reminder's text.

    One query for the whole instance (the audit log is indexed by instance), however many tasks it has.
    """
    actor = aliased(User)
    rows = session.execute(
        select(
            AuditEntry.object_id,
            AuditEntry.action,
            AuditEntry.at,
            AuditEntry.before,
            AuditEntry.after,
            AuditEntry.note,
            actor.display_name,
        )  # fmt: skip
        .outerjoin(actor, actor.id == AuditEntry.actor_id)
        .where(
            AuditEntry.instance_id == instance_id,
            AuditEntry.object_type == "human_task",
            AuditEntry.action.in_(list(ADMIN_ACTIONS)),
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()
    out: dict[int, list[dict]] = {}
    for object_id, action, at, before, after, note, who in rows:
        before, after = before or {}, after or {}
        out.setdefault(int(object_id), []).append({
            "kind": ADMIN_ACTIONS[action], "at": at, "who": who or "", "note": note or "",
            "assignee": after.get("label") or "",
            "due_at": _instant(after.get("due_at")), "previous_due_at": _instant(before.get("due_at")),
        })  # fmt: skip
    return out


def _instant(value) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment
