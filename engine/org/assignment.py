"""Lanes name a role relative to the subject; here the role becomes the principals of a task."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, func, literal_column, select, tuple_
from sqlalchemy.orm import Session

from ..models import OrgFunction, OrgUnit, Role, RoleAssignment, Subject, SubjectMember, User
from . import committees, functions
from .principal import Principal, parse_all, sql_group

ROLES = {
    Role.AUTHOR: "主体成员（文档作者）",
    Role.REVIEWER: "审核人",
    Role.HEAD: "负责人",
    Role.LEADER_IN_CHARGE: "分管领导",
    Role.LIAISON_LEADER: "联系领导",
    Role.COUNSELOR: "辅导员",
    Role.MONITOR: "诊改办公室",
    Role.SCHOOL_LEADER: "校领导",
    Role.PROCESS_OWNER: "流程负责人",
    Role.DEPUTY: "副职",
    Role.OFFICE_STAFF: "办公室人员",
    Role.STUDY_COMMITTEE: "学习委员",
}

SCOPES = {
    "subject": "本主体",
    "subject_unit": "主体所在部门/学院",
    "subject_class": "主体所在班级",
    "school": "全校",
}
FIXED_UNIT_PREFIX = "unit:"
FUNCTION_PREFIX = functions.PREFIX  # `function:<key>`: the unit that holds the function (engine/org/functions.py)
COMMITTEE_PREFIX = committees.PREFIX  # `committee:<kind>`: members of that committee, role = committee roles or any
DATA_PREFIX = "="  # `=<name>`: the unit whose id the process data carries as `name` (a service request's provider)


@dataclass(frozen=True)
class Assignment:
    roles: tuple[str, ...]
    scope: str

    @classmethod
    def parse(cls, role_text: str, scope: str) -> Assignment:
        roles = tuple(r.strip() for r in (role_text or "").replace("|", ",").split(",") if r.strip())
        return cls(roles, (scope or "").strip())

    def problems(self) -> list[str]:
        out = []
        if not self.roles:
            out.append("泳道没有指定角色")
        if (kind := committees.kind_of(self.scope)) is not None:
            if kind not in committees.KINDS:
                out.append(f"未知的诊改组织：{kind}")
            out += [f"未知的组织角色：{r}" for r in self.roles if r != "any" and r not in committees.ROLES]
            return out
        for r in self.roles:
            if r not in ROLES:
                out.append(f"未知角色：{r}")
        if (key := functions.key_of(self.scope)) is not None:
            if not functions.is_known(key):
                out.append(f"未知职能：{key}")
        elif self.scope.startswith(DATA_PREFIX):
            if not self.scope[1:].isidentifier():
                out.append(f"数据指定部门的变量名无效：{self.scope[1:]}")
        elif self.scope not in SCOPES and not self.scope.startswith(FIXED_UNIT_PREFIX):
            out.append(f"未知范围：{self.scope}")
        if "author" in self.roles and (len(self.roles) > 1 or self.scope != "subject"):
            out.append("作者角色只能单独使用，范围为“本主体”")
        return out


def group_principal(role: str, scope_type: str, scope_id: int | None) -> str:
    return str(Principal.group(role, scope_type, scope_id))


def user_principal(user_id: int) -> str:
    return str(Principal.user(user_id))


_POSITIONS = select(RoleAssignment.role, RoleAssignment.scope_type, RoleAssignment.scope_id).where(
    RoleAssignment.user_id == bindparam("user_id")
)  # built once: every request asks


def principals_of(session: Session, user_id: int) -> list[str]:
    """Every principal a user acts as: themself and each position they hold."""
    rows = session.execute(_POSITIONS, {"user_id": user_id}).all()
    return [user_principal(user_id)] + [group_principal(*r) for r in rows]


_PRINCIPAL_SEP = ","  # not part of any principal (engine/org/principal.py)
# The user's group principals as one string: a column any statement reading a user can add (`principals_from`).
POSITIONS = (
    select(
        func.aggregate_strings(
            sql_group(RoleAssignment.role, RoleAssignment.scope_type, RoleAssignment.scope_id),
            literal_column(f"'{_PRINCIPAL_SEP}'"),  # written into the SQL, not a parameter rendered per execution
        )
    )
    .where(RoleAssignment.user_id == User.id)
    .scalar_subquery()
)
_USER_WITH_POSITIONS = select(User, POSITIONS).where(User.id == bindparam("user_id"))  # built once: asked often


def principals_from(user_id: int, positions: str | None) -> list[str]:
    """`principals_of` a user from the `POSITIONS` column read with them."""
    groups = [str(Principal.parse(text)) for text in positions.split(_PRINCIPAL_SEP)] if positions else []
    return [user_principal(user_id)] + groups


def user_with_principals(session: Session, user_id: int) -> tuple[User | None, list[str]]:
    """A user and `principals_of` them in one statement (the request's first: who is asking, as what)."""
    row = session.execute(_USER_WITH_POSITIONS, {"user_id": user_id}).first()
    if row is None:
        return None, []
    user, positions = row
    return user, principals_from(user.id, positions)


def resolve(session: Session, assignment: Assignment, subject: Subject | None) -> tuple[list[str], str]:
    """Principals for a lane relative to a subject, with a human label; empty list if unresolvable."""
    return resolve_many(session, assignment, [subject])[subject.id if subject else None]


def resolve_many(
    session: Session, assignment: Assignment, subjects, data: dict | None = None
) -> dict[int | None, tuple[list[str], str]]:
    """`resolve` for many subjects (keyed by subject id, None for no subject); authors in one query. `data`:
    the process data a `=<name>` scope reads its unit id from."""
    if assignment.roles == ("author",):
        members: dict[int, list[int]] = {}
        ids = [s.id for s in subjects if s is not None]
        if ids:
            for sid, uid in session.execute(_MEMBERS, {"ids": ids}):
                members.setdefault(sid, []).append(uid)
        return _authors(subjects, members)
    if (kind := committees.kind_of(assignment.scope)) is not None:
        return _committee_members(session, kind, assignment.roles, subjects)
    out = {}
    for subject in subjects:
        scope_type, scope_id, scope_label = _scope(session, assignment.scope, subject, data)
        roles = "、".join(ROLES.get(r, r) for r in assignment.roles)
        if scope_type is None:
            out[subject.id if subject else None] = ([], roles)
        else:
            label = (scope_label + " ") if scope_label else ""
            principals = [group_principal(r, scope_type, scope_id) for r in assignment.roles]
            out[subject.id if subject else None] = (principals, label + roles)
    return out


def _authors(subjects, members: dict[int, list[int]]) -> dict[int | None, tuple[list[str], str]]:
    return {
        (s.id if s else None): (
            ([user_principal(i) for i in sorted(members.get(s.id, []))], s.name) if s else ([], ROLES["author"])
        )
        for s in subjects
    }


def resolve_people(
    session: Session, assignment: Assignment, subjects, data: dict | None = None
) -> tuple[dict[int | None, tuple[list[str], str]], dict[str, set[int]]]:
    """`resolve_many` and the `users_behind` what it resolved to; a lane of a subject's authors (the author's
    step of every chain, a return's) in one statement for both."""
    if assignment.roles != ("author",):
        resolved = resolve_many(session, assignment, subjects, data)
        return resolved, users_behind(session, {p for principals, _ in resolved.values() for p in principals})
    members: dict[int, list[int]] = {}
    behind: dict[str, set[int]] = {}
    ids = [s.id for s in subjects if s is not None]
    if ids:
        for sid, uid, active in session.execute(_MEMBERS_ACTIVE, {"ids": ids}):
            members.setdefault(sid, []).append(uid)
            behind[user_principal(uid)] = {uid} if active else set()
    return _authors(subjects, members), behind


def _committee_members(session: Session, kind: str, roles: tuple[str, ...], subjects):
    """A committee lane: the people of the committee holding the roles (a group: the subject's unit's group)."""
    label = committees.KINDS.get(kind, kind)
    if roles != ("any",):
        label += " " + "、".join(committees.ROLES.get(r, r) for r in roles)
    return {
        (s.id if s else None): (
            [user_principal(uid) for uid in committees.member_user_ids(session, kind, roles, s and s.org_unit_id)],
            label,
        )
        for s in subjects
    }


def has_members(session: Session, principals: list[str]) -> bool:
    """True if at least one active user stands behind the principals."""
    parsed = parse_all(principals)
    user_ids = [p.user_id for p in parsed if p.is_user]
    if user_ids and session.scalar(select(func.count()).where(User.id.in_(user_ids), User.active)):
        return True
    for p in parsed:
        if p.is_user:
            continue
        stmt = (
            select(func.count())
            .select_from(RoleAssignment)
            .join(User, User.id == RoleAssignment.user_id)
            .where(
                RoleAssignment.role == p.role,
                RoleAssignment.scope_type == p.scope_type,
                func.coalesce(RoleAssignment.scope_id, 0) == p.scope_id,
                User.active,
            )
        )
        if session.scalar(stmt):
            return True
    return False


# Built once (a step resolves its new tasks' people with them): members of subjects, active persons,
# and the active holders of positions matched as (role, scope type, scope id) rows.
_MEMBERS = select(SubjectMember.subject_id, SubjectMember.user_id).where(
    SubjectMember.subject_id.in_(bindparam("ids", expanding=True))
)
_MEMBERS_ACTIVE = (
    select(SubjectMember.subject_id, SubjectMember.user_id, User.active)
    .join(User, User.id == SubjectMember.user_id)
    .where(SubjectMember.subject_id.in_(bindparam("ids", expanding=True)))
)
_ACTIVE = select(User.id).where(User.id.in_(bindparam("ids", expanding=True)), User.active)
_HOLDERS = (
    select(RoleAssignment.role, RoleAssignment.scope_type, RoleAssignment.scope_id, RoleAssignment.user_id)
    .join(User, User.id == RoleAssignment.user_id)
    .where(
        User.active,
        tuple_(RoleAssignment.role, RoleAssignment.scope_type, func.coalesce(RoleAssignment.scope_id, 0)).in_(
            bindparam("positions", expanding=True)
        ),
    )
)


def users_behind(session: Session, principals) -> dict[str, set[int]]:
    """Active users behind each principal: one query for the persons, one for all the groups (in chunks)."""
    principals = set(principals)
    out: dict[str, set[int]] = {p: set() for p in principals}
    parsed = parse_all(principals)
    user_ids = {p.user_id for p in parsed if p.is_user}
    if user_ids:
        for uid in session.scalars(_ACTIVE, {"ids": sorted(user_ids)}):
            out[user_principal(uid)].add(uid)
    groups = sorted((str(p.role), str(p.scope_type), p.scope_id) for p in parsed if p.is_group)
    for i in range(0, len(groups), 200):
        for role, scope_type, scope_id, uid in session.execute(_HOLDERS, {"positions": groups[i : i + 200]}):
            out.setdefault(group_principal(role, scope_type, scope_id), set()).add(uid)
    return out


_FUNCTION_HOLDER = (
    select(OrgUnit).join(OrgFunction, OrgFunction.org_unit_id == OrgUnit.id).where(OrgFunction.key == bindparam("key"))
)  # built once: a function lane asks at every task it creates


def _scope(session: Session, scope: str, subject: Subject | None, data: dict | None = None):
    if scope == "school":
        return "school", 0, ""
    if scope.startswith(DATA_PREFIX):
        value = (data or {}).get(scope[len(DATA_PREFIX) :])
        unit = session.get(OrgUnit, value) if isinstance(value, int) and not isinstance(value, bool) else None
        return ("unit", unit.id, unit.name) if unit else (None, None, None)
    if scope.startswith(FIXED_UNIT_PREFIX):
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == scope[len(FIXED_UNIT_PREFIX) :]))
        return ("unit", unit.id, unit.name) if unit else (None, None, None)
    if (key := functions.key_of(scope)) is not None:
        unit = session.scalar(_FUNCTION_HOLDER, {"key": key})
        return ("unit", unit.id, unit.name) if unit else (None, None, None)
    if subject is None:
        return None, None, None
    if scope == "subject":
        return "subject", subject.id, subject.name
    if scope == "subject_unit" and subject.org_unit_id:
        return "unit", subject.org_unit_id, subject.org_unit.name if subject.org_unit else ""
    if scope == "subject_class" and subject.class_id:
        return "class", subject.class_id, ""
    return None, None, None
