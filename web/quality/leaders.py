"""质量评价 › 质量看板: the school leaders' quality view (issue #18): the year's overview per unit and a unit's page.
Who sees it and which units: engine/org/policy/leaders.py; everybody else gets 404."""

from __future__ import annotations

import json

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import quality
from engine.core import periods
from engine.core.errors import N_
from engine.cycle import STEPS
from engine.org import policy
from engine.warnings import KINDS as WARNING_KINDS
from engine.warnings import LEVELS, STATUSES

from ..db import db
from ..helpers import now, principals, settings

bp = Blueprint("leaders", __name__, url_prefix="/quality/leaders")
YEARS_OFFERED = 6
CONCLUSION_LABELS = {"met": N_("达成"), "partly": N_("基本达成"), "unmet": N_("未达成")}


def _viewer():
    return policy.viewer(current_user, principals())


def _year() -> tuple[int, int, bool]:
    """(the year asked for, the current year, whether the asked value was refused)."""
    current = periods.local_year(now(), settings().timezone)
    raw = request.args.get("year")
    if raw in (None, ""):
        return current, current, False
    try:
        year = int(raw)
    except ValueError:
        return current, current, True
    if not 2000 <= year <= current:
        return current, current, True
    return year, current, False


def _years(year: int, current: int) -> list[int]:
    return sorted({*range(current - YEARS_OFFERED + 1, current + 1), year}, reverse=True)


@bp.app_context_processor
def _card():
    def sees_quality_view() -> bool:
        return current_user.is_authenticated and policy.sees_quality_view(_viewer())

    return {"sees_quality_view": sees_quality_view}


def _charts(trends: dict) -> str:
    """The trends as the chart script reads them, with their names in the reader's language."""
    series = []
    for s in trends["series"]:
        name, unit = s["name"], s["unit"]  # N_() labels of engine.quality
        series.append({**s, "name": _(name), "unit": _(unit) if unit != "%" else "%"})
    return json.dumps({"years": trends["years"], "series": series}, ensure_ascii=False)


def _common(year: int, current: int, refused: bool) -> dict:
    return {
        "year": year, "years": _years(year, current), "year_refused": refused, "levels": LEVELS,
        "conclusion_labels": CONCLUSION_LABELS, "steps": dict(enumerate((label for _k, label in STEPS), start=1)),
        "warning_kinds": WARNING_KINDS, "warning_statuses": STATUSES, "survey_labels": quality.figures.SURVEY_LABELS,
    }  # fmt: skip


@bp.get("/")
@login_required
def overview():
    scope = policy.quality_view_scope(_viewer())
    year, current, refused = _year()
    data = quality.overview(db.session, year, now(), scope)
    return render_template(
        "leaders/overview.html", data=data, led=policy.led_units(_viewer()), scoped=scope is not None,
        charts=_charts(data["trends"]), **_common(year, current, refused),
    )  # fmt: skip


@bp.get("/units/<unit_id>")
@login_required
def unit(unit_id):
    v = _viewer()
    scope = policy.quality_view_scope(v)
    found = quality.get_unit(db.session, scope, unit_id)
    year, current, refused = _year()
    data = quality.unit_page(db.session, v, found, year, now())
    return render_template(
        "leaders/unit.html", data=data, charts=_charts(data["trends"]),
        **_common(year, current, refused),
    )  # fmt: skip
