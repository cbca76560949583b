"""The rules over warnings, the annual task table, registries, committees and basic standards (what each
rule admits: engine/org/policy/__init__.py)."""

from __future__ import annotations

from sqlalchemy import or_

from ...models import QualityWarning, Role
from .base import (
    ANNUAL_ROW_ROLES,
    WARNING_ACT_ROLES,
    WARNING_LEAD_FUNCTIONS,
    WARNING_REPORTERS,
    WARNING_SEE_ROLES,
    WARNINGS_SEEN_BY_ALL_OF,
    F,
    Viewer,
)

# -- warnings -----------------------------------------------------------------------------------------


def sees_all_warnings(v: Viewer) -> bool:
    return v.is_monitor or (not v.is_student and WARNINGS_SEEN_BY_ALL_OF in v.unit_functions)


def _warning_lead_kinds(v: Viewer) -> list[str]:
    return [] if v.is_student else [k for k, key in WARNING_LEAD_FUNCTIONS.items() if key in v.unit_functions]


# who acts on their own unit's warnings (administrative staff: 职员 and 辅导员; teachers only see them)
WARNING_ACTING_KINDS = ("staff", "counselor")


def _warning_rule(v: Viewer, act: bool) -> list[tuple[str, set]]:
    """(column, values) pairs, any of which lets the user see (or act on) a warning."""
    acting_kind = v.user.kind in WARNING_ACTING_KINDS
    own_unit = acting_kind if act else not v.is_student
    units = v.units(*(WARNING_ACT_ROLES if act else WARNING_SEE_ROLES)) | (set(v.own_units) if own_unit else set())
    kinds = _warning_lead_kinds(v) if (acting_kind or not act) else []
    rule = [("responsible_user_id", {v.id}), ("org_unit_id", units), ("kind", set(kinds))]
    return rule if act else [*rule, ("reporter_id", {v.id})]


def warning_visible(v: Viewer):
    """Warnings the user may see; None for 质量管理处 and monitors."""
    if sees_all_warnings(v):
        return None
    return or_(*(getattr(QualityWarning, col).in_(sorted(vals)) for col, vals in _warning_rule(v, False) if vals))


def warning_actionable(v: Viewer):
    """Warnings the user may acknowledge, resolve and annotate; None for the all-seeing."""
    if sees_all_warnings(v):
        return None
    return or_(*(getattr(QualityWarning, col).in_(sorted(vals)) for col, vals in _warning_rule(v, True) if vals))


def may_act_on_warning(v: Viewer, w: QualityWarning) -> bool:
    """`warning_actionable` for a warning already loaded (the same rule, read in Python)."""
    return sees_all_warnings(v) or any(getattr(w, col) in vals for col, vals in _warning_rule(v, True))


def reportable_warning_kinds(v: Viewer) -> list[str]:
    """The cases the user may report by hand."""
    if v.is_student:
        return []
    return [
        kind
        for kind, keys in WARNING_REPORTERS.items()
        if keys is None or sees_all_warnings(v) or v.unit_functions & set(keys)
    ]


# -- the annual task table ----------------------------------------------------------------------------


def reads_annual_table(v: Viewer) -> bool:
    """The school's annual task table is read by its staff and teachers, not by students."""
    return not v.is_student


def may_complete_annual_row(v: Viewer, responsible_unit_ids) -> bool:
    """Monitors, positions of a responsible department and its members mark an annual-table row done."""
    units = set(responsible_unit_ids or [])
    return v.is_monitor or bool(v.units(*ANNUAL_ROW_ROLES) & units) or bool(v.own_units & units)


def may_edit_registry_entry(v: Viewer, lead_unit_id: int | None) -> bool:
    """Monitors, the unit holding quality_office (质量管理处) and the entry's lead department edit an entry."""
    roles = (Role.HEAD, Role.REVIEWER, Role.DEPUTY, Role.OFFICE_STAFF, Role.PROCESS_OWNER)
    own = lead_unit_id is not None and (lead_unit_id in v.own_units or lead_unit_id in v.units(*roles))
    return v.is_monitor or F.QUALITY_OFFICE in v.unit_functions or own


reads_standards = reads_annual_table  # committees and basic standards too; 诊改办公室 and monitors keep committees


def edits_committees(v: Viewer) -> bool:
    return v.is_monitor or F.QUALITY_OFFICE in v.unit_functions


def draws_samples(v: Viewer) -> bool:
    """Monitors and the unit holding quality_office (质量管理处) draw and read the school's sampling (学校抽样复核)."""
    return v.is_monitor or F.QUALITY_OFFICE in v.unit_functions


__all__ = [
    "WARNING_ACTING_KINDS", "draws_samples", "edits_committees", "may_act_on_warning", "may_complete_annual_row",
    "may_edit_registry_entry", "reads_annual_table", "reads_standards", "reportable_warning_kinds",
    "sees_all_warnings", "warning_actionable", "warning_visible",
]  # fmt: skip
