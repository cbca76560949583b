"""Batches: one unit of work per item inside the caller's transaction, one result per item.

Every batch (batch approve, the monitors' batch actions, the modeler's migration, the cycle's runs, the
scheduler's wake-ups) runs its items through `each_in_savepoint`: an item that fails is rolled back to
its SAVEPOINT alone and reported, the others go on, and the caller commits once. A step that breaks the
engine is that item's failure and its incident is recorded on the spot (`incidents.record_failure`,
the same function a request uses after its rollback), so it commits with the batch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .. import org
from ..core.db import savepoint
from ..core.errors import N_, Conflict, DomainError, NotFound, StepFailed
from ..models import User
from . import incidents, runtime, tasks

log = logging.getLogger("zhengai.workflow")
CHANGED = N_("数据已被他人修改，请刷新后重试")


@dataclass
class Outcome:
    item: Any
    ok: bool
    value: Any = None
    error: DomainError | None = None
    raced: bool = False  # lost an optimistic-lock race: nothing is wrong with the item, try again later


def each_in_savepoint(session: Session, items: Iterable, work: Callable, now: datetime) -> list[Outcome]:
    """`work(item)` for each item in its own SAVEPOINT; domain errors and lost races are that item's result."""
    outcomes = []
    for item in items:
        try:
            try:
                with savepoint(session):
                    value = work(item)
            except BaseException:
                # Rows a step writes with Core (core.db.write_row, the closed task row) leave their objects
                # clean, so the rollback to the savepoint alone would not expire them: do it here.
                session.expire_all()
                raise
        except StepFailed as exc:
            log.error("step failed in instance %s", exc.instance_id, exc_info=exc.cause)
            incidents.record_failure(session, exc.instance_id, exc.cause, now)
            outcomes.append(Outcome(item, False, error=exc))
        except DomainError as exc:
            outcomes.append(Outcome(item, False, error=exc))
        except (StaleDataError, IntegrityError):  # changed by somebody else meanwhile: this item only
            outcomes.append(Outcome(item, False, error=Conflict(CHANGED), raced=True))
        else:
            outcomes.append(Outcome(item, True, value))
    return outcomes


UNKNOWN_TASK = N_("无权办理或不存在的任务")


def complete_many(session: Session, user: User, task_ids, payload: dict, now: datetime, principals=None) -> list[dict]:
    """Approve review tasks one by one, each permission-checked and all-or-nothing; one result per id.

    Each result names the task's document and subject as the permission-checked read model gives them;
    an id the user may not see is reported without a name.
    """
    if principals is None:
        principals = org.principals_of(session, user.id)
    results: dict[str, dict] = {}
    loaded = []
    for raw in dict.fromkeys(str(i).strip() for i in task_ids):
        results[raw] = {"id": raw, "ok": False, "name": "", "title": "", "subject": "", "params": {}}
        try:
            task = tasks.get_task(session, user, raw, principals)
        except NotFound:
            results[raw]["message"] = UNKNOWN_TASK
            continue
        results[raw].update(id=task.id, name=task.name, title=task.title, subject=task.subject_name or "")
        loaded.append((raw, task.id, task.kind))

    def approve(item):
        _raw, task_id, kind = item
        if kind != "review":
            raise Conflict(N_("只能批量办理审核任务"))
        runtime.complete_task(session, user, task_id, payload, now)

    for outcome in each_in_savepoint(session, loaded, approve, now):
        row = results[outcome.item[0]]
        if outcome.ok:
            row.update(ok=True, message=N_("已同意"))
            continue
        exc = outcome.error
        # field messages say why, e.g. "最多 2000 个字（当前 2100 个）" for the shared comment
        details = [str(m) for ms in (exc.fields or {}).values() for m in (ms if isinstance(ms, list) else [ms])]
        row.update(message=exc.message, params=exc.params, details=details)
    return list(results.values())
