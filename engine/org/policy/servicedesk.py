"""The rules over service requests (table 38; what each rule admits: engine/org/policy/__init__.py).

The requester sees their own requests; the provider department (its staff and the positions in it) sees the
requests it provides, its queue; 党政办公室 (function party_office), which follows up 服务未落实, and monitors
see all. Nobody else sees a request (404).
"""

from __future__ import annotations

from sqlalchemy import or_

from ...models import Role
from .base import F, Viewer


def sees_all_service_requests(v: Viewer) -> bool:
    """Monitors and 党政办公室's staff."""
    return v.is_monitor or (not v.is_student and F.PARTY_OFFICE in v.unit_functions)


def service_provider_units(v: Viewer) -> set[int]:
    """The units whose requests the user provides: their own unit (staff) and the units they hold a position in."""
    if v.is_student:
        return set()
    units = v.units(*Role)
    if v.user.kind != "teacher":
        units |= v.own_units
    return units


def service_request_visible(v: Viewer, request):
    """Requests the user may see (over ServiceRequest); None for all."""
    if sees_all_service_requests(v):
        return None
    conds = [request.requester_id == v.id]
    if units := service_provider_units(v):
        conds.append(request.provider_unit_id.in_(sorted(units)))
    return or_(*conds)
