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
