"""What a user's positions let them oversee, read from their principals (`g:<role>:<scope>:<id>`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import ProcessDefinition, User
from .assignment import group_principal

MONITOR = group_principal("monitor", "school", 0)  # 诊改办公室: watches the whole school
OWNER_ROLES = ("process_owner", "head")  # own the processes (and templates) of their department


def is_monitor(user: User, principals: list[str]) -> bool:
    """诊改办公室 and administrators see and act on everything."""
    return bool(user.is_admin) or MONITOR in principals


def head_units(principals: list[str]) -> list[int]:
    """The departments the user heads."""
    return [int(p.split(":")[3]) for p in principals if p.startswith("g:head:unit:")]


def owned_unit_ids(principals: list[str]) -> set[int]:
    """Departments whose processes the user owns: process owner or head of the owning department."""
    return {int(p.split(":")[3]) for p in principals if p.startswith(tuple(f"g:{r}:unit:" for r in OWNER_ROLES))}


def owns_process(user: User, principals: list[str], definition: ProcessDefinition) -> bool:
    """Administrators, and the owners of the process's department."""
    if user.is_admin:
        return True
    return definition.owner_org_unit_id is not None and definition.owner_org_unit_id in owned_unit_ids(principals)


def owns_any_process(session: Session, user: User, principals: list[str]) -> bool:
    """Whether to show the modeler in the menu (one cheap query, none for most users)."""
    if user.is_admin:
        return True
    units = owned_unit_ids(principals)
    return bool(units) and bool(
        session.scalar(select(ProcessDefinition.id).where(ProcessDefinition.owner_org_unit_id.in_(units)).limit(1))
    )
