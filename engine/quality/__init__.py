"""The school leaders' quality view (质量看板): per year and unit, the year's judgement in one table, trends and a
drill-down to the documents (view: the overview; unit: a unit's page; figures and indicators: the columns)."""

from . import figures, indicators
from .unit import unit_page
from .view import OPTIONAL, TREND_YEARS, UNIT_KINDS, get_unit, overview, providers, units_in_view

__all__ = [
    "OPTIONAL", "TREND_YEARS", "UNIT_KINDS", "figures", "get_unit", "indicators", "overview", "providers",
    "unit_page", "units_in_view",
]  # fmt: skip
