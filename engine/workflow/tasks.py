"""Read side of human tasks: permission-checked loading, whether one may act, the inbox, a task's history.

Everything here reads the task read model (`human_task`, `task_candidate`), never a workflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from sqlalchemy import BigInteger, Integer, and_, bindparam, func, or_, select, union
from sqlalchemy.orm import Session, aliased

from .. import org
from ..core import paging
from ..core.errors import N_, Conflict, NotAllowed, NotFound, object_id
from ..core.paging import Page
from ..models import AuditEntry, HumanTask, SubjectMember, TaskCandidate, TaskState, User
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


# Aliases are made once: a new alias per call would be a new statement for SQLAlchemy's compiled cache
# each time (and costs ~1 ms to build for a table as wide as app_user).
_CLAIMANT, _RETURNER, _WHO, _ACTOR = aliased(User), aliased(User), aliased(User), aliased(User)


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
    return visible_task(session, user, task_id, principals)[0]


def visible_task(session: Session, user: User, task_id, principals: list[str] | None) -> tuple[HumanTask, bool, bool]:
    """A task the user may see (else NotFound), whether it is offered to them and whether it reviews their own
    document (`authors_own_review`), in one query: what both `get_task` and `actionable_task` load."""
    row = visible_row(session, _VISIBLE, user, task_id, principals)
    return row[0], bool(row[1]), bool(row[2])


def visible_row(session: Session, statements: dict, user: User, task_id, principals: list[str] | None):
    """The row of `statements[is monitor]` (`visible_statements`, maybe with more columns) for a task the user
    may see, else NotFound."""
    task_id = object_id(task_id, N_("任务不存在"))
    if principals is None:
        principals = org.principals_of(session, user.id)
    params = {"task_id": task_id, "user_id": user.id, "principals": list(principals)}
    row = session.execute(statements[policy.is_monitor(user, principals)], params).first()
    if row is None:
        raise NotFound(N_("任务不存在"))
    return row


def visible_statements():
    """{is monitor: the statement}: the task (if visible, engine/org/policy/ `task_visible`), whether it
    is offered to the user and whether it reviews the user's own document. Built once with bind parameters,
    then only executed (a completion adds the columns of its step to them, engine/workflow/runtime.py)."""
    principals = bindparam("principals", expanding=True)
    user_id = bindparam("user_id")
    own = select(SubjectMember.user_id).where(SubjectMember.subject_id == HumanTask.subject_id,
                                              SubjectMember.user_id == user_id)  # fmt: skip
    own_review = and_(HumanTask.kind == "review", HumanTask.document_id.is_not(None), own.exists())
    anyone = select(HumanTask, policy.task_offered(principals).label("offered"), own_review.label("own")).where(
        HumanTask.id == bindparam("task_id")
    )
    return {
        True: anyone,  # monitors see every task (they act only where they are a candidate)
        False: anyone.where(policy.task_visible_to(user_id, principals)),
    }


_VISIBLE = visible_statements()


def check_actionable(
    session: Session,
    ht: HumanTask,
    user: User,
    principals: list[str],
    offered: bool | None = None,
    own_review: bool | None = None,
) -> None:
    """The user may work on the task now: it is open, not claimed by somebody else, offered to them and not a
    review of their own document (`offered`, `own_review`: already known from the query that loaded the
    task)."""
    if ht.state == TaskState.SUSPENDED:  # the instance is suspended (engine/oversight/instance_admin.py)
        raise Conflict(BLOCKED[TaskState.SUSPENDED])
    if ht.state != TaskState.OPEN:
        raise Conflict(N_("该任务已被处理，无需重复办理"))
    if ht.claimant_id not in (None, user.id):
        who = session.get(User, ht.claimant_id)
        raise Conflict(N_("该任务已被%(name)s签收"), name=who.display_name if who else "?")
    if not (is_candidate(session, ht.id, principals) if offered is None else offered):
        raise NotAllowed(N_("您不是该任务的办理人"))
    if authors_own_review(session, ht, user.id) if own_review is None else own_review:
        raise NotAllowed(OWN_REVIEW)


OWN_REVIEW = N_("您是该文档的编写人，不能审核自己的文档（职责分离）")


def authors_own_review(session: Session, ht: HumanTask, user_id: int) -> bool:
    """Separation of duties: `ht` reviews a document of a subject whose team (SubjectMember, the authors) has
    `user_id`. Such a user never claims or completes it, whoever offered or reassigned it to them."""
    if ht.kind != "review" or ht.document_id is None or ht.subject_id is None:
        return False
    mine = select(SubjectMember.user_id).where(SubjectMember.subject_id == ht.subject_id,
                                               SubjectMember.user_id == user_id)  # fmt: skip
    return session.scalar(mine) is not None


def actionable_task(session: Session, user: User, task_id, principals: list[str] | None = None) -> HumanTask:
    """A task the user may see (else NotFound) and work on now (else why not): one query."""
    if principals is None:
        principals = org.principals_of(session, user.id)
    ht, offered, own_review = visible_task(session, user, task_id, principals)
    check_actionable(session, ht, user, principals, offered, own_review)
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
    sort = sort if sort in SORTS else "due"
    per_page = max(1, min(int(per_page), 100))
    page = max(1, int(page))
    me = org.user_principal(user.id)
    term = search.strip()[:50] if search and search.strip() else None
    rows_stmt, count_stmt = _inbox_statements(tab, sort, bool(process_key), term is not None)
    params = {
        "user_id": user.id, "principals": list(principals), "groups": [p for p in principals if p != me] or ["-"],
        "process_key": process_key, "term": _like_escape(term) if term else None,
        "limit": per_page, "offset": paging.offset(page, per_page),
    }  # fmt: skip
    rows = [InboxRow(*r) for r in session.execute(rows_stmt, params).all()]
    total = session.scalar(count_stmt, params)
    return InboxPage(rows=rows, total=total, page=page, per_page=per_page)


def _like_escape(term: str) -> str:
    """A search term matched literally by LIKE ... ESCAPE '/' (what `contains(..., autoescape=True)` does)."""
    return term.replace("/", "//").replace("%", "/%").replace("_", "/_")


@cache
def _inbox_statements(tab: str, sort: str, by_process: bool, by_search: bool):
    """The rows and the count statements of an inbox tab, built once per shape and then only executed
    (building a statement of this size costs more than SQLite takes to answer it)."""
    user_id = bindparam("user_id")
    # Open-task tabs start from a materialized set of candidate task ids (index on principal) joined to
    # human_task by primary key: a handful of lookups however many open tasks the school has, where a
    # scan of open tasks with a subquery per row would grow with the whole school.
    ids = None
    if tab == "done":
        where = [HumanTask.completed_by_id == user_id, HumanTask.state == TaskState.COMPLETED]
    elif tab == "claimed":
        where = [HumanTask.claimant_id == user_id, HumanTask.state == TaskState.OPEN]
    elif tab == "groups":
        ids = policy.offered_task_ids(bindparam("groups", expanding=True)).distinct().subquery("ids")
        where = [HumanTask.state == TaskState.OPEN]
    else:
        ids = union(
            policy.offered_task_ids(bindparam("principals", expanding=True)),
            select(HumanTask.id).where(HumanTask.claimant_id == user_id, HumanTask.state == TaskState.OPEN),
        ).subquery("ids")
        where = [
            HumanTask.state == TaskState.OPEN,
            or_(HumanTask.claimant_id.is_(None), HumanTask.claimant_id == user_id),
        ]
    if by_process:
        where.append(HumanTask.process_key == bindparam("process_key"))
    if by_search:
        term = bindparam("term")
        where.append(or_(HumanTask.subject_name.contains(term, escape="/"), HumanTask.title.contains(term, escape="/")))

    def source(stmt):
        if ids is None:
            return stmt.select_from(HumanTask)
        return stmt.select_from(ids).join(HumanTask, HumanTask.id == ids.c[0])

    claimant, returner = _CLAIMANT, _RETURNER
    order = (HumanTask.completed_at.desc(), HumanTask.id.desc()) if tab == "done" else SORTS[sort]
    rows = (
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
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=BigInteger))
    )
    return rows, source(select(func.count())).where(*where)


def counts(session: Session, user: User, principals: list[str] | None = None) -> dict[str, int]:
    """Open-task counts for the tab badges."""
    return {
        tab: list_tasks(session, user, tab=tab, per_page=1, principals=principals).total
        for tab in ("mine", "groups", "claimed")
    }


def history(session: Session, instance_id: int) -> list[dict]:
    """Completed steps of an instance, oldest first, for the task page's timeline."""
    rows = session.execute(_HISTORY, {"instance_id": instance_id}).all()
    events = admin_events(session, instance_id)
    return [dict(r._asdict(), events=events.get(r.id, [])) for r in rows]


_HISTORY = (
    select(
        HumanTask.id,
        HumanTask.name,
        HumanTask.state,
        HumanTask.decision,
        HumanTask.comment,
        HumanTask.completed_at,
        HumanTask.created_at,
        _WHO.display_name,
        HumanTask.step,
    )  # fmt: skip
    .outerjoin(_WHO, _WHO.id == HumanTask.completed_by_id)
    .where(HumanTask.instance_id == bindparam("instance_id"))
    .order_by(HumanTask.created_at, HumanTask.id)
)
ADMIN_ACTIONS = {"task.reassign": "reassign", "task.extend": "extend", "task.remind": "remind"}
_ADMIN_EVENTS = (
    select(
        AuditEntry.object_id,
        AuditEntry.action,
        AuditEntry.at,
        AuditEntry.before,
        AuditEntry.after,
        AuditEntry.note,
        _ACTOR.display_name,
    )  # fmt: skip
    .outerjoin(_ACTOR, _ACTOR.id == AuditEntry.actor_id)
    .where(
        AuditEntry.instance_id == bindparam("instance_id"),
        AuditEntry.object_type == "human_task",
        AuditEntry.action.in_(list(ADMIN_ACTIONS)),
    )
    .order_by(AuditEntry.at, AuditEntry.id)
)


def admin_events(session: Session, instance_id: int) -> dict[int, list[dict]]:
    """What administrators did to the instance's tasks (engine/oversight/task_admin.py audits it), by task id, oldest
    first: who and when, and the new assignee, the new due date and its reason, or the reminder's text.

    One query for the whole instance (the audit log is indexed by instance), however many tasks it has.
    """
    rows = session.execute(_ADMIN_EVENTS, {"instance_id": instance_id}).all()
    out: dict[int, list[dict]] = {}
    for task_id, action, at, before, after, note, who in rows:
        before, after = before or {}, after or {}
        out.setdefault(int(task_id), []).append({
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
