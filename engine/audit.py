"""Append to the audit log, in the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from .models import AuditEntry


def record(
    session: Session,
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
) -> AuditEntry:
    entry = AuditEntry(
        at=now,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        instance_id=instance_id,
        before=before,
        after=after,
        note=note,
    )
    session.add(entry)
    return entry
