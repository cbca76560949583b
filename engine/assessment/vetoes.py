"""一票否决 from the quality accidents: the seed (table 40's 考核结果运用) sets a unit with a 特别严重事件 to 不合格.

A quality accident (engine/warnings/accidents.py) graded 特别严重 (`CRITICAL`) by its deciding department and
reported in the campaign's year vetoes the unit it concerns: a college teacher's teaching accident is decided and
handled by 教务处 but happened in the college (`details["concerned_unit_id"]`), so the college is vetoed; an accident
of a unit below an assessed one (a 教研室) vetoes the assessed unit above it. Proposed-only grades count for nothing:
the deciding department's grade does. 一般 and 严重 accidents do not change the assessment by themselves (the seed
vetoes only 特别严重); the organisers may still enter a veto by hand.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import settings
from ..models import OrgUnit, QualityWarning
from ..warnings.accidents import CRITICAL


def critical_accidents(session: Session, year: int, unit_ids) -> dict[int, QualityWarning]:
    """The first decided 特别严重 accident of the year per assessed unit (of `unit_ids`)."""
    wanted = set(unit_ids)
    if not wanted:
        return {}
    tz = settings.of(session).timezone
    start, end = datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)
    rows = session.scalars(
        select(QualityWarning)
        .where(QualityWarning.kind == "quality_accident", QualityWarning.since_at >= start,
               QualityWarning.since_at < end)
        .order_by(QualityWarning.since_at, QualityWarning.id)
    ).all()  # fmt: skip
    critical = [w for w in rows if ((w.details or {}).get("procedure") or {}).get("grade") == CRITICAL]
    if not critical:
        return {}
    parents = dict(session.execute(select(OrgUnit.id, OrgUnit.parent_id)).all())
    out: dict[int, QualityWarning] = {}
    for w in critical:
        unit_id, seen = (w.details or {}).get("concerned_unit_id") or w.org_unit_id, set()
        while unit_id is not None and unit_id not in wanted and unit_id not in seen:
            seen.add(unit_id)
            unit_id = parents.get(unit_id)
        if unit_id in wanted:
            out.setdefault(unit_id, w)
    return out


def reason(session: Session, w: QualityWarning) -> str:
    """The veto's reason as the result page shows it: the accident's title, day and number."""
    day = w.since_at.astimezone(settings.of(session).timezone).date().isoformat()
    return f"特别严重质量事故：{w.title}（{day}，预警 #{w.id}）"
