"""Deployed processes, running instances and the human-task read model."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, JSONType, UTCDateTime
from .enums import InstanceStatus, TaskState, one_of

if TYPE_CHECKING:
    from .org import Subject


class ProcessDefinition(Base):
    """A process known by its BPMN process id (the key), owned by a lead department (a unit, or the holder of
    a function)."""

    __tablename__ = "process_definition"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(24), default="chain")  # chain / cycle / other
    subject_type: Mapped[str | None] = mapped_column(String(24))
    owner_org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    # or owned by whichever unit holds this function (org_function.key; BPMN `owner="function:<key>"`)
    owner_function: Mapped[str | None] = mapped_column(String(32))
    latest_version_id: Mapped[int | None] = mapped_column(Integer)


class ProcessVersion(Base):
    """One deployed version: the BPMN as uploaded, the parsed spec and our metadata, stored once."""

    __tablename__ = "process_version"
    # AUTOINCREMENT: a rolled-back deploy must never hand its id to a different version (specs are cached by id)
    __table_args__ = (
        UniqueConstraint("definition_id", "version", name="uq_process_version"),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    bpmn_xml: Mapped[str] = mapped_column(Text, deferred=True)
    checksum: Mapped[str] = mapped_column(String(64))
    spec_json: Mapped[str] = mapped_column(Text, deferred=True)
    meta: Mapped[dict] = mapped_column(JSONType, deferred=True)
    note: Mapped[str | None] = mapped_column(Text)
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    definition: Mapped[ProcessDefinition] = relationship(lazy="joined")


BINDINGS = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


class ProcessInstance(Base):
    """A running (or finished) workflow, pinned to its version and to the versions of the processes it
    calls (`bindings`: {process key: version id}, the latest when it started; engine/workflow/binding.py);
    `lock_version` guards concurrent steps."""

    __tablename__ = "process_instance"
    __table_args__ = (one_of("status", InstanceStatus),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    bindings: Mapped[dict | None] = mapped_column(BINDINGS)  # SQL NULL: it calls no process
    process_key: Mapped[str] = mapped_column(String(64), index=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=InstanceStatus.RUNNING, index=True)
    state_json: Mapped[str] = mapped_column(Text, deferred=True)
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_timer_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    incident: Mapped[str | None] = mapped_column(Text)

    version: Mapped[ProcessVersion] = relationship(lazy="joined")
    # read only; a step loads it with the instance (engine/workflow/runtime.py load_instance)
    subject: Mapped[Subject | None] = relationship(viewonly=True)

    __mapper_args__ = {"version_id_col": lock_version}


class HumanTask(Base):
    """The read model of a task waiting for (or done by) a person; lists never open a workflow."""

    __tablename__ = "human_task"
    __table_args__ = (
        UniqueConstraint("instance_id", "spiff_task_id", name="uq_human_task_spiff"),
        Index("ix_human_task_state_due", "state", "due_at"),
        Index("ix_human_task_claimant", "claimant_id", "state"),
        Index("ix_human_task_done", "completed_by_id", "completed_at"),
        # The overdue dashboard walks open tasks in the order of its group keys (migration 0008).
        Index("ix_human_task_open_step", "state", "process_name", "name", "due_at", "subject_id"),
        Index("ix_human_task_open_subject", "state", "subject_id", "due_at"),
        Index("ix_human_task_open_person", "state", "claimant_id", "candidates_label", "due_at", "subject_id"),
        Index("ix_human_task_state_completed", "state", "completed_at"),
        # The cycle progress matrix groups the open step tasks of a year's instances (migration 0010).
        Index("ix_human_task_instance_step", "instance_id", "state", "step", "due_at"),
        one_of("state", TaskState),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))  # edit / review / form
    lane: Mapped[str | None] = mapped_column(String(64))
    process_key: Mapped[str] = mapped_column(String(64))
    process_name: Mapped[str] = mapped_column(String(120))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id"))
    subject_name: Mapped[str | None] = mapped_column(String(100))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    vertical: Mapped[str | None] = mapped_column(String(24))
    step: Mapped[int | None] = mapped_column(Integer)  # annual-cycle step 1-11 (engine/cycle/steps.py STEPS), else None
    state: Mapped[str] = mapped_column(String(16), default=TaskState.OPEN)  # engine/models/enums.py
    claimant_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the task's own reminders, ISO durations before due_at ("P3D,P1D", from zhengai:task remind), else the
    # configured reminder days (engine/workflow/deadlines.py; migration 0016)
    remind: Mapped[str | None] = mapped_column(String(120))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decision: Mapped[str | None] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)
    candidates_label: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict | None] = mapped_column(JSONType)
    # Set on an author's task created by a reviewer's return: the 退回 mark of the inbox, without a query.
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    return_comment: Mapped[str | None] = mapped_column(Text)

    candidates: Mapped[list[TaskCandidate]] = relationship(cascade="all, delete-orphan", lazy="raise")


class TaskCandidate(Base):
    """Who may work on a task: `u:<user id>` or a group `g:<role>:<scope type>:<scope id>`."""

    __tablename__ = "task_candidate"
    principal: Mapped[str] = mapped_column(String(80), primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id"), primary_key=True, index=True)


class ProcessDraft(Base):
    """A process owner's unsaved-to-production work: one shared draft per process, based on a version."""

    __tablename__ = "process_draft"
    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), unique=True)
    base_version_id: Mapped[int | None] = mapped_column(ForeignKey("process_version.id"))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    problems: Mapped[list | None] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": lock_version}
