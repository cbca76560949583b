"""The rules over tasks, process instances, processes, templates and documents, and the `Viewer` every rule
reads (what each rule admits: engine/org/policy/__init__.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import and_, case, exists, false, inspect, or_, select
from sqlalchemy.exc import NoInspectionAvailable
from sqlalchemy.orm import Session, object_session
from sqlalchemy.sql.elements import BindParameter

from ...core.errors import N_, NotFound
from ...models import (
    Document,
    DocumentShare,
    FormTemplate,
    FunctionKey,
    HumanTask,
    OrgUnit,
    ProcessDefinition,
    ProcessInstance,
    ProcessVersion,
    Role,
    ScopeType,
    Subject,
    SubjectMember,
    TaskCandidate,
    User,
)
from ..functions import keys_held_by, owned_by_units, owner_unit_id
from ..principal import Principal, parse_all

MONITOR = str(Principal.group(Role.MONITOR, ScopeType.SCHOOL))  # 诊改办公室: watches the whole school
OWNER_ROLES = (Role.PROCESS_OWNER, Role.HEAD)  # own the processes (and templates) of their department

F = FunctionKey
# The lead department of each subject type (the unit holding the function, engine/org/functions.py): owns its
# templates (and, through its BPMN `owner`, its chain), reads all its documents.
LEAD_FUNCTIONS = {
    "functional_dept": F.PARTY_OFFICE, "college": F.PARTY_OFFICE, "major": F.ACADEMIC_AFFAIRS,
    "course": F.ACADEMIC_AFFAIRS, "faculty_team": F.HUMAN_RESOURCES, "teacher": F.HUMAN_RESOURCES,
    "student_cultivation": F.STUDENT_AFFAIRS, "student": F.STUDENT_AFFAIRS,
}  # fmt: skip
# Positions in a subject's department or college that read its published documents.
DOCUMENT_UNIT_ROLES = (Role.HEAD, Role.REVIEWER, Role.LEADER_IN_CHARGE, Role.LIAISON_LEADER, Role.PROCESS_OWNER)
SCHOOL_WIDE_READERS = (Role.SCHOOL_LEADER,)

WARNINGS_SEEN_BY_ALL_OF = F.QUALITY_OFFICE  # 质量管理处 sees every warning
WARNING_LEAD_FUNCTIONS = {"safety_hazard": F.SECURITY_OFFICE}  # 保卫处 provides the 安全隐患 information (table 39)
# Who may report by hand (table 39's information providers, by function); None: any staff member or teacher.
WARNING_REPORTERS = {
    "quality_accident": (F.PARTY_OFFICE, F.QUALITY_OFFICE, F.ACADEMIC_AFFAIRS, F.HUMAN_RESOURCES, F.STUDENT_AFFAIRS),
    "safety_hazard": None,
}
WARNING_SEE_ROLES = (Role.HEAD, Role.REVIEWER, Role.LEADER_IN_CHARGE, Role.LIAISON_LEADER)
WARNING_ACT_ROLES = (Role.HEAD, Role.REVIEWER)
ANNUAL_ROW_ROLES = (Role.HEAD, Role.REVIEWER)  # positions of a responsible department that mark a row done


@dataclass(frozen=True)
class Viewer:
    """A user and the principals they act as (`org.principals_of`), with their positions parsed."""

    user: User
    principals: tuple[str, ...]
    positions: tuple[Principal, ...] = field(repr=False)

    @classmethod
    def of(cls, user: User, principals) -> Viewer:
        principals = tuple(principals)
        return cls(user, principals, positions_of(principals))

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def is_monitor(self) -> bool:
        """诊改办公室 and administrators see and act on everything."""
        return bool(self.user.is_admin) or MONITOR in self.principals

    @cached_property
    def own_units(self) -> frozenset[int]:
        """The user's own unit and, when that is a 科室 / 教研室 / 实训中心, the 职能部门 or 二级学院 it is part of:
        staff of 教务处's 教学运行科 are 教务处's staff to every rule that asks for "the person's own unit"."""
        unit_id = self.user.org_unit_id
        if unit_id is None:
            return frozenset()
        try:
            loaded = "org_unit" not in inspect(self.user).unloaded  # it comes joined with the user as a rule
        except NoInspectionAvailable:  # a user that is no mapped row (a stand-in)
            loaded = True
        if loaded:
            unit = getattr(self.user, "org_unit", None)
        else:
            session = object_session(self.user)
            unit = session.get(OrgUnit, unit_id) if session is not None else None
        return frozenset((unit_id, unit.top_id)) if unit is not None else frozenset((unit_id,))

    @cached_property
    def unit_functions(self) -> frozenset[str]:
        """The functions the user's own units hold (one query, asked by the warning rules only)."""
        session = object_session(self.user)
        if not self.own_units or session is None:
            return frozenset()
        return frozenset(session.scalars(keys_held_by(sorted(self.own_units))))

    @property
    def is_student(self) -> bool:
        return self.user.kind == "student"

    def scopes(self, scope_type: ScopeType, roles) -> set[int]:
        """Ids of the scopes where the user holds one of `roles`."""
        return scopes_held(self.positions, scope_type, roles)

    def units(self, *roles) -> set[int]:
        return scopes_held(self.positions, ScopeType.UNIT, roles)

    def holds(self, *roles) -> bool:
        return any(p.role in roles for p in self.positions)


def viewer(user: User, principals) -> Viewer:
    return principals if isinstance(principals, Viewer) else Viewer.of(user, principals)


def positions_of(principals) -> tuple[Principal, ...]:
    """The positions among a user's principals, parsed."""
    return tuple(p for p in parse_all(principals) if p.is_group)


def scopes_held(positions, scope_type: ScopeType, roles) -> set[int]:
    return {p.scope_id for p in positions if p.scope_type == scope_type and p.role in roles}


def _listed(values):
    """A list of values, or an expanding bind parameter as it is (a statement built once, engine/workflow/tasks.py)."""
    return values if isinstance(values, BindParameter) else list(values)


def _ids(values) -> list[int]:
    return sorted(values) or [-1]


# -- positions ----------------------------------------------------------------------------------------


def is_monitor(user: User, principals) -> bool:
    return bool(user.is_admin) or MONITOR in principals


def head_units(principals) -> list[int]:
    """The departments the user heads."""
    return sorted(scopes_held(positions_of(principals), ScopeType.UNIT, (Role.HEAD,)))


def owned_unit_ids(principals) -> set[int]:
    """Departments whose processes the user owns: process owner or head of the owning department."""
    return scopes_held(positions_of(principals), ScopeType.UNIT, OWNER_ROLES)


def owns_process(user: User, principals, definition: ProcessDefinition) -> bool:
    """Administrators, and the owners of the process's department."""
    if user.is_admin:
        return True
    owner = owner_unit_id(definition)
    return owner is not None and owner in owned_unit_ids(principals)


def owns_any_process(session: Session, user: User, principals) -> bool:
    """Whether to show the modeler in the menu (one cheap query, none for most users)."""
    if user.is_admin:
        return True
    units = owned_unit_ids(principals)
    return bool(units) and bool(session.scalar(select(ProcessDefinition.id).where(owned_by_units(units)).limit(1)))


# -- tasks --------------------------------------------------------------------------------------------


def offered_task_ids(principals):
    """Ids of the tasks offered to any of the principals (the candidate index, by principal)."""
    return select(TaskCandidate.task_id).where(TaskCandidate.principal.in_(_listed(principals)))


def task_offered(principals, task=HumanTask):
    """The task is offered to one of the principals."""
    return exists().where(TaskCandidate.task_id == task.id, TaskCandidate.principal.in_(_listed(principals)))


def task_visible(v: Viewer, task=HumanTask):
    """Tasks the user may open: offered to them, claimed or completed by them; None for monitors."""
    if v.is_monitor:
        return None
    return task_visible_to(v.id, v.principals, task)


def task_visible_to(user_id, principals, task=HumanTask):
    """`task_visible` for somebody who is not a monitor (the values may be bind parameters)."""
    return or_(task_offered(principals, task), task.completed_by_id == user_id, task.claimant_id == user_id)


def task_waiting_for(user_id: int, principals, task=HumanTask):
    """Open-task condition for "whose work is it": claimed by the user, or unclaimed and offered to them."""
    return or_(
        task.claimant_id == user_id,
        and_(task.claimant_id.is_(None), task.id.in_(offered_task_ids(principals))),
    )


# -- what monitors and heads watch ------------------------------------------------------------------------


def watch_scope(v: Viewer) -> list[int] | None:
    """None for the whole school (monitors), else the departments the user heads; NotFound for anybody else."""
    if v.is_monitor:
        return None
    heads = sorted(v.units(Role.HEAD))
    if not heads:
        raise NotFound(N_("页面不存在"))
    return heads


def subjects_of_units(unit_ids):
    return select(Subject.id).where(Subject.org_unit_id.in_(_ids(unit_ids)))


def task_watched(unit_ids: list[int] | None, task=HumanTask):
    """Tasks of the watched departments' subjects; None for the whole school."""
    return None if unit_ids is None else task.subject_id.in_(subjects_of_units(unit_ids))


def instance_watched(unit_ids: list[int] | None):
    """Instances of the watched departments' subjects; None for the whole school."""
    return None if unit_ids is None else ProcessInstance.subject_id.in_(subjects_of_units(unit_ids))


# -- process instances --------------------------------------------------------------------------------


def instance_visible(v: Viewer):
    """Instances the user may look at (the instance page): monitors (None); whoever started it; heads of
    the subject's department; the process's owners; participants (is or was a candidate of one of its
    tasks, claimed or completed one)."""
    if v.is_monitor:
        return None
    conds = [ProcessInstance.started_by_id == v.id]
    if heads := v.units(Role.HEAD):
        conds.append(ProcessInstance.subject_id.in_(subjects_of_units(heads)))
    if owned := v.units(*OWNER_ROLES):
        conds.append(ProcessInstance.version_id.in_(process_versions_of_units(owned)))
    conds.append(
        exists().where(
            HumanTask.instance_id == ProcessInstance.id,
            or_(
                HumanTask.completed_by_id == v.id,
                HumanTask.claimant_id == v.id,
                HumanTask.id.in_(offered_task_ids(v.principals)),
            ),
        )
    )
    return or_(*conds)


# -- processes and templates ----------------------------------------------------------------------------


def process_versions_of_units(unit_ids):
    return (
        select(ProcessVersion.id)
        .join(ProcessDefinition, ProcessDefinition.id == ProcessVersion.definition_id)
        .where(owned_by_units(unit_ids))
    )


def process_editable(v: Viewer):
    """Processes the user edits in the modeler: their department's (owners); None for administrators."""
    if v.user.is_admin:
        return None
    return owned_by_units(v.units(*OWNER_ROLES))


def process_analysable(v: Viewer):
    """Processes whose versions the user analyses (heat map): their department's; None for monitors."""
    if v.is_monitor:
        return None
    return owned_by_units(v.units(*OWNER_ROLES))


def may_analyse_process(v: Viewer, definition: ProcessDefinition) -> bool:
    """`process_analysable` for a process already loaded."""
    return v.is_monitor or owner_unit_id(definition) in v.units(*OWNER_ROLES)


def lead_function(subject_type_column):
    """The lead department's function of a subject type, in SQL."""
    return case(LEAD_FUNCTIONS, value=subject_type_column, else_=None)


def led_by_units(subject_type_column, unit_ids):
    """The subject type is led by one of the departments (it holds the type's lead function)."""
    return lead_function(subject_type_column).in_(keys_held_by(unit_ids))


def template_editable(v: Viewer):
    """Templates the user edits: those of subject types their department leads (owners); None for monitors."""
    if v.is_monitor:
        return None
    owned = v.units(*OWNER_ROLES)
    return led_by_units(FormTemplate.subject_type, owned) if owned else false()


def owned_subject_types(session: Session, v: Viewer) -> set[str] | None:
    """Subject types whose templates the user may edit; None means all (monitors)."""
    if v.is_monitor:
        return None
    owned = v.units(*OWNER_ROLES)
    if not owned:
        return set()
    held = set(session.scalars(keys_held_by(owned)))
    return {t for t, key in LEAD_FUNCTIONS.items() if key in held}


# -- documents ----------------------------------------------------------------------------------------


def document_full_access(v: Viewer):
    """Documents whose working copy the user may read: the subject's members and everyone on the chain."""
    member_of = select(SubjectMember.subject_id).where(SubjectMember.user_id == v.id)
    on_chain = select(HumanTask.document_id).where(
        HumanTask.document_id.is_not(None),
        or_(HumanTask.completed_by_id == v.id, HumanTask.id.in_(offered_task_ids(v.principals))),
    )
    return or_(Document.subject_id.in_(member_of), Document.id.in_(on_chain))


def document_visible(v: Viewer):
    """Documents the user may see at all, over Document joined with Subject; None for monitors."""
    if v.is_monitor:
        return None
    published = Document.published_version > 0
    if v.holds(*SCHOOL_WIDE_READERS):
        return or_(published, document_full_access(v))
    above = []
    if units := v.units(*DOCUMENT_UNIT_ROLES):
        above.append(Subject.org_unit_id.in_(sorted(units)))
        above.append(led_by_units(Subject.type, units))
    if classes := v.scopes(ScopeType.CLASS, (Role.COUNSELOR,)):
        above.append(Subject.class_id.in_(sorted(classes)))
    above.append(Subject.parent_id.in_(select(SubjectMember.subject_id).where(SubjectMember.user_id == v.id)))
    above.append(Document.id.in_(select(DocumentShare.document_id).where(DocumentShare.principal.in_(v.principals))))
    return or_(document_full_access(v), and_(published, or_(*above)))


__all__ = [
    "ANNUAL_ROW_ROLES", "DOCUMENT_UNIT_ROLES", "F", "LEAD_FUNCTIONS", "MONITOR", "OWNER_ROLES", "Principal",
    "SCHOOL_WIDE_READERS", "Viewer", "WARNINGS_SEEN_BY_ALL_OF", "WARNING_ACT_ROLES", "WARNING_LEAD_FUNCTIONS",
    "WARNING_REPORTERS", "WARNING_SEE_ROLES", "document_full_access", "document_visible", "head_units",
    "instance_visible", "instance_watched", "is_monitor", "lead_function", "led_by_units", "may_analyse_process",
    "offered_task_ids", "owned_subject_types", "owned_unit_ids", "owns_any_process", "owns_process", "positions_of",
    "process_analysable", "process_editable", "process_versions_of_units", "scopes_held", "subjects_of_units",
    "task_offered", "task_visible", "task_visible_to", "task_waiting_for", "task_watched", "template_editable",
    "viewer", "watch_scope",
]  # fmt: skip
