"""The three diagnosis modes (seed figure 12): review checklists with versions, the assessment a review records
against one, and the structured 规定性诊断 of a subject against a basic standard."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, JSONType, UTCDateTime
from .org import Subject
from .standards import BasicStandard


class ReviewChecklist(Base):
    """The 复核性诊断指标体系 of one subject type: its mode (technical / professional) and lead department's
    function (who edits it). Its content lives in versions."""

    __tablename__ = "review_checklist"
    __table_args__ = (UniqueConstraint("subject_type", name="uq_review_checklist_subject_type"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(24))
    mode: Mapped[str] = mapped_column(String(16))
    lead_function: Mapped[str] = mapped_column(String(32))


class ChecklistVersion(Base):
    """One version of a checklist: `items` [{key, indicator, label, weight}] (weights sum to 100) and `scale`
    [{label, score}]. At most one draft per checklist; the latest published version is in force, earlier
    ones stay readable (assessments name the version they used)."""

    __tablename__ = "checklist_version"
    __table_args__ = (UniqueConstraint("checklist_id", "version", name="uq_checklist_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    checklist_id: Mapped[int] = mapped_column(ForeignKey("review_checklist.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # draft / published
    items: Mapped[list] = mapped_column(JSONType, default=list)
    scale: Mapped[list] = mapped_column(JSONType, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    checklist: Mapped[ReviewChecklist] = relationship(lazy="joined")


class ReviewAssessment(Base):
    """A review document's (upper_review, school_review) assessment against the checklist version in force when it
    was recorded: a verdict (a scale label) per item key, the methods used, evidence, the weighted score."""

    __tablename__ = "review_assessment"
    __table_args__ = (UniqueConstraint("document_id", name="uq_review_assessment_document"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))
    checklist_version_id: Mapped[int] = mapped_column(ForeignKey("checklist_version.id"))
    verdicts: Mapped[dict] = mapped_column(JSONType, default=dict)
    methods: Mapped[list] = mapped_column(JSONType, default=list)
    evidence_text: Mapped[str | None] = mapped_column(Text)
    evidence_url: Mapped[str | None] = mapped_column(String(500))
    score: Mapped[float] = mapped_column(Float)
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    assessed_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))

    checklist_version: Mapped[ChecklistVersion] = relationship(lazy="joined")


class PrescriptiveDiagnosis(Base):
    """规定性诊断: a basic standard's lead department finds whether a subject meets each criterion of the
    standard's published version for a year. `results` [{level, indicator, threshold, unit, source, passed,
    note}]; one record per standard, subject and year (saving again updates it)."""

    __tablename__ = "prescriptive_diagnosis"
    __table_args__ = (UniqueConstraint("standard_id", "subject_id", "year", name="uq_prescriptive_diagnosis"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("basic_standard.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    standard_version: Mapped[int] = mapped_column(Integer)
    results: Mapped[list] = mapped_column(JSONType, default=list)
    methods: Mapped[list] = mapped_column(JSONType, default=list)
    evidence_text: Mapped[str | None] = mapped_column(Text)
    evidence_url: Mapped[str | None] = mapped_column(String(500))
    passed: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))

    standard: Mapped[BasicStandard] = relationship(lazy="joined")
    subject: Mapped[Subject] = relationship(lazy="joined")
