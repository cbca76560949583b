"""Quality supervision (质量督导) plans and records, and third-party satisfaction surveys (第三方满意度调查)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONType, UTCDateTime


class SupervisionPlan(Base):
    """The lead department's plan of one kind of supervision for a year: title, scope, schedule, supervisors."""

    __tablename__ = "supervision_plan"
    __table_args__ = (UniqueConstraint("year", "kind", name="uq_supervision_plan_year_kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # engine/supervision/records.py KINDS
    title: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(Text, default="")
    schedule: Mapped[str] = mapped_column(Text, default="")
    supervisor_ids: Mapped[list] = mapped_column(JSONType, default=list)  # user ids
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class SupervisionRecord(Base):
    """A supervisor's visit on a subject (who, when, what, findings, 督导评价与指导) and the supervised party's
    response; closed by the supervisor, after which nothing changes."""

    __tablename__ = "supervision_record"
    __table_args__ = (Index("ix_supervision_record_subject_year", "subject_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"))
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    activity: Mapped[str] = mapped_column(String(16))  # class / activity / service
    topic: Mapped[str] = mapped_column(String(200))
    findings: Mapped[str] = mapped_column(Text)
    guidance: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    response: Mapped[str | None] = mapped_column(Text)
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SatisfactionSurvey(Base):
    """One imported third-party survey of a year and kind (graduate / employer). A checked upload waits as
    "pending" until confirmed ("applied"); a later applied import of the same year and kind replaces it."""

    __tablename__ = "satisfaction_survey"
    __table_args__ = (Index("ix_satisfaction_survey_year_kind", "year", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    provider: Mapped[str] = mapped_column(String(100), default="")
    filename: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16))  # pending / applied / replaced
    rows: Mapped[list] = mapped_column(JSONType, default=list)  # the checked rows, kept for the preview
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class SatisfactionResult(Base):
    """One row of an applied survey: a college (and major), the survey item, its sample and 满意度 %."""

    __tablename__ = "satisfaction_result"
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("satisfaction_survey.id"), index=True)
    college_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    major_subject_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id"))
    item: Mapped[str] = mapped_column(String(100))
    samples: Mapped[int] = mapped_column(Integer)
    rate: Mapped[float] = mapped_column(Float)
