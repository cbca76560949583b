"""Drafts: one shared draft per process, guarded by a version counter, saved with its problems.

Saving accepts work in progress: only unreadable or unsafe files are refused; the draft keeps the list of
problems that stop it from being deployed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..core import audit
from ..core.errors import N_, Conflict
from ..models import ProcessDefinition, ProcessDraft, ProcessVersion, User
from .validation import InvalidBpmnInput, validate


def draft_of(session: Session, definition: ProcessDefinition) -> ProcessDraft | None:
    return session.scalar(select(ProcessDraft).where(ProcessDraft.definition_id == definition.id))


def working_copy(session: Session, definition: ProcessDefinition) -> dict:
    """What the modeler opens: the draft if there is one, else the latest deployed version."""
    draft = draft_of(session, definition)
    latest = session.get(ProcessVersion, definition.latest_version_id) if definition.latest_version_id else None
    if draft is not None:
        base = session.get(ProcessVersion, draft.base_version_id) if draft.base_version_id else None
        return {
            "xml": draft.bpmn_xml,
            "draft": True,
            "lock": draft.lock_version,
            "base_version": base.version if base else None,
            "latest_version": latest.version if latest else None,
            "updated_at": draft.updated_at,
            "updated_by_id": draft.updated_by_id,
            "problems": draft.problems or [],
        }
    return {
        "xml": latest.bpmn_xml if latest else "",
        "draft": False,
        "lock": None,
        "base_version": latest.version if latest else None,
        "latest_version": latest.version if latest else None,
        "updated_at": None,
        "updated_by_id": None,
        "problems": [],
    }


def save_draft(
    session: Session, user: User, definition: ProcessDefinition, xml: str | bytes, now: datetime,
    lock: int | None = None, action: str = "process.draft_save",
) -> ProcessDraft:  # fmt: skip
    """Store the owner's work; refuses unreadable/unsafe files, keeps the deploy problems with it.

    `lock` is the draft version the editor started from (None: no draft yet); if somebody else saved
    in between, the save is refused with a conflict rather than silently overwriting their work.
    """
    problems = validate(session, definition, xml)
    fatal = [p for p in problems if p.get("fatal")]
    if fatal:
        raise InvalidBpmnInput(fatal)
    text = xml.decode("utf-8") if isinstance(xml, bytes) else xml
    draft = draft_of(session, definition)
    if draft is None:
        if lock is not None:
            raise Conflict(N_("草稿已被他人部署或丢弃，请重新打开"))
        draft = ProcessDraft(definition_id=definition.id, base_version_id=definition.latest_version_id)
        session.add(draft)
    elif lock is not None and lock != draft.lock_version:
        raise Conflict(N_("草稿已被他人修改，请重新打开后再保存"))
    draft.bpmn_xml = text
    draft.problems = problems
    draft.updated_at = now
    draft.updated_by_id = user.id
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(N_("草稿已被他人修改，请重新打开后再保存")) from None
    audit.record(
        session, actor_id=user.id, action=action, object_type="process_definition",
        object_id=definition.key, now=now, after={"problems": len(problems), "lock": draft.lock_version},
    )  # fmt: skip
    return draft


def discard_draft(session: Session, user: User, definition: ProcessDefinition, now: datetime) -> None:
    draft = draft_of(session, definition)
    if draft is None:
        return
    session.delete(draft)
    audit.record(
        session, actor_id=user.id, action="process.draft_discard", object_type="process_definition",
        object_id=definition.key, now=now,
    )  # fmt: skip
