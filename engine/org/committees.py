"""Committees of 诊改 as data (seed §六(一)4-5): list, read, save with their rules checked
(engine/org/committee_rules.py), and their members as the people of a committee lane
(`scope="committee:<kind>"`, engine/org/assignment.py)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..core import audit
from ..core.errors import N_, InvalidInput, NotFound, object_id
from ..models import Committee, CommitteeMember, OrgFunction, OrgUnit, Role, RoleAssignment, ScopeType, User
from . import policy
from .committee_rules import KINDS, ROLES, Draft, Facts, Member, broken_rules

PREFIX = "committee:"  # a lane's scope naming a committee kind
SINGLE_KINDS = ("work_committee", "office", "platform_group", "expert_committee", "expert_pool")  # one per school
GROUP_KINDS = ("dept_group", "college_group")  # one per leading unit: a lane takes the subject's unit's group


def kind_of(scope: str) -> str | None:
    """The committee kind a lane scope names (`committee:<kind>`), else None."""
    return scope[len(PREFIX) :] if scope and scope.startswith(PREFIX) else None


def facts(session: Session) -> Facts:
    """What the rules read of the organisation, from today's positions, units and functions."""
    leaders = frozenset(
        session.scalars(
            select(RoleAssignment.user_id)
            .join(User, User.id == RoleAssignment.user_id)
            .where(RoleAssignment.role == Role.SCHOOL_LEADER, User.active)
            .where(RoleAssignment.scope_type == ScopeType.SCHOOL)
        )
    )
    heads: dict[int, set[int]] = {}
    for unit_id, uid in session.execute(
        select(RoleAssignment.scope_id, RoleAssignment.user_id)
        .join(User, User.id == RoleAssignment.user_id)
        .where(RoleAssignment.role == Role.HEAD, RoleAssignment.scope_type == ScopeType.UNIT, User.active)
    ):
        heads.setdefault(unit_id, set()).add(uid)
    executive = session.scalar(
        select(CommitteeMember.user_id)
        .join(Committee, Committee.id == CommitteeMember.committee_id)
        .where(Committee.kind == "work_committee", CommitteeMember.role == "executive_vice")
        .limit(1)
    )
    users = session.execute(select(User.id, User.org_unit_id, User.display_name).where(User.kind != "student"))
    user_units, names = {}, {}
    for uid, unit_id, name in users:
        user_units[uid], names[uid] = unit_id, name
    return Facts(
        school_leaders=leaders,
        heads={k: frozenset(v) for k, v in heads.items()},
        user_units=user_units,
        units={u.id: (u.name, u.kind) for u in session.scalars(select(OrgUnit).where(OrgUnit.active))},
        functions=dict(session.execute(select(OrgFunction.key, OrgFunction.org_unit_id)).all()),
        executive_vice=executive,
        names=names,
    )


def list_committees(session: Session, user: User, principals) -> list[Committee]:
    if not policy.reads_standards(policy.viewer(user, principals)):
        return []
    order = {k: i for i, k in enumerate(KINDS)}
    rows = session.scalars(select(Committee).options(selectinload(Committee.members)))
    return sorted(rows, key=lambda c: (order.get(c.kind, 99), c.name))


def get_committee(session: Session, user: User, committee_id, principals) -> Committee:
    """A committee the user may read (staff and teachers), or NotFound."""
    committee_id = object_id(committee_id, N_("组织不存在"))
    committee = session.get(Committee, committee_id)
    if committee is None or not policy.reads_standards(policy.viewer(user, principals)):
        raise NotFound(N_("组织不存在"))
    return committee


def may_edit(user: User, principals) -> bool:
    return policy.edits_committees(policy.viewer(user, principals))


def draft_of(committee: Committee) -> Draft:
    members = tuple(
        Member(m.role, m.user_id, m.external_name or (m.user.display_name if m.user else ""),
               m.external_employer or "", m.org_unit_id)
        for m in committee.members
    )  # fmt: skip
    c = committee
    return Draft(c.kind, c.name, members, c.org_unit_id, c.term_start, c.term_end)


def check(session: Session, draft: Draft) -> list[tuple[str, dict]]:
    return broken_rules(draft, facts(session))


def save(session: Session, user: User | None, now: datetime, draft: Draft, committee: Committee | None = None,
         note: str | None = None) -> Committee:  # fmt: skip
    """Create or replace a committee with its members; a broken rule saves nothing (InvalidInput naming every
    broken rule in `fields["rules"]`)."""
    if committee is not None and committee.kind != draft.kind:
        raise InvalidInput(N_("组织类型不能修改"))
    broken = check(session, draft)
    if broken:
        rules = [{"message": m, "params": p} for m, p in broken]
        raise InvalidInput(N_("不符合组织规则，未保存"), fields={"rules": rules})
    before = None
    if committee is None:
        committee = Committee(kind=draft.kind)
        session.add(committee)
    else:
        before = {"name": committee.name, "members": len(committee.members)}
    committee.name, committee.org_unit_id = draft.name.strip(), draft.unit_id
    committee.term_start, committee.term_end = draft.term_start, draft.term_end
    if note is not None:
        committee.note = note
    committee.updated_at, committee.updated_by_id = now, user and user.id
    committee.members = [
        CommitteeMember(position=i, role=m.role, user_id=m.user_id, org_unit_id=m.unit_id,
                        external_name=m.name.strip() if m.external else None,
                        external_employer=(m.employer.strip() or None) if m.external else None)
        for i, m in enumerate(draft.members)
    ]  # fmt: skip
    session.flush()
    audit.record(
        session, actor_id=user and user.id, action="committee.save", object_type="committee", object_id=committee.id,
        now=now, before=before, after={"name": committee.name, "members": len(committee.members)},
    )  # fmt: skip
    return committee


def member_user_ids(session: Session, kind: str, roles: tuple[str, ...], unit_id: int | None) -> list[int]:
    """Active people of the committee of `kind` holding one of `roles` (all members for `("any",)`); a group
    kind takes the group led by `unit_id`."""
    stmt = (
        select(CommitteeMember.user_id)
        .join(Committee, Committee.id == CommitteeMember.committee_id)
        .join(User, User.id == CommitteeMember.user_id)
        .where(Committee.kind == kind, User.active)
    )
    if roles != ("any",):
        stmt = stmt.where(CommitteeMember.role.in_(roles))
    if kind in GROUP_KINDS:
        stmt = stmt.where(Committee.org_unit_id == unit_id)
    return sorted(set(session.scalars(stmt)))


def draft_from_input(session: Session, kind: str, values: dict, rows: list[dict]) -> Draft:
    """A committee as typed on its page: `values` (name, unit, term_start, term_end as text) and member rows
    (role, username for a person of the school, or name and employer for an external expert, unit). Rows
    with neither a username nor a name are left out; what cannot be read raises InvalidInput by field."""
    errors: dict[str, list[str]] = {}
    term = {}
    for key in ("term_start", "term_end"):
        text = (values.get(key) or "").strip()
        try:
            term[key] = date.fromisoformat(text) if text else None
        except ValueError:
            errors[key] = [N_("日期格式应为 2017-09-01")]
    unit_id = None
    if (text := (values.get("unit") or "").strip()) and not (text.isdigit() and session.get(OrgUnit, int(text))):
        errors["unit"] = [N_("部门不存在")]
    elif text:
        unit_id = int(text)
    usernames = {(r.get("username") or "").strip() for r in rows} - {""}
    users = {u.username: u for u in session.scalars(select(User).where(User.username.in_(sorted(usernames))))}
    members = []
    for i, row in enumerate(rows):
        username, name = (row.get("username") or "").strip(), (row.get("name") or "").strip()
        if not username and not name:
            continue
        member_unit = (row.get("unit") or "").strip()
        if member_unit and not (member_unit.isdigit() and session.get(OrgUnit, int(member_unit))):
            errors[f"members.{i}.unit"] = [N_("部门不存在")]
            continue
        role = (row.get("role") or "").strip()
        if role not in ROLES:
            errors[f"members.{i}.role"] = [N_("请选择角色")]
            continue
        unit = int(member_unit) if member_unit else None
        if username:
            user = users.get(username)
            if user is None or user.kind == "student":
                errors[f"members.{i}.username"] = [N_("工号不存在")]
                continue
            members.append(Member(role, user.id, user.display_name, "", unit))
        elif len(name) > 64 or len((row.get("employer") or "").strip()) > 100:
            errors[f"members.{i}.name"] = [N_("姓名或单位过长")]
        else:
            members.append(Member(role, None, name, (row.get("employer") or "").strip(), unit))
    name = (values.get("name") or "").strip()
    if len(name) > 100:
        errors["name"] = [N_("名称过长")]
    if errors:
        raise InvalidInput(N_("请检查填写的内容"), fields=errors)
    return Draft(kind, name, tuple(members), unit_id, term["term_start"], term["term_end"])


def term_text(start: date | None, end: date | None) -> str:
    return f"{start or ''} — {end or ''}" if start or end else ""


__all__ = [
    "GROUP_KINDS", "KINDS", "PREFIX", "ROLES", "SINGLE_KINDS", "Draft", "Member", "check", "draft_from_input",
    "draft_of", "facts",
    "get_committee", "kind_of", "list_committees", "may_edit", "member_user_ids", "save", "term_text",
]  # fmt: skip
