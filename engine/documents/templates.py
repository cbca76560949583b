"""Versioned document templates: process owners publish new versions; documents keep theirs."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache

from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forms.documents import Compiled, compile_definition
from forms.template_edit import all_keys, revise_definition
from forms.templates import builtin_templates
from forms.text import length_error

from .. import org
from ..core import audit
from ..core.errors import N_, InvalidInput, NotFound
from ..models import Document, FormTemplate
from ..org import policy


@lru_cache(maxsize=256)
def compiled(definition_text: str) -> Compiled:
    """A template definition, parsed and worked out for validation, kept per definition: keyed by the stored
    text itself, so no edit, rollback or other database can make it serve a definition that is not stored."""
    return compile_definition(json.loads(definition_text))


def owned_subject_types(session: Session, user, principals: list[str]) -> set[str] | None:
    """Subject types whose templates the user may edit; None means all (monitors)."""
    return policy.owned_subject_types(session, policy.viewer(user, principals))


def latest_versions(session: Session, subject_types: set[str] | None) -> list[FormTemplate]:
    newest = select(FormTemplate.key, func.max(FormTemplate.version).label("v")).group_by(FormTemplate.key).subquery()
    stmt = select(FormTemplate).join(newest, (newest.c.key == FormTemplate.key) & (newest.c.v == FormTemplate.version))
    if subject_types is not None:
        stmt = stmt.where(FormTemplate.subject_type.in_(subject_types or {"-"}))
    return list(session.scalars(stmt.order_by(FormTemplate.subject_type, FormTemplate.doc_type)))


def get_editable(session: Session, user, key: str, principals: list[str] | None = None) -> list[FormTemplate]:
    """All versions of a template the user owns, newest first; NotFound for anyone else."""
    if principals is None:
        principals = org.principals_of(session, user.id)
    stmt = select(FormTemplate).where(FormTemplate.key == str(key)[:64])
    if (editable := policy.template_editable(policy.viewer(user, principals))) is not None:
        stmt = stmt.where(editable)
    versions = list(session.scalars(stmt.order_by(FormTemplate.version.desc())))
    if not versions:
        raise NotFound(N_("模板不存在"))
    return versions


def usage(session: Session, key: str) -> dict[int, int]:
    """How many documents use each version of a template."""
    rows = session.execute(
        select(Document.template_version, func.count())
        .where(Document.template_key == key)
        .group_by(Document.template_version)
    ).all()
    return dict(rows)


def publish_version(
    session: Session, user, key: str, items_text: dict, new_sections: list[dict], note: str, now: datetime
) -> FormTemplate:
    """Publish the next version of a template; documents made on earlier versions are untouched."""
    versions = get_editable(session, user, key)
    latest = versions[0]
    note = (note or "").strip()
    fields: dict = {}
    definition = None
    try:
        definition = revise_definition(
            latest.definition, items_text, new_sections, all_keys([v.definition for v in versions])
        )
    except ValidationError as exc:
        fields.update(exc.messages)
    if not note:
        fields["note"] = [N_("请填写修订说明")]
    elif length_error(note, 2000):
        fields["note"] = [length_error(note, 2000)]
    if fields:
        raise InvalidInput(N_("请检查填写的内容"), fields=fields)
    template = FormTemplate(
        key=key, version=latest.version + 1, subject_type=latest.subject_type, doc_type=latest.doc_type,
        title=latest.title, definition=definition, published_at=now, published_by_id=user.id, note=note,
    )  # fmt: skip
    session.add(template)
    session.flush()
    before = {s["key"]: [i["label"] for i in s["items"]] for s in latest.definition["sections"]}
    after = {s["key"]: [i["label"] for i in s["items"]] for s in definition["sections"]}
    audit.record(
        session, actor_id=user.id, action="template.publish", object_type="form_template", object_id=template.id,
        now=now, before={"version": latest.version, "items": before},
        after={"version": template.version, "items": after}, note=note,
    )  # fmt: skip
    return template


def sync_templates(session: Session, now: datetime) -> list[FormTemplate]:
    """Add the shipped templates that the database does not have yet, as version 1."""
    known = set(session.scalars(select(FormTemplate.key)).all())
    added = []
    for key, definition in builtin_templates().items():
        if key in known:
            continue
        template = FormTemplate(
            key=key,
            version=1,
            subject_type=definition["subject_type"],
            doc_type=definition["doc_type"],
            title=definition["title"],
            definition=definition,
            published_at=now,
        )
        session.add(template)
        added.append(template)
    return added
