"""The rules over the developmental assessment (table 40; what each rule admits: engine/org/policy/__init__.py).

The organisers: 人力资源处 (function human_resources) runs the campaigns and edits the indicator systems; 党政办公室
and 质量管理处 review the results with it. The organisers and monitors read every campaign, its results before
publication too; a unit's own people (its staff, positions in it) and the school leaders read a published result;
a 专业's, 课程's or person's published result is read by the one responsible, the heads of its unit and the leaders.
A scorer works on their own assignments only.
"""

from __future__ import annotations

from ...models import Role
from .base import Viewer
from .diagnosis import in_lead_department

UNIT_ROLES = (Role.HEAD, Role.DEPUTY, Role.REVIEWER, Role.OFFICE_STAFF, Role.PROCESS_OWNER)


def runs_assessment(v: Viewer, hr_unit_id: int | None) -> bool:
    """Monitors and 人力资源处 (its staff and positions) edit the systems, open campaigns, set their settings."""
    return v.is_monitor or in_lead_department(v, hr_unit_id)


def organises_assessment(v: Viewer, organiser_unit_ids) -> bool:
    """Monitors and the organising departments (人力资源处, 党政办公室, 质量管理处) read every campaign."""
    return v.is_monitor or any(in_lead_department(v, u) for u in organiser_unit_ids if u is not None)


def reads_unit_result(v: Viewer, unit_id: int) -> bool:
    """A published result: the unit's own staff and positions, the school leaders."""
    if v.is_student:
        return False
    return unit_id in v.own_units or unit_id in v.units(*UNIT_ROLES) or v.holds(Role.SCHOOL_LEADER)


def reads_subject_result(v: Viewer, unit_id: int | None, responsible_ids) -> bool:
    """A published result of a 专业, 课程 or person (2018 extension): the person responsible for it (the team's
    leader, the person themself), the heads of its unit, the school leaders; never another teacher or a student."""
    if v.is_student:
        return False
    return v.user.id in responsible_ids or unit_id in v.units(Role.HEAD, Role.DEPUTY) or v.holds(Role.SCHOOL_LEADER)


__all__ = ["organises_assessment", "reads_subject_result", "reads_unit_result", "runs_assessment"]
