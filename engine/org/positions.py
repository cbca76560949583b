"""Positions with dates: terms are the record, `role_assignment` the positions in force today.

`assign` opens a term, `end` closes one; `sync_positions` makes `role_assignment` hold exactly the terms
in force on a day (the engine and the permission rules read only that table, so their queries stay as they
were). It runs after every change and once a day from the scheduler's tick, so a term that starts or ends
on a later date takes effect that day. `holders_on` answers who held a position on a given day.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from ..core import audit, settings
from ..core.errors import N_, InvalidInput, NotFound
from ..models import PositionTerm, Role, RoleAssignment, ScopeType, User

POSITION_LABELS = {
    Role.HEAD: N_("负责人"),
    Role.DEPUTY: N_("副职"),
    Role.REVIEWER: N_("审核人"),
    Role.OFFICE_STAFF: N_("办公室人员"),
    Role.PROCESS_OWNER: N_("流程负责人"),
    Role.LEADER_IN_CHARGE: N_("分管领导"),
    Role.LIAISON_LEADER: N_("联系领导"),
    Role.COUNSELOR: N_("辅导员"),
    Role.STUDY_COMMITTEE: N_("学习委员"),
    Role.MONITOR: N_("诊改办公室"),
    Role.SCHOOL_LEADER: N_("校领导"),
}
SCOPE_LABELS = {
    ScopeType.SCHOOL: N_("全校"),
    ScopeType.UNIT: N_("部门/学院"),
    ScopeType.CLASS: N_("班级"),
    ScopeType.SUBJECT: N_("主体"),
}
# what a position may be scoped to
ROLE_SCOPES = {
    Role.COUNSELOR: (ScopeType.CLASS,),
    Role.STUDY_COMMITTEE: (ScopeType.CLASS,),
    Role.MONITOR: (ScopeType.SCHOOL,),
    Role.SCHOOL_LEADER: (ScopeType.SCHOOL,),
}
DEFAULT_SCOPES = (ScopeType.UNIT, ScopeType.SUBJECT)


def check_scope(role: str, scope_type: str, scope_id: int | None) -> None:
    if role not in POSITION_LABELS:
        raise InvalidInput(N_("未知岗位：%(role)s"), role=role)
    if scope_type not in ROLE_SCOPES.get(role, DEFAULT_SCOPES):
        raise InvalidInput(N_("岗位“%(role)s”不能设在这个范围"), role=POSITION_LABELS[role])
    if (scope_type == ScopeType.SCHOOL) != (scope_id is None):
        raise InvalidInput(N_("岗位的范围不完整"))


def _today(session: Session, now: datetime) -> date:
    return settings.of(session).today(now)


def assign(
    session: Session, actor: User | None, user: User, role: str, scope_type: str, scope_id: int | None, now: datetime,
    starts_on: date | None = None, ends_on: date | None = None, sync: bool = True,
) -> PositionTerm:  # fmt: skip
    """Open a term (from today unless `starts_on`); an open term of the same position is returned as is."""
    check_scope(role, scope_type, scope_id)
    starts_on = starts_on or _today(session, now)
    if ends_on is not None and ends_on < starts_on:
        raise InvalidInput(N_("结束日期早于开始日期"))
    current = session.scalar(
        select(PositionTerm).where(
            PositionTerm.user_id == user.id, PositionTerm.role == role, PositionTerm.scope_type == scope_type,
            PositionTerm.scope_id.is_(None) if scope_id is None else PositionTerm.scope_id == scope_id,
            or_(PositionTerm.ends_on.is_(None), PositionTerm.ends_on >= starts_on),
        )
    )  # fmt: skip
    if current is not None:
        if current.ends_on != ends_on:
            current.ends_on = ends_on
        if sync:
            sync_positions(session, now, user_ids=[user.id])
        return current
    term = PositionTerm(
        user_id=user.id, role=role, scope_type=scope_type, scope_id=scope_id, starts_on=starts_on, ends_on=ends_on,
        created_at=now, created_by_id=actor.id if actor else None,
    )  # fmt: skip
    session.add(term)
    session.flush()
    after = {"role": role, "scope_type": scope_type, "scope_id": scope_id, "starts_on": starts_on.isoformat(),
             "ends_on": ends_on.isoformat() if ends_on else None}  # fmt: skip
    audit.record(session, now=now, actor_id=actor.id if actor else None, action="position.assign",
                 object_type="app_user", object_id=user.id, after=after)  # fmt: skip
    if sync:
        sync_positions(session, now, user_ids=[user.id])
    return term


def end(session: Session, actor: User | None, term_id: int, now: datetime, ends_on: date | None = None) -> PositionTerm:
    """Close a term (today unless `ends_on`): the person no longer holds the position from the next day."""
    term = session.get(PositionTerm, term_id)
    if term is None:
        raise NotFound(N_("岗位任职不存在"))
    ends_on = ends_on or _today(session, now)
    if ends_on < term.starts_on:
        raise InvalidInput(N_("结束日期早于开始日期"))
    before = term.ends_on
    term.ends_on = ends_on
    audit.record(session, now=now, actor_id=actor.id if actor else None, action="position.end",
                 object_type="app_user", object_id=term.user_id,
                 before={"ends_on": before.isoformat() if before else None},
                 after={"role": term.role, "scope_type": term.scope_type, "scope_id": term.scope_id,
                        "ends_on": ends_on.isoformat()})  # fmt: skip
    session.flush()
    sync_positions(session, now, user_ids=[term.user_id])
    return term


def in_force(day: date):
    return (PositionTerm.starts_on <= day) & (or_(PositionTerm.ends_on.is_(None), PositionTerm.ends_on >= day))


def sync_positions(session: Session, now: datetime, user_ids: list[int] | None = None) -> int:
    """Make `role_assignment` hold exactly the terms in force today (for some users or everyone); returns
    how many rows changed."""
    day = _today(session, now)
    terms = select(PositionTerm.user_id, PositionTerm.role, PositionTerm.scope_type, PositionTerm.scope_id).where(
        in_force(day)
    )
    held = select(RoleAssignment.id, RoleAssignment.user_id, RoleAssignment.role, RoleAssignment.scope_type,
                  RoleAssignment.scope_id)  # fmt: skip
    if user_ids is not None:
        terms = terms.where(PositionTerm.user_id.in_(user_ids))
        held = held.where(RoleAssignment.user_id.in_(user_ids))
    known = select(PositionTerm.user_id, PositionTerm.role, PositionTerm.scope_type, PositionTerm.scope_id)
    if user_ids is not None:
        known = known.where(PositionTerm.user_id.in_(user_ids))
    with_terms = {tuple(r) for r in session.execute(known.distinct())}
    wanted = {tuple(r) for r in session.execute(terms)}
    have = {tuple(r[1:]): r[0] for r in session.execute(held)}
    # a position written without any term (before terms existed, or by hand) is left alone
    gone = [rid for key, rid in have.items() if key not in wanted and key in with_terms]
    new = sorted((key for key in wanted if key not in have), key=lambda k: (k[0], k[1], k[2], k[3] or 0))
    if gone:
        session.execute(delete(RoleAssignment).where(RoleAssignment.id.in_(gone)))
    if new:
        session.add_all(RoleAssignment(user_id=u, role=r, scope_type=t, scope_id=i) for u, r, t, i in new)
    session.flush()
    return len(gone) + len(new)


def holders_on(session: Session, role: str, scope_type: str, scope_id: int | None, day: date) -> list[User]:
    """Who held a position on a day (the history: who held the role when a task was assigned)."""
    scope = PositionTerm.scope_id.is_(None) if scope_id is None else PositionTerm.scope_id == scope_id
    return list(
        session.scalars(
            select(User)
            .join(PositionTerm, PositionTerm.user_id == User.id)
            .where(PositionTerm.role == role, PositionTerm.scope_type == scope_type, scope, in_force(day))
            .order_by(User.username)
        )
    )


def terms_of(session: Session, user_ids) -> list[PositionTerm]:
    return list(
        session.scalars(
            select(PositionTerm)
            .where(PositionTerm.user_id.in_(list(user_ids)))
            .order_by(PositionTerm.starts_on.desc(), PositionTerm.id.desc())
        )
    )


__all__ = ["POSITION_LABELS", "SCOPE_LABELS", "assign", "end", "holders_on", "sync_positions", "terms_of"]


def today_of(session: Session, now: datetime) -> date:
    """The school's calendar day now."""
    return _today(session, now)


HEAD_ROLES = (Role.HEAD, Role.DEPUTY, Role.REVIEWER, Role.OFFICE_STAFF, Role.PROCESS_OWNER)  # a head may give these


def resolve_scope(session: Session, scope_kind: str, code: str) -> tuple[str, int | None]:
    """A scope typed as a kind (school / unit / class / major / course) and a code, as (scope_type, scope_id)."""
    from ..models import OrgUnit, SchoolClass, Subject

    code = (code or "").strip()
    if scope_kind == "school":
        return ScopeType.SCHOOL, None
    if not code:
        raise InvalidInput(N_("请填写范围代码"), fields={"scope_code": N_("请填写范围代码")})
    if scope_kind == "unit":
        found = session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))
        return ScopeType.UNIT, _found(found, N_("没有代码为“%(code)s”的单位"), code)
    if scope_kind == "class":
        found = session.scalar(select(SchoolClass.id).where(SchoolClass.code == code))
        return ScopeType.CLASS, _found(found, N_("没有代码为“%(code)s”的班级"), code)
    if scope_kind in ("major", "course"):
        found = session.scalar(select(Subject.id).where(Subject.type == scope_kind, Subject.code == code))
        return ScopeType.SUBJECT, _found(found, N_("没有代码为“%(code)s”的专业或课程"), code)
    raise InvalidInput(N_("请选择范围"), fields={"scope_kind": N_("请选择范围")})


def _found(found, message, code):
    if found is None:
        raise InvalidInput(message, fields={"scope_code": {"message": message, "params": {"code": code}}}, code=code)
    return found


def assign_by_number(
    session: Session, actor: User, now: datetime, number: str, role: str, scope_kind: str, scope_code: str,
    starts_on: date | None, ends_on: date | None, allowed_units: list[int] | None = None,
) -> PositionTerm:  # fmt: skip
    """The 系统管理 form: a person by 工号/学号, a scope by its code. `allowed_units` limits a department head
    to the units they head and to the positions a head may give."""
    person = session.scalar(select(User).where(User.username == (number or "").strip()))
    if person is None:
        raise InvalidInput(N_("没有这个工号或学号"), fields={"number": N_("没有这个工号或学号")})
    if not person.active:
        raise InvalidInput(N_("该人员已停用"), fields={"number": N_("该人员已停用")})
    scope_type, scope_id = resolve_scope(session, scope_kind, scope_code)
    if allowed_units is not None and (scope_type != ScopeType.UNIT or scope_id not in allowed_units
                                      or role not in HEAD_ROLES):  # fmt: skip
        message = N_("您只能在自己负责的单位内任命岗位")
        raise InvalidInput(message, fields={"scope_code": message})
    try:
        return assign(session, actor, person, role, scope_type, scope_id, now, starts_on=starts_on, ends_on=ends_on)
    except InvalidInput as exc:
        exc.fields = exc.fields or {"role": exc.message}
        raise


def end_checked(session: Session, actor: User, term_id: int, now: datetime, ends_on: date | None,
                allowed_units: list[int] | None = None) -> PositionTerm:  # fmt: skip
    term = session.get(PositionTerm, term_id)
    if term is None or (allowed_units is not None and (term.scope_type != ScopeType.UNIT
                                                       or term.scope_id not in allowed_units)):  # fmt: skip
        raise NotFound(N_("岗位任职不存在"))
    return end(session, actor, term_id, now, ends_on)


def terms_in(session: Session, unit_ids: list[int] | None, current_only: bool, day: date, limit: int = 500):
    """Terms scoped to some units (all terms for None), newest first; only those in force or to come."""
    stmt = select(PositionTerm)
    if unit_ids is not None:
        stmt = stmt.where(PositionTerm.scope_type == ScopeType.UNIT, PositionTerm.scope_id.in_(unit_ids))
    if current_only:
        stmt = stmt.where(or_(PositionTerm.ends_on.is_(None), PositionTerm.ends_on >= day))
    return list(session.scalars(stmt.order_by(PositionTerm.scope_type, PositionTerm.scope_id, PositionTerm.role,
                                              PositionTerm.starts_on.desc()).limit(limit)))  # fmt: skip
