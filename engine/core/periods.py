"""Periods of documents: targets for three years (seed §六(二)2), standards and plans for one."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

DEFAULT_BASE_YEAR = 2016  # the seed's first three-year period is 2016-2018
SCHOOL_TZ = ZoneInfo("Asia/Shanghai")

PERIOD_KIND = {"target": "3y", "standard": "1y", "plan": "1y"}


def local_year(now: datetime) -> int:
    return now.astimezone(SCHOOL_TZ).year


def period_for(doc_type: str, now: datetime, base_year: int = DEFAULT_BASE_YEAR) -> str:
    year = local_year(now)
    if PERIOD_KIND.get(doc_type) == "3y":
        start = base_year + ((year - base_year) // 3) * 3
        return f"{start}-{start + 2}"
    return str(year)
