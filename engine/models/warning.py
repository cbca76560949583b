"""Warnings (预警, seed figure 11): raised by rules on the data or reported by hand, then handled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, JSONType, UTCDateTime
from .enums import WarningLevel, WarningStatus, one_of
from .org import OrgUnit, User


class QualityWarning(Base):
    """One warning of the five management-process cases, for one responsible department.

    `kind`: work_standard_missing / basic_standard_missing / quality_accident / below_basic_standard /
    safety_hazard. `source` is "rule" (then `rule_key` is unique: a rule never raises the same warning
    twice) or "manual" (then `reporter_id` says who reported it). `since_at` is when the condition began
    (the missed due moment, the publication of the review, the report), the clock of automatic levels.
    `notes` is the history shown on the warning's page: a list of {at, user_id, user, action, text}.
    """

    __tablename__ = "quality_warning"
    __table_args__ = (
        UniqueConstraint("rule_key", name="uq_quality_warning_rule_key"),
        Index("ix_quality_warning_unit_status", "org_unit_id", "status"),
        Index("ix_quality_warning_status_level", "status", "level"),
        Index("ix_quality_warning_object", "object_type", "object_id"),
        one_of("status", WarningStatus),
        one_of("level", WarningLevel),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    type_key: Mapped[str | None] = mapped_column(String(32))  # the table-39 row (engine/warnings/table39)
    level: Mapped[str] = mapped_column(String(8))  # WarningLevel
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    responsible_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    source: Mapped[str] = mapped_column(String(8))  # rule / manual
    rule_key: Mapped[str | None] = mapped_column(String(160))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    object_type: Mapped[str | None] = mapped_column(String(24))  # annual_task / document
    object_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=WarningStatus.RAISED)
    since_at: Mapped[datetime] = mapped_column(UTCDateTime)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    notes: Mapped[list] = mapped_column(JSONType, default=list)

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")
    responsible_user: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[responsible_user_id])
    reporter: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[reporter_id])


class WarningRuleCursor(Base):
    """How far a rule has read an append-only source (e.g. the last document version it examined)."""

    __tablename__ = "warning_rule_cursor"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class WarningTypeProvider(Base):
    """The information provider of a table-39 warning type that the seed leaves blank, as the school set it."""

    __tablename__ = "warning_type_provider"
    type_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    provider: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
