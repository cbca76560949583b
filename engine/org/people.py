"""People: search, deactivate (ending their positions and releasing their claimed tasks), reset password."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from ..core import audit, settings
from ..core.errors import N_, NotFound
from ..models import HumanTask, OrgUnit, PositionTerm, RoleAssignment, TaskState, User
from .passwords import hash_password, policy_problems

KIND_LABELS = {"teacher": N_("教师"), "counselor": N_("辅导员"), "staff": N_("职员"), "student": N_("学生")}
NO_PASSWORD = "!"  # an imported account has no local password until an administrator sets one (or SSO)


def search(session: Session, text: str = "", unit_id: int | None = None, kind: str | None = None,
           active: bool | None = True, page: int = 1, per_page: int = 50) -> tuple[list[User], int]:  # fmt: skip
    """People matching a name or 工号/学号, in a unit (and the units below it), of a kind; with the total."""
    where = []
    if text:
        like = f"%{text.strip()}%"
        where.append(or_(User.username.ilike(like), User.display_name.ilike(like)))
    if unit_id:
        where.append(User.org_unit_id.in_(unit_and_below(session, unit_id)))
    if kind in KIND_LABELS:
        where.append(User.kind == kind)
    if active is not None:
        where.append(User.active.is_(active))
    total = session.scalar(select(func.count()).select_from(User).where(*where))
    rows = session.scalars(
        select(User).where(*where).order_by(User.username).offset((max(page, 1) - 1) * per_page).limit(per_page)
    ).all()
    return list(rows), total or 0


def unit_and_below(session: Session, unit_id: int) -> list[int]:
    """A unit's id with the ids of every unit under it."""
    children: dict[int | None, list[int]] = {}
    for uid, parent in session.execute(select(OrgUnit.id, OrgUnit.parent_id)):
        children.setdefault(parent, []).append(uid)
    out, todo = [], [unit_id]
    while todo:
        uid = todo.pop()
        out.append(uid)
        todo.extend(children.get(uid, []))
    return out


def get(session: Session, user_id: int) -> User:
    person = session.get(User, user_id)
    if person is None:
        raise NotFound(N_("人员不存在"))
    return person


def deactivate(session: Session, actor: User | None, user_ids: list[int], now: datetime, note: str = "") -> int:
    """Deactivate people: they can no longer sign in, their positions end today (the tasks of a position wait
    for its other holders), and tasks they had claimed go back to their position's pool. A task only they
    could do has nobody left and shows in 流程异常 (engine/oversight/problems.py)."""
    if not user_ids:
        return 0
    today = settings.of(session).today(now)
    ids = list(user_ids)
    for chunk in _chunks(ids):
        session.execute(
            update(User).where(User.id.in_(chunk)).values(active=False, deactivated_at=now)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        session.execute(
            update(PositionTerm).where(PositionTerm.user_id.in_(chunk), PositionTerm.ends_on.is_(None))
            .values(ends_on=today).execution_options(synchronize_session=False)
        )  # fmt: skip
        session.execute(RoleAssignment.__table__.delete().where(RoleAssignment.user_id.in_(chunk)))
        session.execute(
            update(HumanTask).where(HumanTask.claimant_id.in_(chunk), HumanTask.state == TaskState.OPEN)
            .values(claimant_id=None, claimed_at=None).execution_options(synchronize_session=False)
        )  # fmt: skip
    audit.record_rows(session, [
        audit.row(now=now, actor_id=actor.id if actor else None, action="user.deactivate", object_type="app_user",
                  object_id=uid, before={"active": True}, after={"active": False}, note=note or None)
        for uid in ids
    ])  # fmt: skip
    session.expire_all()
    return len(ids)


def reactivate(session: Session, actor: User, user_id: int, now: datetime) -> User:
    person = get(session, user_id)
    if not person.active:
        person.active = True
        person.deactivated_at = None
        audit.record(session, now=now, actor_id=actor.id, action="user.reactivate", object_type="app_user",
                     object_id=person.id, before={"active": False}, after={"active": True})  # fmt: skip
    return person


def reset_password(session: Session, actor: User, user_id: int, now: datetime) -> str:
    """Give a person a new random password (shown once to the administrator); returns it."""
    person = get(session, user_id)
    password = ""
    while not password or policy_problems(password, person.username):  # e.g. all digits, once in a million
        password = "".join(secrets.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(10))
    person.password_hash = hash_password(password)
    audit.record(session, now=now, actor_id=actor.id, action="user.reset_password", object_type="app_user",
                 object_id=person.id, note="password reset by an administrator")  # fmt: skip
    return password


def _chunks(ids: list[int], size: int = 500):
    for i in range(0, len(ids), size):
        yield ids[i : i + size]
