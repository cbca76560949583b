"""The closed vocabularies of the stored states and roles, as StrEnums: a member is its stored string.

`TaskState.OPEN == "open"`, so rows written before these types existed, templates that compare strings
and JSON that carries them read the same. The database refuses anything else: each enum column carries
a CHECK constraint built by `one_of` (migration 0015). Roles and their labels are the organisation's
(engine/org/assignment.py ROLES); the permission rules over them are engine/org/policy/.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint


class TaskState(StrEnum):
    """`human_task.state`: a task waits (open), is done, was cancelled, or its instance is suspended."""

    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    SUSPENDED = "suspended"


class InstanceStatus(StrEnum):
    """`process_instance.status`."""

    RUNNING = "running"
    COMPLETED = "completed"
    ERROR = "error"  # a step raised; waits for an administrator (engine/workflow/incidents.py)
    SUSPENDED = "suspended"
    TERMINATED = "terminated"  # by an administrator, or taken over by the annual cycle
    CANCELLED = "cancelled"  # by its author before anybody else acted (engine/documents/withdrawal.py)


class DocumentStatus(StrEnum):
    """`document.status`: where the working copy stands."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    RETURNED = "returned"
    PUBLISHED = "published"


class WarningStatus(StrEnum):
    """`quality_warning.status`: raised -> acknowledged -> resolved."""

    RAISED = "raised"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class WarningLevel(StrEnum):
    """`quality_warning.level`: red acts now, yellow within a set period, blue is a notice."""

    RED = "red"
    YELLOW = "yellow"
    BLUE = "blue"


class Role(StrEnum):
    """A role a lane names; every one but `author` is also a position (`role_assignment.role`)."""

    AUTHOR = "author"  # the subject's members: never held as a position
    REVIEWER = "reviewer"
    HEAD = "head"
    LEADER_IN_CHARGE = "leader_in_charge"
    LIAISON_LEADER = "liaison_leader"
    COUNSELOR = "counselor"
    MONITOR = "monitor"
    SCHOOL_LEADER = "school_leader"
    PROCESS_OWNER = "process_owner"
    DEPUTY = "deputy"  # 副职 (副处长, 副院长)
    OFFICE_STAFF = "office_staff"  # 办公室人员: writes the unit's own documents
    STUDY_COMMITTEE = "study_committee"  # 学习委员 of a class


POSITION_ROLES = tuple(r for r in Role if r is not Role.AUTHOR)


class ScopeType(StrEnum):
    """What a position is scoped to (`role_assignment.scope_type`): the school (id 0), a department or
    college, a class, a subject."""

    SCHOOL = "school"
    UNIT = "unit"
    CLASS = "class"
    SUBJECT = "subject"


class FunctionKey(StrEnum):
    """A function of the school's organisation (`org_function.key`): which unit holds it is data
    (系统管理 › 职能), so lanes (`scope="function:<key>"`) and the permission rules never name a unit code.
    The labels are engine/org/functions.py LABELS."""

    QUALITY_OFFICE = "quality_office"  # 诊改办公室 (质量管理处): school review, sees every warning
    PARTY_OFFICE = "party_office"  # 党政办公室: leads 职能部门 and 二级学院
    ACADEMIC_AFFAIRS = "academic_affairs"  # 教务处: leads 专业 and 课程
    HUMAN_RESOURCES = "human_resources"  # 人力资源处: leads 师资队伍 and 教师
    STUDENT_AFFAIRS = "student_affairs"  # 党委学生工作部: leads 专业学生综合素质培养 and 学生
    SECURITY_OFFICE = "security_office"  # 保卫处: provides the 安全隐患 information (table 39)
    INFORMATION_OFFICE = "information_office"  # 信息化处: runs the platform
    LOGISTICS = "logistics"  # 基建后勤处
    COOPERATION = "cooperation"  # 合作发展处
    PUBLICITY = "publicity"  # 党委宣传部: the 育人文化 section of the school's quality report
    ADMISSIONS = "admissions"  # 招生就业处: its 招生就业 section
    RESEARCH = "research"  # 科研处: its 科技研发 section
    INTERNATIONAL = "international"  # 国际学院: its 国际交流与合作 and 留学生培养 sections


class RegistryKind(StrEnum):
    """`registry_entry.kind`: seed table 27, table 28 and the second table 28."""

    MECHANISM = "mechanism"  # 资源开发与配置保障机制
    SERVICE = "service"  # 支持服务
    SUPERVISION = "supervision"  # 监督控制制度


class RegistryStatus(StrEnum):
    """`registry_entry.status`: planned -> drafting -> in force (-> revising -> in force) -> retired."""

    PLANNED = "planned"
    DRAFTING = "drafting"
    IN_FORCE = "in_force"
    REVISING = "revising"
    RETIRED = "retired"


def one_of(column: str, values, name: str | None = None) -> CheckConstraint:
    """CHECK (column IN (...)): named `ck_<table>_<name or column>` by the metadata's naming convention."""
    listed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=name or column)


__all__ = [
    "POSITION_ROLES", "DocumentStatus", "FunctionKey", "InstanceStatus", "Role", "ScopeType", "TaskState",
    "WarningLevel", "WarningStatus", "one_of",
]  # fmt: skip
__all__ += ["RegistryKind", "RegistryStatus"]  # registries (issue #15)
