"""Rate-limit counters shared by every web worker (the login limit)."""

from __future__ import annotations

from sqlalchemy import Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class RateLimitCounter(Base):
    """One fixed-window counter: `count` hits since the window opened, valid until `expires_at`.

    `expires_at` is in epoch seconds because that is what the `limits` package reads and returns.
    Expired rows are reused by the next hit of the same key and swept by the storage.
    """

    __tablename__ = "rate_limit_counter"
    __table_args__ = (Index("ix_rate_limit_counter_expires_at", "expires_at"),)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float)
