"""Deploy a draft as a new version, roll back to an earlier one, list versions. Running instances stay on
their version; history is never rewritten (a rollback deploys the old diagram as the newest version).
A process called by others (a chain the annual cycles call) reaches their instances started after its
deploy; the preview and the history name those callers (engine/workflow/binding.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..core import audit
from ..core.db import savepoint
from ..core.errors import N_, Conflict, InvalidInput
from ..core.text import limited_text
from ..models import InstanceStatus, ProcessDefinition, ProcessInstance, ProcessVersion, User
from ..workflow import callers
from ..workflow.deploy import deploy as deploy_version
from .access import get_version
from .compare import compare
from .drafts import draft_of
from .validation import InvalidBpmnInput, validate


def deploy(
    session: Session, user: User, definition: ProcessDefinition, xml: str | bytes, note: str, now: datetime,
    action: str = "process.deploy", keep_draft: bool = False, details: dict | None = None,
) -> ProcessVersion:  # fmt: skip
    """A new version from the modeler: full validation first; running instances stay where they are."""
    note = limited_text(note, 2000, "note")
    if not note:
        raise InvalidInput(N_("请填写变更说明"), fields={"note": [N_("请填写变更说明")]})
    problems = validate(session, definition, xml)
    if problems:
        raise InvalidBpmnInput(problems)
    try:
        with savepoint(session):
            version = deploy_version(session, xml, actor_id=user.id, now=now, note=note)
    except IntegrityError:  # another owner deployed the same version number a moment ago
        raise Conflict(N_("其他人刚刚部署了新版本，请刷新后再部署")) from None
    draft = draft_of(session, definition)
    if draft is not None and not keep_draft:
        session.delete(draft)
    if action != "process.deploy":
        audit.record(
            session, actor_id=user.id, action=action, object_type="process_definition",
            object_id=definition.key, now=now, after={"version": version.version, **(details or {})}, note=note,
        )  # fmt: skip
    return version


def _latest(session: Session, definition: ProcessDefinition) -> ProcessVersion | None:
    return session.get(ProcessVersion, definition.latest_version_id) if definition.latest_version_id else None


def _running(session: Session, definition: ProcessDefinition) -> int:
    return session.scalar(
        select(func.count())
        .select_from(ProcessInstance)
        .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
        .where(ProcessVersion.definition_id == definition.id, ProcessInstance.status == InstanceStatus.RUNNING)
    )


def _bound(session: Session, definition: ProcessDefinition) -> dict[int, int]:
    """Per version of this process: running instances of other processes that run it through a call."""
    bound = ProcessInstance.bindings[definition.key].as_integer()
    return dict(
        session.execute(
            select(bound, func.count())
            .where(ProcessInstance.status == InstanceStatus.RUNNING, bound.is_not(None))
            .group_by(bound)
        ).all()
    )


def deploy_preview(session: Session, definition: ProcessDefinition) -> dict:
    """What deploying the saved draft would do, for the owner to confirm: the version it becomes, the
    elements that change against the current version, the problems that stop it, the running instances
    (they stay on their version), the processes that call it (their instances started from now on run the
    new version; running ones keep theirs: `bound_running`). `draft` is None when there is nothing to deploy."""
    latest = _latest(session, definition)
    called_by = callers(session, definition.key)
    out = {"draft": None, "latest": latest, "next_version": latest.version + 1 if latest else 1,
           "running": _running(session, definition), "callers": called_by,
           "bound_running": sum(_bound(session, definition).values()) if called_by else 0}  # fmt: skip
    draft = draft_of(session, definition)
    if draft is None:
        return out
    latest_xml = version_xml(session, latest) if latest else ""
    return {
        **out, "draft": draft, "lock": draft.lock_version,
        "editor": session.scalar(select(User.display_name).where(User.id == draft.updated_by_id)),
        "base": session.get(ProcessVersion, draft.base_version_id) if draft.base_version_id else None,
        "stale": latest is not None and draft.base_version_id != latest.id,
        "unchanged": latest is not None and draft.bpmn_xml.strip() == latest_xml.strip(),
        "changes": compare(latest_xml, draft.bpmn_xml) if latest else [],
        "problems": validate(session, definition, draft.bpmn_xml),
    }  # fmt: skip


def deploy_draft(
    session: Session, user: User, definition: ProcessDefinition, note: str, lock, now: datetime
) -> ProcessVersion:
    """Deploy the saved draft the owner confirmed. `lock` is the draft version the confirmation page
    showed: if another owner saved or deployed in between, nothing is deployed."""
    draft = draft_of(session, definition)
    if draft is None:
        raise Conflict(N_("没有待部署的草稿：它可能刚被他人部署或丢弃"))
    if lock != draft.lock_version:
        raise Conflict(N_("草稿在您确认期间已被他人修改，请查看变化后重新确认"))
    latest = _latest(session, definition)
    if latest is not None and draft.bpmn_xml.strip() == version_xml(session, latest).strip():
        raise Conflict(N_("草稿与当前版本 v%(n)s 完全相同，无需部署"), n=latest.version)
    return deploy(session, user, definition, draft.bpmn_xml, note, now)


def is_current(session: Session, definition: ProcessDefinition, version: ProcessVersion) -> bool:
    """Whether `version`'s diagram is what new instances run now (it is the latest, or the same file)."""
    latest = _latest(session, definition)
    return latest is not None and (version.id == latest.id or version.checksum == latest.checksum)


def rollback_preview(session: Session, definition: ProcessDefinition, number) -> dict:
    """What rolling back to version `number` would do, for the owner to confirm (see deploy_preview)."""
    old = get_version(session, definition, number)
    latest = _latest(session, definition)
    current = is_current(session, definition, old)
    old_xml = version_xml(session, old)
    return {
        "version": old, "latest": latest, "current": current, "next_version": latest.version + 1,
        "changes": [] if current else compare(version_xml(session, latest), old_xml),
        "problems": [] if current else validate(session, definition, old_xml),
        "draft": draft_of(session, definition), "running": _running(session, definition),
    }  # fmt: skip


def rollback(
    session: Session, user: User, definition: ProcessDefinition, number, reason: str, now: datetime
) -> ProcessVersion | None:
    """Deploy an earlier version's diagram again as the newest version (history is never rewritten).

    Returns None, having changed nothing, when that diagram is already the current one. The reason is
    required; it becomes the new version's note and the audit entry's. A draft in the modeler is kept.
    """
    old = get_version(session, definition, number)
    if is_current(session, definition, old):
        return None
    reason = limited_text(reason, 1900, "reason")  # with its "回滚到 vN：" it is the version's note (2000)
    if not reason:
        raise InvalidInput(N_("请填写回滚原因"), fields={"reason": [N_("请填写回滚原因")]})
    xml = version_xml(session, old)
    note = f"回滚到 v{old.version}：{reason}"
    return deploy(session, user, definition, xml, note, now, action="process.rollback", keep_draft=True,
                  details={"from_version": old.version})  # fmt: skip


def versions(session: Session, definition: ProcessDefinition, called: bool = False) -> list[dict]:
    """Every version, newest first: who deployed it, when, why, its running instances (`running`) and, when
    `called`, the running instances of callers bound to it (`bound`)."""
    bound = _bound(session, definition) if called else {}
    counts = dict(
        session.execute(
            select(ProcessInstance.version_id, func.count())
            .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
            .where(ProcessVersion.definition_id == definition.id, ProcessInstance.status == InstanceStatus.RUNNING)
            .group_by(ProcessInstance.version_id)
        ).all()
    )
    rows = session.execute(
        select(ProcessVersion.id, ProcessVersion.version, ProcessVersion.deployed_at, ProcessVersion.note)
        .add_columns(User.display_name)
        .outerjoin(User, User.id == ProcessVersion.deployed_by_id)
        .where(ProcessVersion.definition_id == definition.id)
        .order_by(ProcessVersion.version.desc())
    ).all()  # fmt: skip
    return [
        {
            "id": r.id, "version": r.version, "deployed_at": r.deployed_at, "note": r.note,
            "deployed_by": r.display_name or "系统", "running": counts.get(r.id, 0), "bound": bound.get(r.id, 0),
            "latest": r.id == definition.latest_version_id,
        }
        for r in rows
    ]  # fmt: skip


def latest_versions(session: Session, definition_ids: list[int]) -> dict[int, ProcessVersion]:
    """The newest version of each process, in one query."""
    rows = session.scalars(
        select(ProcessVersion)
        .join(ProcessDefinition, ProcessDefinition.latest_version_id == ProcessVersion.id)
        .where(ProcessDefinition.id.in_(definition_ids))
    )
    return {v.definition_id: v for v in rows}


def version_xml(session: Session, version: ProcessVersion) -> str:
    return session.scalar(select(ProcessVersion.bpmn_xml).where(ProcessVersion.id == version.id))
