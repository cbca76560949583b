"""One page of a list, with the total for the pager."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Page:
    rows: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, (self.total + self.per_page - 1) // self.per_page)


MAX_OFFSET = 2**63 - 1  # what either database binds


def offset(page: int, per_page: int) -> int:
    """The rows before `page` (1-based); a page far beyond any list starts past its end, never beyond
    what the database can bind."""
    return min((max(page, 1) - 1) * per_page, MAX_OFFSET)
