"""What the scheduler fires, who holds the scheduler lease, notifications, and the annual task table."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONType, UTCDateTime


class ScheduledEffect(Base):
    """One effect due at `fire_at` (a reminder, the due moment, an escalation, a timer wake-up).

    `fired_at` is set in the same transaction as the effect, so it happens exactly once; `outcome` says
    what happened (sent, superseded by a later stage, skipped because the work was already done).
    """

    __tablename__ = "scheduled_effect"
    __table_args__ = (
        UniqueConstraint("key", name="uq_scheduled_effect_key"),
        Index("ix_scheduled_effect_pending", "fired_at", "fire_at"),
        Index("ix_scheduled_effect_object", "object_type", "object_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120))
    effect: Mapped[str] = mapped_column(String(24))  # remind / due / overdue / wake
    stage: Mapped[int] = mapped_column(Integer, default=0)  # later stages supersede earlier ones
    object_type: Mapped[str] = mapped_column(String(24))  # human_task / annual_task / process_instance
    object_id: Mapped[int] = mapped_column(Integer)
    fire_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(24))
    params: Mapped[dict | None] = mapped_column(JSONType)


class SchedulerLease(Base):
    """A database lease: only the holder of an unexpired lease runs the scheduler's ticks."""

    __tablename__ = "scheduler_lease"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(120))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_tick_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Notification(Base):
    """An in-app message (and, when SMTP is configured, an e-mail).

    A digest (kind "digest") carries `digest_key` ("<school day>:unit:<id>" or "<school day>:office"), unique
    per user, so a department's overdue digest exists at most once a day; `details` holds its item links.
    """

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_user_unread", "user_id", "read_at"),
        Index("ix_notification_user_created", "user_id", "created_at"),
        UniqueConstraint("digest_key", "user_id", name="uq_notification_digest"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    kind: Mapped[str] = mapped_column(String(24))  # engine.notify.notifications.KINDS
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    effect_id: Mapped[int | None] = mapped_column(Integer)
    digest_key: Mapped[str | None] = mapped_column(String(80))
    details: Mapped[dict | None] = mapped_column(JSONType)
    # the outbox's failed tries to e-mail it (engine/scheduler/outbox.py); it gives up after MAX_ATTEMPTS
    email_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    email_error: Mapped[str | None] = mapped_column(String(500))


class AnnualTask(Base):
    """A row of the annual task table (seed 附件) instantiated for a school year."""

    __tablename__ = "annual_task"
    __table_args__ = (UniqueConstraint("year", "no", name="uq_annual_task"), Index("ix_annual_task_due", "due_date"))
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    no: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(60))
    task: Mapped[str] = mapped_column(String(300))
    responsible: Mapped[list] = mapped_column(JSONType)
    cooperating: Mapped[list] = mapped_column(JSONType)
    responsible_unit_ids: Mapped[list] = mapped_column(JSONType)
    due_text: Mapped[str] = mapped_column(String(60))
    due_kind: Mapped[str] = mapped_column(String(16))
    due_date: Mapped[date | None] = mapped_column(Date)
    problem: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")  # open / done
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    evidence: Mapped[str | None] = mapped_column(Text)
    generated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Already past due when the table was generated: shown as such, its warning counts from generation.
    late_at_generation: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class CycleRun(Base):
    """An administrator's "start the cycle of year Y for these levels": processed in batches with progress."""

    __tablename__ = "cycle_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    levels: Mapped[list] = mapped_column(JSONType)
    dues: Mapped[dict] = mapped_column(JSONType)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending / running / finished
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # subjects the run could not start, with the reason: [{"subject_id", "name", "reason"}]
    skipped: Mapped[list | None] = mapped_column(JSONType)


class CycleInstance(Base):
    """The one cycle instance of a subject in a school year."""

    __tablename__ = "cycle_instance"
    __table_args__ = (UniqueConstraint("year", "subject_id", name="uq_cycle_instance"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"))
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("cycle_run.id"))


class CycleSchool(Base):
    """The one school-level process of a school year: steps 2 (制定基本标准) and 3 (研制模板)."""

    __tablename__ = "cycle_school"
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("cycle_run.id"))


class SamplingDraw(Base):
    """One school sampling draw (学校抽样复核) of a year: the seed, the configuration and the drawn subjects.

    A year may have several draws; the latest is the year's sample and the earlier ones stay (auditable).
    Anyone may re-run the draw from `seed` over the year's population (engine/cycle/sampling.py `verify`).
    """

    __tablename__ = "sampling_draw"
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    seed: Mapped[str] = mapped_column(String(64))
    # {"sizes": {level: n}, "stratify": bool, "pilots": bool}
    config: Mapped[dict] = mapped_column(JSONType)
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime)
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    subjects: Mapped[dict] = mapped_column(JSONType)  # {level: [subject ids]}
    note: Mapped[str] = mapped_column(Text, default="")
