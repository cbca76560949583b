"""Who a task, a share or a permission names: a person or a position, as one value type.

Stored as strings (`task_candidate.principal`, `document_share.principal`): `u:<user id>` for a person,
`g:<role>:<scope type>:<scope id>` for the holders of a position, e.g. `g:reviewer:unit:3` (the
reviewers of one college) or `g:monitor:school:0` (the school's scope has id 0). `Principal.parse` and
`str()` are the only code that reads or writes that format; `sql_user` and `sql_group` write it inside a
query, for the few places that compare principals with positions in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import String, cast, func, literal

from ..models import Role, ScopeType

USER, GROUP, SEP = "u", "g", ":"


@dataclass(frozen=True, slots=True)
class Principal:
    """A person (`user_id`) or a position (`role` within `scope_type` `scope_id`)."""

    user_id: int | None = None
    role: Role | None = None
    scope_type: ScopeType | None = None
    scope_id: int = 0

    @classmethod
    def user(cls, user_id: int) -> Principal:
        return cls(user_id=int(user_id))

    @classmethod
    def group(cls, role: str, scope_type: str, scope_id: int | None = 0) -> Principal:
        """A position; the school's scope (no id) is 0. Unknown roles and scope types raise ValueError."""
        return cls(role=Role(role), scope_type=ScopeType(scope_type), scope_id=int(scope_id or 0))

    @staticmethod
    def parse(text: str) -> Principal:
        """The principal a stored string names; ValueError for anything else."""
        return _parse(text)

    @property
    def is_user(self) -> bool:
        return self.user_id is not None

    @property
    def is_group(self) -> bool:
        return self.user_id is None

    def __str__(self) -> str:
        if self.user_id is not None:
            return f"{USER}{SEP}{self.user_id}"
        return SEP.join((GROUP, self.role, self.scope_type, str(self.scope_id)))


@lru_cache(maxsize=4096)
def _parse(text: str) -> Principal:
    parts = text.split(SEP) if isinstance(text, str) else []
    if len(parts) == 2 and parts[0] == USER and parts[1].isdigit():
        return Principal.user(int(parts[1]))
    if len(parts) == 4 and parts[0] == GROUP and parts[3].isdigit():
        return Principal.group(parts[1], parts[2], int(parts[3]))
    raise ValueError(f"not a principal: {text!r}")


def parse_all(texts) -> list[Principal]:
    """The principals among `texts`, skipping anything malformed."""
    out = []
    for text in texts:
        try:
            out.append(_parse(text))
        except ValueError:
            continue
    return out


def sql_user(user_id_column):
    """`u:<id>` computed in SQL from a user id column."""
    return literal(USER + SEP, String) + cast(user_id_column, String)


def sql_group(role_column, scope_type_column, scope_id_column):
    """`g:<role>:<scope type>:<scope id>` computed in SQL (a missing scope id is the school's 0)."""
    return (
        literal(GROUP + SEP, String)
        + role_column
        + literal(SEP, String)
        + scope_type_column
        + literal(SEP, String)
        + cast(func.coalesce(scope_id_column, 0), String)
    )
