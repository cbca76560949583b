"""The school leaders' quality view (质量看板, issue #18): per year and per unit (职能部门, 二级学院) the annual cycle's
progress, review and sampling conclusions, open warnings by level, satisfaction surveys, the indicators the
collected data holds, and the other parts' summaries (developmental assessment, quality credits, published
reports) when those parts are installed; a school total row and trends over the last years.

Who sees it and which units: engine/org/policy/leaders.py (`quality_view_scope`). Every column family is one
grouped query over all units (no query per row, no workflow loaded): bench/quality_view.py times it.

The other parts' summaries are read through optional imports (`providers()`), so the view works without them;
tests pass fakes. Each provider is called once per page with (session, year); `assessment_trend` with
(session, unit ids, years).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.errors import N_, NotFound, object_id
from ..cycle import progress
from ..models import OrgUnit
from ..models.org import COLLEGE, FUNCTIONAL
from . import figures, indicators

UNIT_KINDS = {FUNCTIONAL: N_("职能部门"), COLLEGE: N_("二级学院")}
TREND_YEARS = 5
# name -> (module, function): the other parts' summaries, keyed as the view's columns
OPTIONAL = {
    "assessment": ("engine.assessment.summary", "unit_results"),
    "assessment_trend": ("engine.assessment.summary", "unit_trend"),  # (session, unit ids, years): the trend
    "credits": ("engine.credits.summary", "standing_by_unit"),
    "reports": ("engine.reports.summary", "published"),
}


def providers() -> dict[str, Callable]:
    """The other parts' summary functions that are installed (engine.assessment, engine.credits, engine.reports)."""
    out = {}
    for name, (module, function) in OPTIONAL.items():
        try:
            found = getattr(importlib.import_module(module), function, None)
        except ImportError:
            continue
        if found is not None:
            out[name] = found
    return out


def units_in_view(session: Session, scope: list[int] | None) -> list[OrgUnit]:
    """The active 职能部门 and 二级学院 in the scope (None: all), departments first, in the school's order."""
    stmt = select(OrgUnit).where(OrgUnit.kind.in_(tuple(UNIT_KINDS)), OrgUnit.active.is_(True))
    if scope is not None:
        stmt = stmt.where(OrgUnit.id.in_(sorted(scope) or [-1]))
    order = {k: i for i, k in enumerate(UNIT_KINDS)}
    return sorted(session.scalars(stmt), key=lambda u: (order[u.kind], u.id))


def get_unit(session: Session, scope: list[int] | None, unit_id) -> OrgUnit:
    """A unit of the view, or NotFound (outside the scope, not a department or college, or no such unit)."""
    uid = object_id(unit_id, N_("单位不存在"))
    unit = session.get(OrgUnit, uid)
    if unit is None or unit.kind not in UNIT_KINDS or (scope is not None and uid not in scope):
        raise NotFound(N_("单位不存在"))
    return unit


def optional_figures(session: Session, year: int, found: dict[str, Callable]) -> dict:
    out: dict = {}
    if "assessment" in found:
        out["assessment"] = found["assessment"](session, year) or {}
    if "credits" in found:  # the part's rate is a share (0-1); the view shows per cent, from the counts
        out["credits"] = {
            unit_id: {**c, "rate": round(100 * c["met"] / c["students"], 1) if c.get("students") else None}
            for unit_id, c in (found["credits"](session, year) or {}).items()
        }
    if "reports" in found:
        out["reports"] = list(found["reports"](session, year) or [])
    return out


def _credits_total(standing: dict, unit_ids: set[int]) -> dict | None:
    picked = [s for u, s in standing.items() if u in unit_ids]
    if not picked:
        return None
    students, met = sum(s.get("students", 0) for s in picked), sum(s.get("met", 0) for s in picked)
    below = sum(s.get("graduating_below", 0) for s in picked)
    return {"students": students, "met": met, "rate": round(100 * met / students, 1) if students else None,
            "graduating_below": below}  # fmt: skip


def overview(session: Session, year: int, now: datetime, scope: list[int] | None, found: dict | None = None) -> dict:
    """The overview's rows (one per unit), its total row, the indicators and surveys shown, and the trends."""
    units = units_in_view(session, scope)
    ids = {u.id for u in units}
    _matrix, table = progress.overview(session, year, now)
    cycles = {d["id"]: d for d in table if d["id"] in ids}
    warnings = figures.warnings_by_unit(session, year, now, ids)
    reviews = figures.reviews_by_unit(figures.reviews_of_year(session, year, ids))
    years = figures.years_back(year, TREND_YEARS)
    survey = figures.survey_figures(session, years, ids)
    values = indicators.compute(session, years, ids)
    found = providers() if found is None else found
    extra = optional_figures(session, year, found)
    assessed = assessment_trend(session, years, ids, found)
    shown = [i for i in indicators.INDICATORS if any(y == year for y, _u in values.get(i.key, {}))]
    kinds = [k for k in figures.SURVEY_KINDS if any(y == year and kd == k for y, kd, _c in survey)]
    reports = extra.get("reports", [])
    rows = []
    for u in units:
        rows.append({
            "unit": u, "kind": UNIT_KINDS[u.kind], "cycle": cycles.get(u.id),
            "warnings": warnings.get(u.id, figures.no_warnings()),
            "reviews": reviews.get(u.id), "surveys": {k: survey.get((year, k, u.id)) for k in kinds},
            "indicators": {i.key: values[i.key].get((year, u.id)) for i in shown},
            "assessment": extra.get("assessment", {}).get(u.id),
            "credits": extra.get("credits", {}).get(u.id),
            "reports": [r for r in reports if r.get("unit_id") == u.id],
        })  # fmt: skip
    total_cycle = {k: sum((c or {}).get(k, 0) for c in cycles.values()) for k in ("total", "done", "late")}
    total = {
        "cycle": total_cycle if total_cycle["total"] else None,
        "warnings": {k: sum(r["warnings"][k] for r in rows) for k in (*figures.LEVEL_ORDER, "open", "raised")},
        "reviews": reviews.get(None), "surveys": {k: survey.get((year, k, None)) for k in kinds},
        "indicators": {i.key: values[i.key].get((year, None)) for i in shown},
        "credits": _credits_total(extra["credits"], ids) if "credits" in extra else None,
        "assessment": assessed.get((year, None)),  # the mean total of the units assessed
        "reports": [r for r in reports if r.get("unit_id") is None],
    }  # fmt: skip
    raised = figures.warnings_raised_by_year(session, years, ids)
    return {
        "year": year, "rows": rows, "total": total, "indicators": shown, "survey_kinds": kinds,
        "optional": sorted(extra), "trends": trends(years, values, survey, raised, None, assessed),
    }  # fmt: skip


def assessment_trend(session: Session, years: list[int], ids: set[int], found: dict) -> dict:
    """The published assessment totals over the years: {(year, unit id): total}, and {(year, None): the mean
    total of the units in view that were assessed that year}; empty without the assessment part."""
    if "assessment_trend" not in found:
        return {}
    totals = {k: r["total"] for k, r in (found["assessment_trend"](session, ids, years) or {}).items()}
    for y in years:
        of_year = [t for (ty, _u), t in totals.items() if ty == y]
        if of_year:
            totals[(y, None)] = round(sum(of_year) / len(of_year), 1)
    return totals


def trends(
    years: list[int], values: dict, survey: dict, raised: dict, unit_id: int | None, assessed: dict | None = None
) -> dict:
    """The chart data of a unit (or the school: None): a line per indicator and survey kind with any value,
    the published assessment's total (a unit's; the school's mean), and the warnings raised per year."""
    series = []
    for ind in indicators.INDICATORS:
        points = [(values.get(ind.key, {}).get((y, unit_id)) or {}).get("value") for y in years]
        if any(p is not None for p in points):
            series.append({"key": ind.key, "name": ind.label, "unit": ind.unit, "values": points})
    for kind in figures.SURVEY_KINDS:
        points = [(survey.get((y, kind, unit_id)) or {}).get("figure") for y in years]
        if any(p is not None for p in points):
            series.append({"key": f"survey_{kind}", "name": figures.SURVEY_LABELS[kind], "unit": "%",
                           "values": points})  # fmt: skip
    points = [(assessed or {}).get((y, unit_id)) for y in years]
    if any(p is not None for p in points):
        series.append({"key": "assessment", "name": N_("发展性考核总分") if unit_id else N_("发展性考核平均分"),
                       "unit": N_("分"), "values": points})  # fmt: skip
    series.append({"key": "warnings", "name": N_("当年发出预警"), "unit": N_("条"),
                   "values": [raised.get((y, unit_id), 0) for y in years]})  # fmt: skip
    return {"years": [str(y) for y in years], "series": series}
