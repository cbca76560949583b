"""The outcome of one batch action, kept so that the result page is a plain GET after a redirect."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONType, UTCDateTime


class BatchRun(Base):
    """One batch approve / remind / reassign / extend: who ran it, when, and one result per task.

    The results live here rather than in the session cookie (200 results do not fit in 4 KB), so the
    action redirects to its result page and a reload re-runs nothing. Only the user who ran it reads it.
    `results` is a list of {id, ok, name, title, subject, message, params} with untranslated messages;
    `context` holds what the page links back to (the task list's filters).
    """

    __tablename__ = "batch_run"
    __table_args__ = (Index("ix_batch_run_user", "user_id", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    kind: Mapped[str] = mapped_column(String(24))  # approve / remind / reassign / extend
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    results: Mapped[list] = mapped_column(JSONType)
    context: Mapped[dict | None] = mapped_column(JSONType)
