"""Small request helpers shared by the blueprints."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, g
from flask_login import current_user

from engine import assignment

from .db import db


def now() -> datetime:
    """The request's clock; tests replace ZHENGAI_CLOCK with a fixed one."""
    clock = current_app.config.get("ZHENGAI_CLOCK")
    return clock() if clock else datetime.now(UTC)


def principals() -> list[str]:
    """The current user's principals, computed once per request."""
    if "principals" not in g:
        g.principals = assignment.principals_of(db.session, current_user.id)
    return g.principals


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(current_app.config["ZHENGAI_TIMEZONE"])).strftime(fmt)


def int_arg(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
