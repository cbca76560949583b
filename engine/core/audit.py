"""Append to the audit log, in the caller's transaction.

A step that writes several entries (a completion: the task, the document, maybe the instance) collects
them (`collected`) and inserts them with one statement at its end.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from ..models import AuditEntry


def row(
    *,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id,
    now: datetime,
    before: dict | None = None,
    after: dict | None = None,
    instance_id: int | None = None,
    note: str | None = None,
) -> dict:
    """One audit entry as a row (every row has the same keys, so many go in one INSERT)."""
    return {"at": now, "actor_id": actor_id, "action": action, "object_type": object_type,
            "object_id": str(object_id), "instance_id": instance_id, "before": before, "after": after,
            "note": note}  # fmt: skip


_COLLECTED = "zhengai_audit_rows"  # the session.info key of the open collection
_INSERT = insert(AuditEntry.__table__)


def record(session: Session, **entry) -> None:
    """Add one audit entry (see `row` for the fields): to the step's collection, or to the session."""
    values = row(**entry)
    collecting = session.info.get(_COLLECTED)
    if collecting is not None:
        collecting.append(values)
    else:
        session.add(AuditEntry(**values))


def record_rows(session: Session, rows: list[dict]) -> None:
    """Insert many entries made by `row` in one statement (with the step's entries, when it collects them)."""
    collecting = session.info.get(_COLLECTED)
    if collecting is not None:
        collecting.extend(rows)
    elif rows:
        session.execute(_INSERT, rows)


@contextmanager
def collected(session: Session) -> Iterator[None]:
    """Entries recorded inside the block are inserted with one statement when it ends without an error;
    when it raises they are dropped with it (the caller undoes the step). A nested block hands its entries
    to the enclosing one when it succeeds, so an item a batch rolls back to its savepoint leaves none."""
    outer = session.info.get(_COLLECTED)
    rows = session.info[_COLLECTED] = []
    try:
        yield
    finally:
        if outer is None:
            del session.info[_COLLECTED]
        else:
            session.info[_COLLECTED] = outer
    if outer is not None:
        outer.extend(rows)
    elif rows:
        session.execute(_INSERT, rows)
