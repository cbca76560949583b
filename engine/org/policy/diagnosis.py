"""The rules over the diagnosis modes: review checklists and 规定性诊断 (what each rule admits:
engine/org/policy/__init__.py). The review assessment follows its document's edit rule (the open task)."""

from __future__ import annotations

from ...models import Role
from .base import Viewer
from .school import may_edit_registry_entry, reads_standards

LEAD_ROLES = (Role.HEAD, Role.REVIEWER, Role.DEPUTY, Role.OFFICE_STAFF, Role.PROCESS_OWNER)


def reads_checklists(v: Viewer) -> bool:
    """Staff and teachers read the checklists (the reviewed know what they are reviewed on); students do not."""
    return reads_standards(v)


def may_edit_checklist(v: Viewer, lead_unit_id: int | None) -> bool:
    """Monitors, 质量管理处 and the checklist's lead department (its members, positions) edit and publish drafts."""
    return may_edit_registry_entry(v, lead_unit_id)


def in_lead_department(v: Viewer, lead_unit_id: int | None) -> bool:
    """A member of staff of the unit, or a position in it (students and teachers of a college are not)."""
    if lead_unit_id is None or v.is_student:
        return False
    return (lead_unit_id in v.own_units and v.user.kind == "staff") or lead_unit_id in v.units(*LEAD_ROLES)


def may_diagnose_standard(v: Viewer, lead_unit_id: int | None) -> bool:
    """规定性诊断 is the lead department's: it records and revises the diagnoses of its basic standards."""
    return in_lead_department(v, lead_unit_id)


def reads_prescriptive(v: Viewer, lead_unit_id: int | None) -> bool:
    """The lead department and monitors read a standard's diagnoses; everyone else is told they do not exist."""
    return v.is_monitor or in_lead_department(v, lead_unit_id)


__all__ = [
    "LEAD_ROLES", "in_lead_department", "may_diagnose_standard", "may_edit_checklist", "reads_checklists",
    "reads_prescriptive",
]  # fmt: skip
