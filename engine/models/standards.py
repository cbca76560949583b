"""The organisation of 诊改 (committees and their members) and the basic standards (seed table 10)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime
from .document import Document
from .org import OrgUnit, User


class Committee(Base):
    """A committee or group of 诊改 (seed §六(一)4-5): its kind (engine/org/committees.py KINDS), its term and,
    for groups, the unit that leads it (a 职能部门 or a 二级学院)."""

    __tablename__ = "committee"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(100))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    term_start: Mapped[date | None] = mapped_column(Date)
    term_end: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    org_unit: Mapped[OrgUnit | None] = relationship(lazy="joined")
    members: Mapped[list[CommitteeMember]] = relationship(
        back_populates="committee", order_by="CommitteeMember.position", cascade="all, delete-orphan"
    )


class CommitteeMember(Base):
    """A member with a committee role: a person of the school (`user_id`) or an external expert (name, employer,
    no login). `org_unit_id` is the department a member represents or was recommended by (专家库, 诊改办公室)."""

    __tablename__ = "committee_member"
    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    role: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    external_name: Mapped[str | None] = mapped_column(String(64))
    external_employer: Mapped[str | None] = mapped_column(String(100))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))

    committee: Mapped[Committee] = relationship(back_populates="members")
    user: Mapped[User | None] = relationship(lazy="joined")
    org_unit: Mapped[OrgUnit | None] = relationship(lazy="joined")


class BasicStandard(Base):
    """One of the basic standards of seed table 10, owned by its lead department (a function). Its text and
    criteria are a document (`document_id`, doc_type `basic_standard`) approved through chain_basic_standard;
    revised every `revision_years` years (seed §六(二)3)."""

    __tablename__ = "basic_standard"
    __table_args__ = (UniqueConstraint("key", name="uq_basic_standard_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(16))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    lead_function: Mapped[str] = mapped_column(String(32))
    subject_type: Mapped[str | None] = mapped_column(String(24))  # the subjects it applies to, if any
    levels: Mapped[str | None] = mapped_column(String(200))  # a graded standard's levels, "、"-separated
    revision_years: Mapped[int] = mapped_column(Integer, default=3)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))

    document: Mapped[Document | None] = relationship(lazy="joined")
