"""Majors, courses and classes as the 系统管理 pages show them, and changing a major's or course's team."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import N_, InvalidInput, NotFound
from ..models import OrgUnit, RoleAssignment, SchoolClass, Subject, SubjectMember, User


def subjects_with_teams(session: Session, stype: str) -> list[dict]:
    """Majors or courses with their unit, parent major and members (the leader first)."""
    subjects = session.scalars(select(Subject).where(Subject.type == stype).order_by(Subject.code)).all()
    members: dict[int, list] = {}
    rows = session.execute(
        select(SubjectMember.subject_id, SubjectMember.role, User)
        .join(User, User.id == SubjectMember.user_id)
        .join(Subject, Subject.id == SubjectMember.subject_id)
        .where(Subject.type == stype)
        .order_by(SubjectMember.role.desc(), User.username)  # leader before member
    )
    for sid, role, user in rows:
        members.setdefault(sid, []).append((role, user))
    parents = {s.id: s for s in session.scalars(select(Subject).where(Subject.type == "major"))}
    return [{"subject": s, "members": members.get(s.id, []), "parent": parents.get(s.parent_id)} for s in subjects]


def classes(session: Session) -> list[dict]:
    """Classes with their major, unit, counselors and number of active students."""
    counts = dict(session.execute(
        select(User.class_id, func.count()).where(User.active, User.class_id.is_not(None)).group_by(User.class_id)
    ).all())  # fmt: skip
    counselors: dict[int, list[User]] = {}
    for cid, user in session.execute(
        select(RoleAssignment.scope_id, User).join(User, User.id == RoleAssignment.user_id)
        .where(RoleAssignment.role == "counselor", RoleAssignment.scope_type == "class")
    ):  # fmt: skip
        counselors.setdefault(cid, []).append(user)
    majors = {s.id: s for s in session.scalars(select(Subject).where(Subject.type == "major"))}
    units = {u.id: u for u in session.scalars(select(OrgUnit))}
    out = []
    for k in session.scalars(select(SchoolClass).order_by(SchoolClass.year.desc(), SchoolClass.code, SchoolClass.name)):
        out.append({"klass": k, "major": majors.get(k.major_subject_id), "unit": units.get(k.org_unit_id),
                    "counselors": counselors.get(k.id, []), "students": counts.get(k.id, 0)})  # fmt: skip
    return out


def set_team(session: Session, actor: User, subject_id: int, numbers: list[str], now: datetime) -> Subject:
    """Make a major's or course's team exactly these 工号 (the first is the leader)."""
    subject = session.get(Subject, subject_id)
    if subject is None or subject.type not in ("major", "course"):
        raise NotFound(N_("专业或课程不存在"))
    numbers = list(dict.fromkeys(n.strip() for n in numbers if n.strip()))
    users = {u.username: u for u in session.scalars(select(User).where(User.username.in_(numbers)))}
    unknown = [n for n in numbers if n not in users or users[n].kind == "student" or not users[n].active]
    if unknown:
        raise InvalidInput(N_("这些工号不是在用的教职工：%(numbers)s"), numbers="、".join(unknown))
    before = [
        (uid, role) for uid, role in session.execute(
            select(SubjectMember.user_id, SubjectMember.role).where(SubjectMember.subject_id == subject.id))
    ]  # fmt: skip
    wanted = [(users[n].id, "leader" if i == 0 else "member") for i, n in enumerate(numbers)]
    if sorted(before) == sorted(wanted):
        return subject
    session.execute(SubjectMember.__table__.delete().where(SubjectMember.subject_id == subject.id))
    session.add_all(SubjectMember(subject_id=subject.id, user_id=uid, role=role) for uid, role in wanted)
    audit.record(session, now=now, actor_id=actor.id, action="subject.team", object_type="subject",
                 object_id=subject.id, before={"members": [list(b) for b in sorted(before)]},
                 after={"members": [list(w) for w in wanted]})  # fmt: skip
    return subject


def set_pilot(session: Session, actor: User | None, subject_id: int, pilot: bool, now: datetime) -> Subject:
    """Mark a major or course as a 诊改试点 (seed §六(一)6: one or two majors per college with their
    courses), or unmark it; kept in `subject.attrs["pilot"]`."""
    subject = session.get(Subject, subject_id)
    if subject is None or subject.type not in ("major", "course"):
        raise NotFound(N_("专业或课程不存在"))
    before = bool((subject.attrs or {}).get("pilot"))
    if before == pilot:
        return subject
    subject.attrs = {**(subject.attrs or {}), "pilot": pilot}
    audit.record(session, now=now, actor_id=actor.id if actor else None, action="subject.pilot",
                 object_type="subject", object_id=subject.id, before={"pilot": before},
                 after={"pilot": pilot})  # fmt: skip
    return subject
