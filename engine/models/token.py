"""API and calendar tokens, stored as their SHA-256 so they can be listed and revoked (engine/security/tokens.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime

TOKEN_SCOPES = ("api", "calendar")  # api: /api only; calendar: /calendar.ics only


class ApiToken(Base):
    """A token a user issued. The token itself is shown once; only its digest and first characters stay.

    `password_stamp` is the owner's password stamp at issue (User.password_stamp): a password change ends
    every token."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    scope: Mapped[str] = mapped_column(String(16))  # TOKEN_SCOPES
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(8))  # the token's first characters, to tell tokens apart
    password_stamp: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
