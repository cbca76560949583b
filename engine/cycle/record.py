"""The self-diagnosis record (自我诊断记录, seed tables 29-36) of a subject and year, and its 吻合度.

The record composes the year's plan, self-diagnosis, upper-level review and school sampling review
(forms/record.py lays them out). Each part is read as its reader may read the document itself
(engine/documents/sharing.py): the working copy of a document in progress with full access, else the
latest published version; a part the user may not see is left out, and a record with no part the user
may see is NotFound.
The plan is the year's published plan (the one the cycle made the diagnosis from), its working copy
only before it is published and only for those with full access.

`agreement` (no user: for the developmental assessment, table 40 质量控制) and `overview` (质量管理处's list
of the year's subjects by 吻合度) read the stored documents as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms import record as layout

from .. import org
from ..core import periods, settings
from ..core.errors import N_, NotFound, object_id
from ..documents import sharing
from ..models import Document, DocumentStatus, DocumentVersion, FormTemplate, Subject
from .steps import mid_year


@dataclass
class Record:
    subject: Subject
    year: int
    documents: dict[str, Document] = field(default_factory=dict)  # the parts shown, by doc type
    versions: dict[str, int | None] = field(default_factory=dict)  # the version shown (None: working copy)
    layout: dict = field(default_factory=dict)  # forms.record.compose


def check_year(year) -> int:
    year = object_id(year, N_("年度无效"))
    if not 2000 <= year <= 2100:
        raise NotFound(N_("年度无效"))
    return year


def period_of(session: Session, year: int) -> str:
    """The period of the year's plan and cycle documents (one year each)."""
    return periods.period_for("plan", mid_year(year, settings.of(session).timezone), settings.of(session))


def documents_of(session: Session, subject_id: int, year: int) -> dict[str, Document]:
    rows = session.scalars(
        select(Document).where(
            Document.subject_id == subject_id, Document.doc_type.in_(layout.PARTS),
            Document.period == period_of(session, year),
        )
    )  # fmt: skip
    return {d.doc_type: d for d in rows}


def _definition(session: Session, key: str, version: int) -> dict | None:
    return session.scalar(
        select(FormTemplate.definition).where(FormTemplate.key == key, FormTemplate.version == version)
    )


def _latest_version(session: Session, doc: Document) -> DocumentVersion | None:
    if not doc.published_version:
        return None
    return session.scalar(
        select(DocumentVersion).where(
            DocumentVersion.document_id == doc.id, DocumentVersion.version == doc.published_version
        )
    )


def record_for(session: Session, user, subject_id, year, principals: list[str] | None = None) -> Record:
    """The record as `user` may read it, or NotFound."""
    subject_id = object_id(subject_id, N_("记录不存在"))
    year = check_year(year)
    if principals is None:
        principals = org.principals_of(session, user.id)
    out = Record(subject=None, year=year)  # type: ignore[arg-type]
    definitions: dict[str, dict] = {}
    contents: dict[str, dict] = {}
    for doc_type, doc in documents_of(session, subject_id, year).items():
        try:
            doc, level = sharing.access(session, user, doc.id, principals)
        except NotFound:
            continue
        version = _latest_version(session, doc)
        published = doc.status == DocumentStatus.PUBLISHED
        if version is not None and (doc_type == "plan" or level != "full" or published):
            definition, data, shown = _definition(session, version.template_key, version.template_version), \
                version.data, version.version  # fmt: skip
        elif level == "full":
            definition, data, shown = _definition(session, doc.template_key, doc.template_version), doc.data, None
        else:
            continue
        definitions[doc_type], contents[doc_type] = definition, data
        out.documents[doc_type], out.versions[doc_type] = doc, shown
    if not out.documents:
        raise NotFound(N_("记录不存在"))
    out.subject = session.get(Subject, subject_id)
    out.layout = layout.compose(definitions, contents)
    return out


def agreement(session: Session, subject_id: int, year: int) -> dict:
    """{"items": {row id: score or None}, "subject": score or None}: the 吻合度 of the subject's year
    from its self-diagnosis, upper-level review and school sampling review as stored."""
    docs = documents_of(session, subject_id, year)
    return layout.agreement_of({t: d.data for t, d in docs.items() if t in layout.RATED_BY})


def overview(session: Session, year: int) -> list[dict]:
    """The year's subjects with a self-diagnosis: {subject, agreement, items rated}, lowest 吻合度 first
    (those not rated twice yet at the end, by name)."""
    rows = session.execute(
        select(Document.subject_id, Document.doc_type, Document.data).where(
            Document.doc_type.in_(layout.RATED_BY), Document.period == period_of(session, year)
        )
    ).all()
    parts: dict[int, dict] = {}
    for subject_id, doc_type, data in rows:
        parts.setdefault(subject_id, {})[doc_type] = data
    if not parts:
        return []
    subjects = {s.id: s for s in session.scalars(select(Subject).where(Subject.id.in_(sorted(parts))))}
    out = []
    for subject_id, docs in parts.items():
        if "diagnosis" not in docs or subject_id not in subjects:
            continue
        score = layout.agreement_of(docs)
        counted = sum(1 for s in score["items"].values() if s is not None)
        out.append({"subject": subjects[subject_id], "agreement": score["subject"], "counted": counted,
                    "parties": [t for t in layout.RATED_BY if t in docs]})  # fmt: skip
    out.sort(key=lambda r: (r["agreement"] is None, r["agreement"] or 0, r["subject"].name))
    return out
