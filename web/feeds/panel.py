"""The 平台数据 panel the subject's pages include (feeds/_platform_data.html): a subject's indicators for a
year (engine.feeds.indicators) and their chart data. The page loaded the subject through its permission check."""

from __future__ import annotations

import json
import re

from engine.feeds import indicators

from ..db import db
from ..helpers import today


def platform_data(subject, year) -> dict:
    panel = indicators.for_subject(db.session, subject, int(year), today())
    return {"panel": panel, "charts": json.dumps({"series": panel.series}, ensure_ascii=False)}


def year_of_period(period: str | None) -> int:
    """A document's period ("2026", "2021-2025", "2026-03") as the year its data is judged for: the latest of
    its years that has begun, else this year."""
    this = today().year
    years = [int(y) for y in re.findall(r"(?<!\d)(\d{4})(?!\d)", period or "") if 2000 <= int(y) <= 2100]
    begun = [y for y in years if y <= this]
    return max(begun) if begun else this
