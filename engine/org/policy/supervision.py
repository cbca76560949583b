"""The rules over quality supervision (质量督导) and satisfaction surveys (what each rule admits:
engine/org/policy/__init__.py).

Each kind of supervision has a lead function and cooperating functions (seed annex, 质量督导); 教学质量督导 also
has the colleges cooperating. Lead and cooperating departments (any of their staff) see every record of the
kind; a college cooperating (its administrative staff: 职员, 辅导员) sees the 教学 records on its own subjects
(its teachers, majors, courses, itself); teachers do not read their colleagues' records (a teacher of the expert
committee supervises as an expert). A supervisor sees their own records; the
supervised party (`supervised_subjects`) sees the records on their subjects.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import object_session

from ...models import OrgUnit, Role, Subject, SubjectMember
from ...models.org import COLLEGE
from .base import F, Viewer

# kind: (lead function, cooperating functions, colleges cooperate)
SUPERVISION_UNITS = {
    "teaching": (F.QUALITY_OFFICE, (F.ACADEMIC_AFFAIRS,), True),
    "education": (F.STUDENT_AFFAIRS, (F.HUMAN_RESOURCES,), False),
    "service": (F.PARTY_OFFICE, (F.HUMAN_RESOURCES,), False),
}
UNIT_SUBJECT_TYPES = ("functional_dept", "college")  # answered by the unit's head or reviewer
PARTY_ROLES = (Role.HEAD, Role.REVIEWER)
COLLEGE_STAFF = ("staff", "counselor")  # a college's administrative staff cooperate in 教学质量督导


def supervision_kinds_seen(v: Viewer) -> set[str]:
    """The kinds whose every record the user sees: monitors all; the lead and cooperating departments theirs."""
    if v.is_monitor:
        return set(SUPERVISION_UNITS)
    if v.is_student:
        return set()
    held = v.unit_functions
    return {kind for kind, (lead, coop, _c) in SUPERVISION_UNITS.items() if lead in held or held & set(coop)}


def supervision_college(v: Viewer) -> int | None:
    """The college the user works in (a cooperating unit of 教学质量督导), or None."""
    unit = v.user.org_unit
    if v.user.kind not in COLLEGE_STAFF or unit is None:  # teachers supervise as experts, not as the college
        return None
    if unit.kind == COLLEGE:
        return unit.id
    parent = v.user.org_unit.parent_id
    return parent if parent is not None and _is_college(v, parent) else None


def _is_college(v: Viewer, unit_id: int) -> bool:
    session = object_session(v.user)
    return session is not None and session.scalar(select(OrgUnit.kind).where(OrgUnit.id == unit_id)) == COLLEGE


def supervises(v: Viewer, kind: str, expert: bool) -> bool:
    """A supervisor of the kind: staff of its lead or a cooperating unit (a college for 教学), or an expert
    committee member (`expert`, read by the caller from the committee)."""
    if kind not in SUPERVISION_UNITS or v.is_student:
        return False
    lead, coop, colleges = SUPERVISION_UNITS[kind]
    held = v.unit_functions
    return expert or lead in held or bool(held & set(coop)) or (colleges and supervision_college(v) is not None)


def leads_supervision(v: Viewer, kind: str) -> bool:
    """The lead department (any of its staff) writes the kind's plan; administrators too."""
    if kind not in SUPERVISION_UNITS:
        return False
    return bool(v.user.is_admin) or (not v.is_student and SUPERVISION_UNITS[kind][0] in v.unit_functions)


def supervised_subjects(v: Viewer):
    """The subjects the user answers for: their own (teacher, student), those whose team they lead, and the
    functional departments and colleges where they are head or reviewer."""
    conds = [Subject.user_id == v.id]
    conds.append(
        Subject.id.in_(select(SubjectMember.subject_id).where(SubjectMember.user_id == v.id,
                                                              SubjectMember.role == "leader"))
    )  # fmt: skip
    if units := v.units(*PARTY_ROLES):
        conds.append(Subject.type.in_(UNIT_SUBJECT_TYPES) & Subject.org_unit_id.in_(sorted(units)))
    return select(Subject.id).where(or_(*conds))


def subjects_of_college(college_id: int):
    """The subjects of a college and of its 教研室 / 实训中心."""
    units = select(OrgUnit.id).where(or_(OrgUnit.id == college_id, OrgUnit.parent_id == college_id))
    return select(Subject.id).where(Subject.org_unit_id.in_(units))


def supervision_record_visible(v: Viewer, record):
    """Records the user may see (over SupervisionRecord); None for monitors."""
    if v.is_monitor:
        return None
    conds = [record.supervisor_id == v.id, record.subject_id.in_(supervised_subjects(v))]
    if kinds := supervision_kinds_seen(v):
        conds.append(record.kind.in_(sorted(kinds)))
    if (college := supervision_college(v)) is not None:
        conds.append((record.kind == "teaching") & record.subject_id.in_(subjects_of_college(college)))
    return or_(*conds)


def runs_surveys(v: Viewer) -> bool:
    """Monitors and 质量管理处 import the satisfaction surveys (both kinds: the organisation has no 招生就业处
    function, so 质量管理处 runs the 用人单位 survey too)."""
    return v.is_monitor or (not v.is_student and F.QUALITY_OFFICE in v.unit_functions)


def reads_surveys(v: Viewer) -> bool:
    """Staff and teachers read the survey results (they feed the colleges' and majors' documents)."""
    return not v.is_student


__all__ = [
    "PARTY_ROLES", "SUPERVISION_UNITS", "UNIT_SUBJECT_TYPES", "leads_supervision", "reads_surveys", "runs_surveys",
    "subjects_of_college", "supervised_subjects", "supervises", "supervision_college", "supervision_kinds_seen",
    "supervision_record_visible",
]  # fmt: skip
