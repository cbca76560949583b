"""The organisation: the unit tree (departments, colleges and their 科室 / 教研室), classes, people, their roles,
and the subjects of 诊改."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, JSONType, UTCDateTime
from .enums import POSITION_ROLES, FunctionKey, ScopeType, one_of

# OrgUnit.kind: the school at the root, 职能部门 and 二级学院 under it, their 科室 / 教研室 / 实训中心 below
SCHOOL, FUNCTIONAL, COLLEGE = "school", "functional", "college"
OFFICE, TEACHING_SECTION, TRAINING_CENTRE = "office", "teaching_section", "training_centre"
UNIT_KINDS = (SCHOOL, FUNCTIONAL, COLLEGE, OFFICE, TEACHING_SECTION, TRAINING_CENTRE)
# units inside a 职能部门 or 二级学院: a person may belong to one, but the subjects of 诊改 are the unit's above it
SUB_UNIT_KINDS = (OFFICE, TEACHING_SECTION, TRAINING_CENTRE)

# User.kind: staff are 职员, teachers 教师, counselors 辅导员 (permissions treat them as staff where it matters)
USER_KINDS = ("staff", "teacher", "counselor", "student")

# Subject.type: the eight subject types of the seed's 五横 (SPEC §4)
SUBJECT_TYPES = (
    "functional_dept",
    "college",
    "major",
    "course",
    "faculty_team",
    "teacher",
    "student_cultivation",
    "student",
)


class OrgUnit(Base):
    """A node of the unit tree: the school, a 职能部门 or 二级学院, or a 科室 / 教研室 / 实训中心 under one.

    `code` is the school's own unit code (the import's key); a unit no longer in use is inactive, never
    deleted (tasks, documents and history name it).
    """

    __tablename__ = "org_unit"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")

    @property
    def top_id(self) -> int:
        """The unit's 诊改 unit: the 职能部门 or 二级学院 above a 科室 / 教研室 / 实训中心, else the unit itself (the
        one rule; the subjects of its people belong there, its people count as that unit's)."""
        return self.parent_id if self.kind in SUB_UNIT_KINDS and self.parent_id else self.id


class SchoolClass(Base):
    """A class of students, belonging to a college and a major; `code` is the 教务系统's 班级代码, `year` the 年级."""

    __tablename__ = "school_class"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    year: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    major_subject_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id"))


class User(Base):
    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)  # the 工号 / 学号 (import key, SSO name)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(256))
    kind: Mapped[str] = mapped_column(String(16), default="staff")  # USER_KINDS
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("school_class.id", use_alter=True), index=True)
    email: Mapped[str | None] = mapped_column(String(120))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    entry_year: Mapped[int | None] = mapped_column(Integer)  # a student's 入学年份
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # raised by a logout: every session and remember cookie of the user names the old value and ends
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    org_unit: Mapped[OrgUnit | None] = relationship(lazy="joined")

    # flask-login protocol, kept here so the web layer needs no wrapper class
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return bool(self.active)

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # the session (and remember cookie) names the password too: a password change ends other sessions
        return f"{self.id}:{self.session_stamp}"

    @property
    def password_stamp(self) -> str:
        """Changes with the password hash only (API tokens name it: engine/security/tokens.py)."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    @property
    def session_stamp(self) -> str:
        """Changes with the password hash and with each logout (`session_generation`) and shows nothing of the
        hash (the session cookie is signed, not secret)."""
        text = f"{self.password_hash}:{self.session_generation or 0}"
        return hashlib.sha256(text.encode()).hexdigest()[:16]


class RoleAssignment(Base):
    """A position a user holds, scoped to a department, a class or a subject (or the whole school).

    `role` is a Role other than author (engine/models/enums.py): reviewer (审核人), head (负责人),
    leader_in_charge (分管领导), liaison_leader (联系领导), counselor (辅导员), process_owner, monitor
    (诊改办公室 / 诊改平台组), school_leader. `scope_type` is a ScopeType; the school's scope has no id.
    """

    __tablename__ = "role_assignment"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "scope_type", "scope_id", name="uq_role_assignment"),
        Index("ix_role_assignment_scope", "role", "scope_type", "scope_id"),
        one_of("role", POSITION_ROLES),
        one_of("scope_type", ScopeType),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    scope_type: Mapped[str] = mapped_column(String(16))
    scope_id: Mapped[int | None] = mapped_column(Integer)


class Subject(Base):
    """A subject of diagnosis and improvement: one of the eight types of the 五横."""

    __tablename__ = "subject"
    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(24), index=True)
    code: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("school_class.id", use_alter=True))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id"))
    attrs: Mapped[dict] = mapped_column(JSONType, default=dict)

    org_unit: Mapped[OrgUnit | None] = relationship(lazy="joined")
    school_class: Mapped[SchoolClass | None] = relationship(lazy="select", foreign_keys=[class_id])


class SubjectMember(Base):
    """Who authors a subject's documents: the teacher, the major team, the department's staff."""

    __tablename__ = "subject_member"
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(16), default="member")  # leader / member


class OrgFunction(Base):
    """Which unit holds a function of the organisation (诊改办公室, the lead department of a subject type, 保卫处,
    ...): one unit per function, a unit may hold several. Lanes (`scope="function:<key>"`) and the permission
    rules name functions, never unit codes (engine/org/functions.py)."""

    __tablename__ = "org_function"
    __table_args__ = (one_of("key", FunctionKey),)
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    unit: Mapped[OrgUnit] = relationship(lazy="joined")
