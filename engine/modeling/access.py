"""Who may see and change a process in the modeler: its owners (the `process_owner` or `head` of its owning
department) and administrators; to everybody else it does not exist (404)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.errors import N_, NotFound, object_id
from ..models import ProcessDefinition, ProcessVersion, User
from ..org import policy

may_edit = policy.owns_process
edits_any = policy.owns_any_process  # whether to show the modeler in the menu


def editable_definitions(session: Session, user: User, principals: list[str]) -> list[ProcessDefinition]:
    stmt = select(ProcessDefinition).order_by(ProcessDefinition.category, ProcessDefinition.key)
    if (editable := policy.process_editable(policy.viewer(user, principals))) is not None:
        stmt = stmt.where(editable)
    return list(session.scalars(stmt))


def get_editable(session: Session, user: User, principals: list[str], key: str) -> ProcessDefinition:
    stmt = select(ProcessDefinition).where(ProcessDefinition.key == str(key)[:64])
    if (editable := policy.process_editable(policy.viewer(user, principals))) is not None:
        stmt = stmt.where(editable)
    definition = session.scalar(stmt)
    if definition is None:
        raise NotFound(N_("流程不存在"))
    return definition


def get_version(session: Session, definition: ProcessDefinition, number) -> ProcessVersion:
    number = object_id(number, N_("流程版本不存在"))
    version = session.scalar(
        select(ProcessVersion).where(ProcessVersion.definition_id == definition.id, ProcessVersion.version == number)
    )
    if version is None:
        raise NotFound(N_("流程版本不存在"))
    return version
