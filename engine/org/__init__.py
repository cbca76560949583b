"""The organisation: who holds which position, how a lane's role becomes people, who may see and act on
what (policy), passwords.

Principals name who may act: `u:<user id>` or a position `g:<role>:<scope type>:<scope id>`
(engine/org/principal.py); the permission rules over them are engine/org/policy.py.
"""

from . import policy
from .assignment import (
    FIXED_UNIT_PREFIX,
    ROLES,
    SCOPES,
    Assignment,
    group_principal,
    has_members,
    principals_of,
    resolve,
    resolve_many,
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
    "FIXED_UNIT_PREFIX", "MONITOR", "OWNER_ROLES", "ROLES", "SCOPES", "Assignment", "Principal", "Viewer",
    "group_principal", "has_members", "head_units", "is_monitor", "owned_unit_ids", "owns_any_process",
    "owns_process", "policy", "principals_of", "resolve", "resolve_many", "user_principal", "user_with_principals",
    "users_behind",
]  # fmt: skip
