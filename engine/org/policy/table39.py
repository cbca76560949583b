"""The rules over table 39's warning types and the quality-accident procedure (认定与处理) (what each rule admits:
engine/org/policy/__init__.py)."""

from __future__ import annotations

from ...models import QualityWarning, Role
from .base import F, Viewer
from .school import WARNING_ACTING_KINDS, sees_all_warnings

ACCIDENT_DECIDE_ROLES = (Role.HEAD, Role.REVIEWER)


def reads_warning_types(v: Viewer) -> bool:
    """The 预警类型 page (table 39): staff and teachers, not students."""
    return not v.is_student


def configures_warning_providers(v: Viewer) -> bool:
    """质量管理处 and monitors set the providers table 39 leaves blank."""
    return sees_all_warnings(v)


def may_propose_accident_grade(v: Viewer, in_working_group: bool, w: QualityWarning) -> bool:
    """The 诊改办公室 (monitors, 质量管理处) or a member of a 诊改工作组 proposes an accident's grade; a group member
    who decides it (of the responsible department) does not propose it too."""
    if v.is_monitor or (not v.is_student and F.QUALITY_OFFICE in v.unit_functions):
        return True
    return not v.is_student and in_working_group and not may_decide_accident(v, w)


def may_decide_accident(v: Viewer, w: QualityWarning) -> bool:
    """The responsible department (its heads and reviewers, its administrative staff) decides the grade and
    records the handling; administrators stand in."""
    own = w.org_unit_id in v.own_units and v.user.kind in WARNING_ACTING_KINDS
    return bool(v.user.is_admin) or own or w.org_unit_id in v.units(*ACCIDENT_DECIDE_ROLES)


__all__ = ["configures_warning_providers", "may_decide_accident", "may_propose_accident_grade", "reads_warning_types"]
