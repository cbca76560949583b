"""The organisation: who holds which position, how a lane's role becomes people, who may see and act on
what (policy), which unit holds which function (functions), passwords.

Principals name who may act: `u:<user id>` or a position `g:<role>:<scope type>:<scope id>`
(engine/org/principal.py); the permission rules over them are engine/org/policy/.
"""

from . import functions, policy
from .assignment import (
    FIXED_UNIT_PREFIX,
    FUNCTION_PREFIX,
    POSITIONS,
    ROLES,
    SCOPES,
    Assignment,
    group_principal,
    has_members,
    principals_from,
    principals_of,
    resolve,
    resolve_many,
    resolve_people,
    user_principal,
    user_with_principals,
    users_behind,
)
from .policy import (
    MONITOR,
    OWNER_ROLES,
    Viewer,
    head_units,
    is_monitor,
    owned_unit_ids,
    owns_any_process,
    owns_process,
)
from .principal import Principal

__all__ = [
    "FIXED_UNIT_PREFIX", "FUNCTION_PREFIX", "MONITOR", "OWNER_ROLES", "ROLES", "SCOPES", "Assignment", "Principal",
    "Viewer", "functions", "group_principal", "has_members", "head_units", "is_monitor", "owned_unit_ids",
    "owns_any_process", "owns_process", "policy", "principals_of", "resolve", "resolve_many", "resolve_people",
    "user_principal",
    "user_with_principals", "users_behind", "POSITIONS", "principals_from",
]  # fmt: skip
