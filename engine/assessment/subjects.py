"""The 2018 extension's targets: 专业 and 课程 subjects, and the 教师-level subjects of 教师 / 辅导员 / 职员 (seed 附件
2018: 发展性考核 of 专业/课程 and 教师/辅导员/职员), and who scores them, resolved from the organisation:

- 学校领导 (leaders) and 专家委员会 (experts): as for units;
- 教务处 (academic): the heads and deputies of the unit holding the academic_affairs function, else its reviewers;
- 学生 (students): a major's students (its classes); a course's: its major's, else its college's; a teacher's
  (评教): the students of the majors whose team or courses they are in, else their college's; a counselor's:
  the students of their classes;
- 所在教研室/科室负责人 (section): the heads of the person's 教研室/科室 when they belong to one, else the leaders
  of the majors whose team they are in (the 专业负责人 leads the teaching section);
- 所在二级学院/部门 (unit): the heads and deputies of the person's college or department, else its reviewers.

Nobody scores themself. Sampling (at most `sample` per group, 学校领导 all) is the caller's (campaigns.py).
"""

from __future__ import annotations

from bisect import bisect_left

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import (
    FunctionKey,
    OrgUnit,
    Role,
    RoleAssignment,
    SchoolClass,
    ScopeType,
    Subject,
    SubjectMember,
    User,
)
from ..models.org import SUB_UNIT_KINDS
from ..org import functions

SUBJECT_TYPES = {"major": "major", "course": "course", "teacher": "teacher", "counselor": "teacher",
                 "staff": "teacher"}  # fmt: skip  # target kind -> Subject.type
PEOPLE = ("teacher", "counselor", "staff")


def targets(session: Session, kind: str) -> list[Subject]:
    """The subjects a campaign assesses for a target kind: every major or course with a unit; every active
    person of that kind (their 教师-level subject)."""
    stmt = select(Subject).where(Subject.type == SUBJECT_TYPES[kind], Subject.org_unit_id.is_not(None))
    if kind in PEOPLE:
        stmt = stmt.join(User, User.id == Subject.user_id).where(User.kind == kind, User.active)
    return list(session.scalars(stmt.order_by(Subject.code, Subject.id)))


def people_of(session: Session, subjects: list[Subject]) -> dict[int, User]:
    """The persons of 教师-level subjects, read at once (keep the dict for as long as scorer_pool runs: it is
    given as `memo[PEOPLE_KEY]`)."""
    ids = [s.user_id for s in subjects if s.user_id]
    found: dict[int, User] = {}
    for start in range(0, len(ids), 500):
        found.update({u.id: u for u in session.scalars(select(User).where(User.id.in_(ids[start:start + 500])))})
    return found


PEOPLE_KEY, MAJORS_KEY = ("people",), ("majors",)


def _leads(session: Session, unit_id: int | None) -> list[int]:
    """The unit's heads and deputies, else its reviewers (a department run by its 审核人 in the roster)."""
    if unit_id is None:
        return []
    for roles in ((Role.HEAD, Role.DEPUTY), (Role.REVIEWER,)):
        people = list(session.scalars(
            select(RoleAssignment.user_id).join(User, User.id == RoleAssignment.user_id)
            .where(RoleAssignment.role.in_(roles), RoleAssignment.scope_type == ScopeType.UNIT,
                   RoleAssignment.scope_id == unit_id, User.active)
        ))  # fmt: skip
        if people:
            return people
    return []


def _students(session: Session, *, majors=(), unit_id: int | None = None, classes=()) -> list[int]:
    stmt = select(User.id).where(User.kind == "student", User.active)
    if classes:
        stmt = stmt.where(User.class_id.in_(list(classes)))
    elif majors:
        stmt = stmt.join(SchoolClass, SchoolClass.id == User.class_id).where(
            SchoolClass.major_subject_id.in_(list(majors)))  # fmt: skip
    elif unit_id is not None:
        stmt = stmt.where(User.org_unit_id == unit_id)
    else:
        return []
    return list(session.scalars(stmt))


def _majors_by_person(session: Session) -> dict[int, list[int]]:
    """Each person's majors: those whose team they are in, directly or through one of its courses (one read for
    a whole campaign)."""
    rows = session.execute(
        select(SubjectMember.user_id, Subject.id, Subject.type, Subject.parent_id)
        .join(SubjectMember, SubjectMember.subject_id == Subject.id)
        .where(Subject.type.in_(("major", "course")))
    ).all()  # fmt: skip
    out: dict[int, set[int]] = {}
    for uid, sid, stype, parent in rows:
        if stype == "major" or parent:
            out.setdefault(uid, set()).add(sid if stype == "major" else parent)
    return {uid: sorted(majors) for uid, majors in out.items()}


def _top_unit(session: Session, unit_id: int | None) -> OrgUnit | None:
    unit = session.get(OrgUnit, unit_id) if unit_id else None
    return session.get(OrgUnit, unit.top_id) if unit is not None and unit.top_id != unit.id else unit


def _section(session: Session, person: User, majors: list[int], once) -> list[int]:
    unit = session.get(OrgUnit, person.org_unit_id) if person.org_unit_id else None
    if unit is not None and unit.kind in SUB_UNIT_KINDS:
        return once(("leads", unit.id), lambda: _leads(session, unit.id))
    if not majors:
        return []
    return once(("major leaders", tuple(majors)), lambda: list(session.scalars(select(SubjectMember.user_id).where(
        SubjectMember.subject_id.in_(majors), SubjectMember.role == "leader"))))  # fmt: skip


def academic(session: Session) -> list[int]:
    """教务处's scorers: the heads and deputies of the unit holding academic_affairs, else its reviewers."""
    return _leads(session, functions.holder_id(session, FunctionKey.ACADEMIC_AFFAIRS))


def scorer_pool(
    session: Session, subject: Subject, kind: str, school: dict[str, list[int]], memo: dict | None = None
) -> dict[str, list[int]]:
    """Who may score the subject, by group, before sampling; the subject's own person is left out. `school`: the
    groups the same for every subject, read once per campaign (leaders, experts: campaigns.school_pool; academic).
    Every group returned is sorted and unique. `memo`: one dict for the whole campaign, so what many
    subjects share (a college's students and heads, a major's students, a section's heads) is read once, not once
    per teacher or course."""
    memo = {} if memo is None else memo

    def once(key: tuple, read):
        if key not in memo:
            memo[key] = sorted(set(read()))
        return memo[key]

    def students(*, majors=(), unit_id=None, classes=()):
        key = ("students", tuple(sorted(majors)), unit_id, tuple(sorted(classes)))
        return once(key, lambda: _students(session, majors=majors, unit_id=unit_id, classes=classes))

    pool = {group: once(("school", group), lambda ids=ids: ids) for group, ids in school.items()}
    if kind == "major":
        pool["students"] = students(majors=[subject.id])
    elif kind == "course":
        pool["students"] = (students(majors=[subject.parent_id]) if subject.parent_id else []) or students(
            unit_id=subject.org_unit_id
        )
    else:
        person = memo.get(PEOPLE_KEY, {}).get(subject.user_id) or session.get(User, subject.user_id)
        top = _top_unit(session, person.org_unit_id)
        pool["unit"] = once(("leads", top.id if top else None), lambda: _leads(session, top.id if top else None))
        if MAJORS_KEY not in memo:
            memo[MAJORS_KEY] = _majors_by_person(session)
        majors = memo[MAJORS_KEY].get(person.id, [])
        pool["section"] = _section(session, person, majors, once)
        if kind == "counselor":
            classes = session.scalars(select(RoleAssignment.scope_id).where(
                RoleAssignment.user_id == person.id, RoleAssignment.role == Role.COUNSELOR,
                RoleAssignment.scope_type == ScopeType.CLASS))  # fmt: skip
            pool["students"] = students(classes=list(classes))
        elif kind == "teacher":
            pool["students"] = students(majors=majors) if majors else students(unit_id=top.id if top else None)
        else:
            pool["students"] = []
    return {g: _without(ids, subject.user_id) for g, ids in pool.items()}


def _without(ids: list[int], own: int | None) -> list[int]:
    """`ids` (sorted, unique) without the subject's own person: a college's 20,000 students are not copied for
    each of its teachers."""
    at = bisect_left(ids, own) if own is not None else len(ids)
    return ids if at == len(ids) or ids[at] != own else ids[:at] + ids[at + 1 :]


def responsible(session: Session, subject_ids) -> dict[int, set[int]]:
    """Each subject's responsible people: the leader of a major's or course's team, the person of a 教师-level
    subject (the leader of their own subject)."""
    out: dict[int, set[int]] = {}
    rows = session.execute(select(SubjectMember.subject_id, SubjectMember.user_id).where(
        SubjectMember.subject_id.in_(list(subject_ids) or [-1]), SubjectMember.role == "leader"))  # fmt: skip
    for sid, uid in rows:
        out.setdefault(sid, set()).add(uid)
    return out


def led_by(session: Session, user_id: int) -> list[int]:
    """The subjects the user is responsible for (leader of the team, or their own subject)."""
    return list(session.scalars(select(SubjectMember.subject_id).where(
        SubjectMember.user_id == user_id, SubjectMember.role == "leader")))  # fmt: skip
