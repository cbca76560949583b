"""The rule over the school leaders' quality view (质量看板; what each rule admits: engine/org/policy/__init__.py)."""

from __future__ import annotations

from ...core.errors import N_, NotFound
from ...models import Role
from .base import F, Viewer

UNIT_LEADER_ROLES = (Role.LEADER_IN_CHARGE, Role.LIAISON_LEADER)  # 分管领导, 联系领导 of a unit


def quality_view_scope(v: Viewer) -> list[int] | None:
    """The units the user sees in the quality view: None for the whole school (monitors, 校领导 and 质量管理处),
    the units they lead for a 分管 or 联系 leader who is not a school leader; NotFound for anybody else."""
    if v.is_monitor or v.holds(Role.SCHOOL_LEADER):
        return None
    if not v.is_student and F.QUALITY_OFFICE in v.unit_functions:
        return None
    led = sorted(v.units(*UNIT_LEADER_ROLES))
    if not led:
        raise NotFound(N_("页面不存在"))
    return led


def led_units(v: Viewer) -> set[int]:
    """The units the user is 分管 or 联系 leader of (marked in the view; a school leader still sees them all)."""
    return v.units(*UNIT_LEADER_ROLES)


def sees_quality_view(v: Viewer) -> bool:
    try:
        quality_view_scope(v)
    except NotFound:
        return False
    return True


__all__ = ["UNIT_LEADER_ROLES", "led_units", "quality_view_scope", "sees_quality_view"]
