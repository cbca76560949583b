"""The rules over the yearly reports (what each rule admits: engine/org/policy/__init__.py).

质量管理处 (function quality_office) and monitors edit the report types' headings, start and compile the school's
reports and read every report; school leaders read every report and approve the school's. A 职能部门's or
二级学院's own report is written and published by its staff (and the positions in it). A department sees its
own section of a school report through its task. Published reports are public (/public/reports).
"""

from __future__ import annotations

from sqlalchemy import or_

from ...models import Role
from .base import F, Viewer

WRITER_ROLES = (Role.HEAD, Role.DEPUTY, Role.REVIEWER, Role.OFFICE_STAFF)


def manages_reports(v: Viewer) -> bool:
    """Monitors and 质量管理处's staff."""
    return v.is_monitor or (not v.is_student and F.QUALITY_OFFICE in v.unit_functions)


def is_school_leader(v: Viewer) -> bool:
    return v.holds(Role.SCHOOL_LEADER)


def report_writer_units(v: Viewer) -> set[int]:
    """The units whose own reports the user writes: their unit (staff) and the units they hold a position in."""
    if v.is_student:
        return set()
    units = v.units(*WRITER_ROLES)
    if v.user.kind == "staff":
        units |= v.own_units
    return units


def report_visible(v: Viewer, report):
    """Reports the user may open (over Report); None for all: published ones, the units' own, everything for
    质量管理处, monitors and school leaders."""
    if manages_reports(v) or is_school_leader(v):
        return None
    conds = [report.status == "published"]
    if units := report_writer_units(v):
        conds.append(report.unit_id.in_(sorted(units)))
    return or_(*conds)


__all__ = ["is_school_leader", "manages_reports", "report_visible", "report_writer_units"]
