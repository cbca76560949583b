"""What the annual table's rows produce: a row's task, as the seed writes it, linked to its target.

The links are data (workflows/annual_links.csv: task, kind, key), written once from the seed's row titles;
a row matches by its exact task text, never by a substring. A kind names what the key points to:
`mechanism` / `service` / `supervision` (a registry entry, engine/registries), `work_standard` (a category of
table 9), `documents` (a subject type's targets, standards and plans), `basic_standard` (BS01..., table 10).
Another kind of target is one more kind in the CSV and one more URL in the web layer (web/cycle/annual.py).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AnnualTask

LINKS = Path(__file__).resolve().parents[2] / "workflows" / "annual_links.csv"
KINDS = ("mechanism", "service", "supervision", "work_standard", "documents", "basic_standard")


@dataclass(frozen=True)
class Link:
    kind: str
    key: str


@cache
def table() -> dict[str, Link]:
    """Task text -> its link, as written in the CSV."""
    with LINKS.open(encoding="utf-8", newline="") as f:
        return {row["task"]: Link(row["kind"], row["key"]) for row in csv.DictReader(f)}


def link_of(task: str) -> Link | None:
    return table().get(task)


def links_of(rows: list[AnnualTask]) -> dict[int, Link]:
    """Each linked row's link, by row id."""
    return {r.id: link for r in rows if (link := link_of(r.task)) is not None}


def tasks_for(kind: str, key: str) -> list[str]:
    return [task for task, link in table().items() if link == Link(kind, key)]


def rows_for(session: Session, kind: str, key: str) -> list[AnnualTask]:
    """The annual-table rows (every generated year) that produce this target, newest year first."""
    tasks = tasks_for(kind, key)
    if not tasks:
        return []
    stmt = select(AnnualTask).where(AnnualTask.task.in_(tasks)).order_by(AnnualTask.year.desc(), AnnualTask.no)
    return list(session.scalars(stmt))


def rows_by_key(session: Session, kind: str) -> dict[str, list[AnnualTask]]:
    """The annual-table rows of every target of one kind, by key, newest year first (one query)."""
    tasks = {task: link.key for task, link in table().items() if link.kind == kind}
    out: dict[str, list[AnnualTask]] = {}
    if not tasks:
        return out
    stmt = select(AnnualTask).where(AnnualTask.task.in_(tasks)).order_by(AnnualTask.year.desc(), AnnualTask.no)
    for row in session.scalars(stmt):
        out.setdefault(tasks[row.task], []).append(row)
    return out
