"""What the school leaders' quality view reads of the reports (the contract of issue #18's parts)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from . import reading


def published(session: Session, year: int | None = None) -> list[dict]:
    """The published reports (of a year, or all), newest year first, the school's before the units':
    {"id", "title", "year", "unit_id" (None: the school's), "published_at", "url"} (url: the public PDF)."""
    return [
        {"id": r.id, "title": r.title, "year": r.year, "unit_id": r.unit_id, "published_at": r.published_at,
         "url": f"/public/reports/{r.id}.pdf"}
        for r in reading.published(session, year)
    ]  # fmt: skip
