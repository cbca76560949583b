"""Move running instances of older versions to the newest one (engine/workflow/migration.py does the
moving), each in its own SAVEPOINT with its own result. An instance is behind when it runs an older
version of the process, or older versions of the processes it calls than a new instance would bind."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, undefer

from ..core import audit
from ..core.errors import Conflict
from ..models import InstanceStatus, ProcessDefinition, ProcessInstance, ProcessVersion, User
from ..workflow import bind, blockers, each_in_savepoint, load_instance, migrate_instance

PLAN_LIMIT = 500  # instances checked per page view (each check loads its workflow); migrate() takes as many


def migration_plan(
    session: Session, definition: ProcessDefinition, target: ProcessVersion, limit: int = PLAN_LIMIT
) -> list[dict]:
    """Running instances on older versions (oldest first, up to `limit`), each with whether it can move
    to `target` and why not."""
    bindings = bind(session, target)  # what a new instance binds now, and so what a migrated one gets
    behind = [ProcessInstance.version_id != target.id] + [
        func.coalesce(ProcessInstance.bindings[key].as_integer(), -1) != version_id
        for key, version_id in (bindings or {}).items()
    ]
    instances = session.scalars(
        select(ProcessInstance)
        .options(undefer(ProcessInstance.state_json))
        .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
        .where(
            ProcessVersion.definition_id == definition.id,
            ProcessInstance.status == InstanceStatus.RUNNING,
            or_(*behind),
        )
        .order_by(ProcessInstance.id)
        .limit(limit)
    ).all()
    called = _called_versions(session, instances, bindings or {})
    return [{"instance": inst, "called": called.get(inst.id, []), **blockers(session, inst, target, bindings)}
            for inst in instances]  # fmt: skip


def _called_versions(session: Session, instances: list[ProcessInstance], bindings: dict) -> dict[int, list[dict]]:
    """Per instance, the called processes whose bound version is not the one a new instance gets:
    [{"name", "from" (version number, None for a version embedded before bindings), "to"}]."""
    ids = {v for inst in instances for v in (inst.bindings or {}).values()} | set(bindings.values())
    numbers = dict(
        session.execute(select(ProcessVersion.id, ProcessVersion.version).where(ProcessVersion.id.in_(ids))).all()
    )
    names = dict(
        session.execute(
            select(ProcessDefinition.key, ProcessDefinition.name).where(ProcessDefinition.key.in_(bindings))
        ).all()
    )
    out = {}
    for inst in instances:
        mine = inst.bindings or {}
        out[inst.id] = [
            {"name": names.get(key, key), "from": numbers.get(mine.get(key)), "to": numbers[version_id]}
            for key, version_id in sorted(bindings.items()) if mine.get(key) != version_id
        ]  # fmt: skip
    return out


def _audited(instance: ProcessInstance) -> dict:
    """The versions an instance runs, for the audit log: its own and those of the processes it calls."""
    return {"version": instance.version.version, **({"bindings": instance.bindings} if instance.bindings else {})}


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
        before = _audited(instance)
        reason = migrate_instance(session, instance, target, now)
        if reason:
            raise Conflict(reason)
        audit.record(
            session, actor_id=user.id, action="instance.migrate", object_type="process_instance",
            object_id=instance.id, instance_id=instance.id, now=now, before=before, after=_audited(instance),
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
