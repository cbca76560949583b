"""The yearly reports (§六(二)7(5), annex 质量报告): report types with their editable headings, the reports
written from them (a unit's or the school's, one per type and year) and the departments' contributions to
a school report's sections (engine/reports/)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONType, UTCDateTime


class ReportType(Base):
    """A kind of report: who writes it (`level` school or unit; `unit_kind` the unit kind it is for, empty for
    all units) and its headings, `sections` = [{"key", "title", "function"}] in order; `function` names the
    department that contributes the section to a school report (engine/org/functions.py), empty: 质量管理处
    writes it when compiling."""

    __tablename__ = "report_type"
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    level: Mapped[str] = mapped_column(String(8))
    unit_kind: Mapped[str] = mapped_column(String(16), default="")
    title: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    sections: Mapped[list] = mapped_column(JSONType)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class Report(Base):
    """One report of a type for a year: a unit's (`unit_id`) or the school's (None). `sections` is the
    headings as they stood when it was started, `body` the text by section key. `status`: draft (a unit's,
    being written), contributing, compiling, approval (the school process), published."""

    __tablename__ = "report"
    id: Mapped[int] = mapped_column(primary_key=True)
    type_key: Mapped[str] = mapped_column(ForeignKey("report_type.key"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), index=True)
    sections: Mapped[list] = mapped_column(JSONType)
    body: Mapped[dict] = mapped_column(JSONType)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    return_comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class ReportContribution(Base):
    """A department's text for one section of a school report (the parallel contributions). 质量管理处 may return
    it once while compiling (`returned_at`, `returned_reason`; `submitted_at` is cleared until it comes back)."""

    __tablename__ = "report_contribution"
    __table_args__ = (UniqueConstraint("report_id", "section_key", name="uq_report_contribution_section"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    section_key: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    returned_reason: Mapped[str | None] = mapped_column(Text)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
