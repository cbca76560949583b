"""The request's clock."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app


def now() -> datetime:
    """The request's clock; tests replace ZHENGAI_CLOCK with a fixed one."""
    clock = current_app.config.get("ZHENGAI_CLOCK")
    return clock() if clock else datetime.now(UTC)
