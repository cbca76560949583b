"""Keep the results of a batch action for the page the user is redirected to (Post/Redirect/Get).

A batch of up to 200 tasks reports one line per task; that does not fit in a session cookie, so the
action stores a `BatchRun` row in its own transaction and redirects to it. Nobody but the user who ran
the batch may read it (404 for anybody else, as for any object one may not see). Rows older than
`KEEP` are removed when the same user runs the next batch.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..core.errors import N_, NotFound, object_id
from ..models import BatchRun, User

KEEP = timedelta(days=30)
RESULT_KEYS = ("id", "ok", "name", "title", "subject", "message", "params", "details")


def record(
    session: Session, user: User, kind: str, results: list[dict], now: datetime, context: dict | None = None
) -> BatchRun:
    """Store one batch's results (messages untranslated, so the page follows the reader's language)."""
    session.execute(delete(BatchRun).where(BatchRun.user_id == user.id, BatchRun.created_at < now - KEEP))
    rows = [{key: r.get(key) for key in RESULT_KEYS} for r in results]
    run = BatchRun(user_id=user.id, kind=kind, created_at=now, results=rows, context=context or {})
    session.add(run)
    session.flush()
    return run


def get(session: Session, user: User, run_id, kind: tuple[str, ...] | None = None) -> BatchRun:
    """A run of this user (of one of `kind`), or NotFound."""
    run_id = object_id(run_id, N_("页面不存在"))
    run = session.scalar(select(BatchRun).where(BatchRun.id == run_id, BatchRun.user_id == user.id))
    if run is None or (kind is not None and run.kind not in kind):
        raise NotFound(N_("页面不存在"))
    return run
