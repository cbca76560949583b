"""The organisation: who holds which position, how a lane's role becomes people, passwords.

Principals name who may act: `u:<user id>` or a position `g:<role>:<scope type>:<scope id>`.
"""

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
    users_behind,
)
from .positions import MONITOR, OWNER_ROLES, head_units, is_monitor, owned_unit_ids, owns_any_process, owns_process

__all__ = [
    "FIXED_UNIT_PREFIX", "MONITOR", "OWNER_ROLES", "ROLES", "SCOPES", "Assignment", "group_principal", "has_members",
    "head_units", "is_monitor", "owned_unit_ids", "owns_any_process", "owns_process", "principals_of", "resolve",
    "resolve_many", "user_principal", "users_behind",
]  # fmt: skip
