"""Student quality credits (综合素质学分): the 认定标准 catalogue 党委学生工作部 keeps, the claims a student makes
(run by workflows/credit_claim.bpmn), the append-only ledger per student, and the graduation year a class is
marked with when it differs from 年级 + 学制."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, LargeBinary, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime

Points = Numeric(6, 1, asdecimal=False)  # credits in tenths (0.5 分), read as float (never Decimal in task data)


class CreditItem(Base):
    """One item of the 认定标准: 加分 (`direction` add) or 减分 (deduct), its points (always positive here), its
    category (engine/credits/catalogue.py CATEGORIES), whether evidence is required and what. Items are never
    deleted: an item no longer recognised is inactive (the ledger names it)."""

    __tablename__ = "credit_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(8))
    points: Mapped[float] = mapped_column(Points)
    evidence_required: Mapped[bool] = mapped_column(Boolean, default=False)
    evidence_note: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class CreditClaim(Base):
    """A claim of a 加分 item for a student (`student_id`), made by the student or a classmate (`claimant_id`).

    `status`: pending (with the counselor), returned (back with the student to revise), recognised, rejected,
    withdrawn, reversed (党委学生工作部 reversed its entry). `points` and `title` are the item's when claimed. The
    evidence file, when there is one, is kept on the claim (it belongs to no document).
    """

    __tablename__ = "credit_claim"
    __table_args__ = (Index("ix_credit_claim_class_status", "class_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("credit_item.id"))
    title: Mapped[str] = mapped_column(String(100))
    points: Mapped[float] = mapped_column(Points)
    student_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    claimant_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    class_id: Mapped[int | None] = mapped_column(ForeignKey("school_class.id"))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    occurred_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), index=True)
    evidence_name: Mapped[str | None] = mapped_column(String(200))
    evidence_type: Mapped[str | None] = mapped_column(String(100))
    evidence_content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    reason: Mapped[str] = mapped_column(Text, default="")


class CreditEntry(Base):
    """One line of a student's ledger, never changed nor deleted: a recognised claim (`claim_id`), a 减分 recorded
    directly, or the reversal of an earlier entry (`reverses_id`, points negated). `points` is signed; a
    student's total is the sum. `booked_on` is the school day it was written (the standing at a year's end
    reads it), `occurred_on` the day of what it recognises."""

    __tablename__ = "credit_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("credit_item.id"))
    title: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(16))
    points: Mapped[float] = mapped_column(Points)
    occurred_on: Mapped[date] = mapped_column(Date)
    booked_on: Mapped[date] = mapped_column(Date)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("credit_claim.id"))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("credit_entry.id"), unique=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")


class CreditGraduation(Base):
    """The year a class graduates where 党委学生工作部 or 教务处 set it (else 年级 + 学制: engine/credits/ledger.py)."""

    __tablename__ = "credit_graduation"
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
