"""Periods of documents: targets for three years (seed §六(二)2), standards and plans for one.

Which year a moment belongs to is the school's calendar year (`Settings.timezone`); target periods are
three-year blocks counted from `Settings.cycle_base_year`.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from .settings import Settings

PERIOD_KIND = {"target": "3y", "standard": "1y", "plan": "1y"}
THREE_YEAR_PREFIXES = ("ws_",)  # work standards (table 9): revised every three years (seed §六(二)3)


def local_year(now: datetime, tz: ZoneInfo) -> int:
    return now.astimezone(tz).year


def period_for(doc_type: str, now: datetime, settings: Settings) -> str:
    year = local_year(now, settings.timezone)
    if PERIOD_KIND.get(doc_type) == "3y" or doc_type.startswith(THREE_YEAR_PREFIXES):
        base_year = settings.cycle_base_year
        start = base_year + ((year - base_year) // 3) * 3
        return f"{start}-{start + 2}"
    return str(year)
