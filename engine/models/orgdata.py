"""The organisation's history and its imports: who held which position when, and each roster import."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONType, UTCDateTime
from .enums import POSITION_ROLES, ScopeType, one_of


class PositionTerm(Base):
    """One term of a position: a person held `role` over a scope from `starts_on` to `ends_on` (inclusive).

    The terms are the record; `role_assignment` holds the positions in force today and is derived from them
    (engine/org/positions.py `sync_positions`), so the engine's hot path keeps reading one small table while
    the history of who held a role when a task was assigned stays here. An open term has no `ends_on`.
    """

    __tablename__ = "position_term"
    __table_args__ = (
        Index("ix_position_term_scope", "role", "scope_type", "scope_id"),
        one_of("role", POSITION_ROLES),
        one_of("scope_type", ScopeType),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    scope_type: Mapped[str] = mapped_column(String(16))
    scope_id: Mapped[int | None] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class ImportRun(Base):
    """One upload of a roster: previewed (`pending`), then `applied` or `discarded`.

    The validated rows wait here between the preview and the confirmation, so nothing changes until an
    administrator confirms, and confirming applies exactly what the preview showed.
    """

    __tablename__ = "import_run"
    __table_args__ = (one_of("status", ("pending", "applied", "discarded")),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(200))
    full: Mapped[bool] = mapped_column(default=False)  # a full roster: who is missing is deactivated
    status: Mapped[str] = mapped_column(String(16), default="pending")
    rows: Mapped[list] = mapped_column(JSONType, default=list)
    summary: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)
