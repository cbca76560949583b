"""Append to the audit log, in the caller's transaction."""

from __future__ import annotations

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


def record(session: Session, **entry) -> AuditEntry:
    """Add one audit entry (see `row` for the fields)."""
    values = row(**entry)
    audit_entry = AuditEntry(**values)
    session.add(audit_entry)
    return audit_entry


def record_rows(session: Session, rows: list[dict]) -> None:
    """Insert many entries made by `row` in one statement."""
    if rows:
        session.execute(insert(AuditEntry), rows)
