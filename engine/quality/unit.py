"""A unit's page of the quality view: its subjects with their cycle step and review and sampling conclusions
(and the documents, where the viewer may read them), its warnings, its indicators and surveys with trends, and
the other parts' figures. Teachers' and students' own cycles are counted, not listed (hundreds per college)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..cycle import progress
from ..models import Document, OrgUnit, QualityWarning, Subject, WarningStatus
from ..org import policy
from ..warnings.service import SEVERITY
from . import figures, indicators, view

LISTED_LEVELS = ("unit", "program", "team")  # the person level is counted only
MAX_SUBJECTS = 500
MAX_WARNINGS = 100


def _subjects(session: Session, unit: OrgUnit, year: int, now: datetime) -> list[dict]:
    rows = []
    for level in LISTED_LEVELS:
        f = progress.Filters(year=year, level=level, department=unit.id)
        rows += progress.subjects(session, f, now, 1, MAX_SUBJECTS).rows
    return rows


def _visible_documents(session: Session, v, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    stmt = select(Document.id).join(Subject, Subject.id == Document.subject_id).where(Document.id.in_(sorted(ids)))
    if (cond := policy.document_visible(v)) is not None:
        stmt = stmt.where(cond)
    return set(session.scalars(stmt))


def _warnings(session: Session, v, unit: OrgUnit, year: int, now: datetime) -> list[dict]:
    """The unit's warnings open at the year's end or raised in the year, most severe first; `link` where the
    viewer may open the warning itself."""
    start, end = figures.year_span(session, year)
    cut = min(end, now)
    open_then = or_(QualityWarning.status.in_((WarningStatus.RAISED, WarningStatus.ACKNOWLEDGED)),
                    QualityWarning.resolved_at >= cut)  # fmt: skip
    found = session.scalars(
        select(QualityWarning)
        .where(QualityWarning.org_unit_id == unit.id, QualityWarning.raised_at < cut,
               or_(open_then, QualityWarning.raised_at >= start))
        .order_by(SEVERITY, QualityWarning.raised_at.desc())
        .limit(MAX_WARNINGS)
    ).all()  # fmt: skip
    visible = {w.id for w in found}
    if found and (cond := policy.warning_visible(v)) is not None:
        visible = set(session.scalars(select(QualityWarning.id).where(QualityWarning.id.in_(sorted(visible)), cond)))
    return [{"warning": w, "open": w.status != WarningStatus.RESOLVED or (w.resolved_at or cut) >= cut,
             "link": w.id in visible} for w in found]  # fmt: skip


def unit_page(session: Session, v, unit: OrgUnit, year: int, now: datetime, found: dict | None = None) -> dict:
    """Everything the unit's page shows."""
    subjects = _subjects(session, unit, year, now)
    matrix, _table = progress.overview(session, year, now, department=unit.id)
    reviews = figures.reviews_of_year(session, year, {unit.id})
    docs = {p["document_id"] for r in reviews.values() for k, p in r.items() if isinstance(p, dict)}
    readable = _visible_documents(session, v, docs)
    for row in subjects:
        row["reviews"] = reviews.get(row["subject_id"], {})
    years = figures.years_back(year, view.TREND_YEARS)
    ids = {unit.id}
    values = indicators.compute(session, years, ids)
    survey = figures.survey_figures(session, years, ids)
    raised = figures.warnings_raised_by_year(session, years, ids)
    found = view.providers() if found is None else found
    extra = view.optional_figures(session, year, found)
    assessed = view.assessment_trend(session, years, ids, found)
    shown = [i for i in indicators.INDICATORS if (year, unit.id) in values.get(i.key, {})]
    return {
        "unit": unit, "year": year, "subjects": subjects, "readable": readable,
        "persons": {"total": matrix.total["person"], "done": matrix.done["person"]},
        "reviews": figures.reviews_by_unit(reviews).get(unit.id),
        "warnings": _warnings(session, v, unit, year, now),
        "counts": figures.warnings_by_unit(session, year, now, ids).get(unit.id, figures.no_warnings()),
        "indicators": [(i, values[i.key][(year, unit.id)]) for i in shown],
        "surveys": [(k, survey[(year, k, unit.id)]) for k in figures.SURVEY_KINDS if (year, k, unit.id) in survey],
        "assessment": extra.get("assessment", {}).get(unit.id),
        "credits": extra.get("credits", {}).get(unit.id),
        "reports": [r for r in extra.get("reports", []) if r.get("unit_id") == unit.id],
        "optional": sorted(extra),
        "trends": view.trends(years, values, survey, raised, unit.id, assessed),
    }  # fmt: skip
