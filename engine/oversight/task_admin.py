"""Administrators' batch actions on selected tasks: remind, reassign, extend the due date.

The parameters are checked once, before anything changes (a wrong user name or a missing reason fails
the whole request). Then every task is permission-checked and changed in its own SAVEPOINT
(`workflow.each_in_savepoint`): one failing task is reported and rolled back alone, the others go on,
and the caller commits once at the end.
Monitors act on every task, department heads on tasks of their departments' subjects.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import notify, org, workflow
from ..core import audit
from ..core.errors import N_, Conflict, InvalidInput, NotFound, object_id
from ..core.text import limited_text
from ..models import (
    HumanTask,
    OrgUnit,
    ProcessInstance,
    Role,
    RoleAssignment,
    SchoolClass,
    ScopeType,
    Subject,
    TaskState,
    User,
)
from ..org import Principal, policy
from ..workflow import deadlines
from ..workflow.incidents import settle_incident
from ..workflow.readmodel import candidates_of, set_candidates
from ..workflow.tasks import authors_own_review
from .monitoring import watch_scope

ACTIONS = ("remind", "reassign", "extend")
MAX_TASKS = 200


def batch(
    session: Session, user: User, action: str, task_ids, params: dict, now: datetime, principals=None
) -> list[dict]:
    """Apply one action to each selected task; one result per task: ok, or the reason it was left alone."""
    if principals is None:
        principals = org.principals_of(session, user.id)
    scope = watch_scope(user, principals)
    if action not in ACTIONS:
        raise InvalidInput(N_("未知的批量操作"), fields={"action": [N_("请选择一项操作")]})
    ids = list(dict.fromkeys(str(i).strip() for i in task_ids or [] if str(i).strip()))[:MAX_TASKS]
    if not ids:
        raise InvalidInput(N_("请至少选择一项任务"), fields={"task_ids": [N_("请在下方列表中勾选任务")]})
    prepared = PREPARE[action](session, params or {}, now)
    loaded: dict[str, HumanTask] = {}

    def one(raw):
        loaded[raw] = ht = _load(session, raw, scope)
        _check_open(ht)
        return HANDLERS[action](session, user, ht, prepared, now)

    results = []
    for outcome in workflow.each_in_savepoint(session, ids, one, now):
        ht = loaded.get(outcome.item)
        message, params = (outcome.value, {}) if outcome.ok else (outcome.error.message, outcome.error.params)
        results.append(_result(outcome.item, ht, outcome.ok, message, params))
    return results


def _result(raw, ht, ok: bool, message: str, params: dict) -> dict:
    """One line of the result page; a task outside the user's scope is named by nothing but its id."""
    known = ht is not None
    return {
        "id": ht.id if known else raw, "ok": ok, "name": ht.name if known else "", "title": ht.title if known else "",
        "subject": (ht.subject_name or "") if known else "", "message": message, "params": params,
    }  # fmt: skip


def _load(session: Session, raw, scope: list[int] | None) -> HumanTask:
    task_id = object_id(raw, N_("任务不存在或不在您的管理范围内"))
    stmt = select(HumanTask).where(HumanTask.id == task_id)
    if (watched := policy.task_watched(scope)) is not None:  # heads: their departments' subjects' tasks
        stmt = stmt.where(watched)
    ht = session.scalar(stmt)
    if ht is None:
        raise NotFound(N_("任务不存在或不在您的管理范围内"))
    return ht


def _check_open(ht: HumanTask) -> None:
    if ht.state == TaskState.SUSPENDED:
        raise Conflict(N_("该流程已暂停，请先恢复流程"))
    if ht.state != TaskState.OPEN:
        raise Conflict(N_("该任务已办结或已取消，无需处理"))


# -- parameters, checked once ------------------------------------------------------------------------


def _prepare_remind(session, params: dict, now) -> dict:
    return {"message": limited_text(params.get("message"), 500, "message")}


def _prepare_reassign(session, params: dict, now) -> dict:
    username = (params.get("username") or "").strip() if isinstance(params.get("username"), str) else ""
    group = (params.get("group") or "").strip() if isinstance(params.get("group"), str) else ""
    reason = limited_text(params.get("reason"), 500, "reassign_reason")
    if username and group:
        both = [N_("请只填写用户名或只选择岗位")]
        raise InvalidInput(N_("请只选择一个转办对象：用户或岗位"), fields={"username": both, "group": both})
    if username:
        target = session.scalar(select(User).where(User.username == username))
        if target is None or not target.active:
            fields = {"username": [N_("用户不存在")]}
            raise InvalidInput(N_("用户“%(name)s”不存在或已停用"), fields=fields, name=username)
        return {"principal": org.user_principal(target.id), "label": target.display_name, "reason": reason}
    if group:
        if not _valid_group(group):
            raise InvalidInput(N_("转办对象无效"), fields={"group": [N_("转办对象无效")]})
        if not org.has_members(session, [group]):
            raise InvalidInput(N_("所选岗位没有在职人员"), fields={"group": [N_("所选岗位没有在职人员")]})
        return {"principal": group, "label": principal_label(session, group), "reason": reason}
    raise InvalidInput(N_("请选择转办对象：用户或岗位"), fields={"username": [N_("请选择转办对象")]})


def _prepare_extend(session, params: dict, now) -> dict:
    due_at = params.get("due_at")
    reason = limited_text(params.get("reason"), 500, "extend_reason")
    if not isinstance(due_at, datetime) or due_at.tzinfo is None:
        raise InvalidInput(N_("请填写新的截止日期"), fields={"due_date": [N_("请填写新的截止日期")]})
    if due_at <= now:
        raise InvalidInput(N_("新的截止时间必须晚于现在"), fields={"due_date": [N_("新的截止时间必须晚于现在")]})
    if not reason:
        raise InvalidInput(N_("请填写延期原因"), fields={"reason": [N_("请填写延期原因")]})
    return {"due_at": due_at, "reason": reason}


def _valid_group(principal: str) -> bool:
    try:
        return Principal.parse(principal).is_group
    except ValueError:
        return False


# -- one task each -----------------------------------------------------------------------------------


def _remind(session, user: User, ht: HumanTask, prepared: dict, now) -> str:
    to = _assignees(session, ht)
    if not to:
        raise Conflict(N_("该任务没有可提醒的办理人"))
    body = f"{user.display_name}提醒您尽快办理" + (f"：{prepared['message']}" if prepared["message"] else "。")
    _notify(session, ht, to, "remind", f"【催办】{ht.name}：{ht.title}", body, now)
    audit.record(
        session, actor_id=user.id, action="task.remind", object_type="human_task", object_id=ht.id,
        instance_id=ht.instance_id, now=now, after={"users": sorted(to)}, note=prepared["message"] or None,
    )  # fmt: skip
    return N_("已催办")


def _reassign(session, user: User, ht: HumanTask, prepared: dict, now) -> str:
    target = Principal.parse(prepared["principal"])
    if target.is_user and authors_own_review(session, ht, target.user_id):
        raise Conflict(N_("%(name)s是该文档的编写人，不能转办其审核任务（职责分离）"), name=prepared["label"])
    before = {"candidates": candidates_of(session, ht.id), "claimant_id": ht.claimant_id}
    if before["candidates"] == [prepared["principal"]] and ht.claimant_id is None:
        raise Conflict(N_("该任务已由所选对象办理，无需转办"))
    set_candidates(session, ht, [prepared["principal"]], prepared["label"])
    audit.record(
        session, actor_id=user.id, action="task.reassign", object_type="human_task", object_id=ht.id,
        instance_id=ht.instance_id, now=now, before=before,
        after={"candidates": [prepared["principal"]], "claimant_id": None, "label": prepared["label"]},
        note=prepared["reason"] or None,
    )  # fmt: skip
    settle_incident(session, session.get(ProcessInstance, ht.instance_id))
    body = f"{user.display_name}将此任务转交给您办理" + (f"：{prepared['reason']}" if prepared["reason"] else "。")
    _notify(session, ht, _assignees(session, ht), "info", f"【转办】{ht.name}：{ht.title}", body, now)
    return N_("已转办")


def _extend(session, user: User, ht: HumanTask, prepared: dict, now) -> str:
    due_at = prepared["due_at"]
    if ht.due_at is not None and due_at <= ht.due_at:
        raise Conflict(N_("新的截止时间必须晚于原截止时间"))
    before = {"due_at": ht.due_at.isoformat() if ht.due_at else None}
    ht.due_at = due_at
    deadlines.replan_task(session, ht.id, due_at, now, ht.remind)
    audit.record(
        session, actor_id=user.id, action="task.extend", object_type="human_task", object_id=ht.id,
        instance_id=ht.instance_id, now=now, before=before, after={"due_at": due_at.isoformat()},
        note=prepared["reason"],
    )  # fmt: skip
    _notify(session, ht, _assignees(session, ht), "info", f"【截止时间已延后】{ht.name}：{ht.title}",
            f"延期原因：{prepared['reason']}", now)  # fmt: skip
    return N_("已延期")


PREPARE = {"remind": _prepare_remind, "reassign": _prepare_reassign, "extend": _prepare_extend}
HANDLERS = {"remind": _remind, "reassign": _reassign, "extend": _extend}


def _assignees(session, ht: HumanTask) -> set[int]:
    """Who works on the task now: its claimant, else every active user behind its candidates."""
    if ht.claimant_id:
        return {ht.claimant_id}
    users = org.users_behind(session, set(candidates_of(session, ht.id)))
    return set().union(*users.values()) if users else set()


def _notify(session, ht: HumanTask, user_ids: set[int], kind: str, title: str, body: str, now) -> None:
    """In-app notifications; the scheduler's outbox e-mails them at its next tick (engine/scheduler/outbox.py)."""
    notify.send(
        session, [notify.note(uid, kind, title, body, f"/tasks/{ht.id}", None, now) for uid in sorted(user_ids)]
    )


# -- choosing a target ---------------------------------------------------------------------------------


def principal_label(session: Session, principal: str) -> str:
    """A person's name, or a position in words (“电子与物联网学院 审核人”)."""
    p = Principal.parse(principal)
    if p.is_user:
        return session.scalar(select(User.display_name).where(User.id == p.user_id)) or principal
    model = {ScopeType.UNIT: OrgUnit, ScopeType.CLASS: SchoolClass, ScopeType.SUBJECT: Subject}.get(p.scope_type)
    scope = session.scalar(select(model.name).where(model.id == p.scope_id)) if model else ""
    return " ".join(filter(None, [scope, org.ROLES.get(p.role, p.role)]))


def reassign_groups(session: Session) -> list[tuple[str, str]]:
    """Positions with at least one active holder, as (principal, label), for the reassign form."""
    rows = session.execute(
        select(RoleAssignment.role, RoleAssignment.scope_type, func.coalesce(RoleAssignment.scope_id, 0))
        .join(User, User.id == RoleAssignment.user_id)
        .where(User.active, RoleAssignment.role != Role.PROCESS_OWNER)
        .distinct()
    ).all()
    groups = [org.group_principal(role, scope_type, scope_id) for role, scope_type, scope_id in rows]
    return sorted(((g, principal_label(session, g)) for g in groups), key=lambda item: item[1])
