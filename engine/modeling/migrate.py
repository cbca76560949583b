"""Move running instances of older versions to the newest one (engine/workflow/migration.py does the
moving), each in its own SAVEPOINT with its own result."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from ..core import audit
from ..core.errors import Conflict
from ..models import InstanceStatus, ProcessDefinition, ProcessInstance, ProcessVersion, User
from ..workflow import blockers, each_in_savepoint, load_instance, migrate_instance

PLAN_LIMIT = 500  # instances checked per page view (each check loads its workflow); migrate() takes as many


def migration_plan(
    session: Session, definition: ProcessDefinition, target: ProcessVersion, limit: int = PLAN_LIMIT
) -> list[dict]:
    """Running instances on older versions (oldest first, up to `limit`), each with whether it can move
    to `target` and why not."""
    instances = session.scalars(
        select(ProcessInstance)
        .options(undefer(ProcessInstance.state_json))
        .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
        .where(
            ProcessVersion.definition_id == definition.id,
            ProcessInstance.status == InstanceStatus.RUNNING,
            ProcessInstance.version_id != target.id,
        )
        .order_by(ProcessInstance.id)
        .limit(limit)
    ).all()
    return [{"instance": inst, **_check(session, inst, target)} for inst in instances]


def _check(session: Session, instance: ProcessInstance, target: ProcessVersion) -> dict:
    return blockers(session, instance, target)


def migrate(
    session: Session, user: User, definition: ProcessDefinition, instance_ids: list[int], target: ProcessVersion,
    now: datetime,
) -> list[dict]:  # fmt: skip
    """Move the chosen running instances to `target`; one result per instance, each all-or-nothing."""

    def one(raw):
        try:
            iid = int(raw)
        except (TypeError, ValueError):
            raise Conflict("实例编号无效") from None
        instance = load_instance(session, iid)
        if instance is None or instance.version.definition_id != definition.id:
            raise Conflict("实例不存在或不属于该流程")
        old_version = instance.version.version
        reason = migrate_instance(session, instance, target, now)
        if reason:
            raise Conflict(reason)
        audit.record(
            session, actor_id=user.id, action="instance.migrate", object_type="process_instance",
            object_id=instance.id, instance_id=instance.id, now=now, before={"version": old_version},
            after={"version": target.version},
        )  # fmt: skip
        return iid

    results = []
    for outcome in each_in_savepoint(session, instance_ids, one, now):
        if outcome.ok:
            results.append({"id": outcome.value, "ok": True, "reason": ""})
            continue
        raw = outcome.item
        reason = "实例刚刚被他人办理，请刷新后重试" if outcome.raced else outcome.error.message
        results.append({"id": int(raw) if str(raw).strip().isdigit() else raw, "ok": False, "reason": reason})
    return results
