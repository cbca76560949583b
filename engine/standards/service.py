"""Basic standards: shipped once per school (`sync_standards`), read by everyone on the staff, revised by
their lead department through chain_basic_standard, read by code through `criteria_for`.

A basic standard is the subject of its own document (subject type `basic_standard`, its unit the unit holding
the lead function, no members): the document machinery (engine/documents: the `edit` and `review` kinds, the
`publish_document` service, immutable versions) carries its criteria, so a revision is a document chain like
any other and its versions are document versions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from forms import basic_standards as catalogue_data

from .. import org, workflow
from ..core import audit, settings
from ..core.db import write_row
from ..core.errors import N_, Conflict, NotFound, object_id
from ..models import (
    BasicStandard,
    Document,
    DocumentStatus,
    DocumentVersion,
    FormTemplate,
    HumanTask,
    Role,
    Subject,
    TaskCandidate,
    TaskState,
    User,
)
from ..org import functions, policy

SUBJECT_TYPE = DOC_TYPE = TEMPLATE_KEY = "basic_standard"
PROCESS_KEY = "chain_basic_standard"
PERIOD = "3年"  # one document per standard, its versions the revisions (every three years, seed §六(二)3)
DRAFT_ROLES = (Role.OFFICE_STAFF, Role.REVIEWER, Role.HEAD, Role.PROCESS_OWNER)  # the lead department's drafters
STATUS_LABELS = {"unpublished": N_("未发布"), "published": N_("已发布"), "revising": N_("修订中")}


@dataclass
class StandardRow:
    standard: BasicStandard
    unit_name: str
    status: str
    version: int
    published_on: date | None
    next_due: date | None
    overdue: bool


def sync_standards(session: Session, now: datetime) -> list[BasicStandard]:
    """Add the shipped basic standards the database lacks, each with its draft document (not yet published)."""
    known = set(session.scalars(select(BasicStandard.key)))
    template = session.scalar(
        select(FormTemplate).where(FormTemplate.key == TEMPLATE_KEY).order_by(FormTemplate.version.desc()).limit(1)
    )
    added = []
    for number, entry in enumerate(catalogue_data.catalogue(), 1):
        if entry["key"] in known or template is None:
            continue
        subject = Subject(type=SUBJECT_TYPE, code=entry["key"], name=entry["name"], attrs={},
                          org_unit_id=functions.holder_id(session, entry["lead"]))  # fmt: skip
        session.add(subject)
        session.flush()
        doc = Document(
            subject_id=subject.id, doc_type=DOC_TYPE, period=PERIOD, title=entry["name"], template_key=template.key,
            template_version=template.version, status=DocumentStatus.DRAFT, data=catalogue_data.initial_data(entry),
            created_at=now, updated_at=now,
        )  # fmt: skip
        session.add(doc)
        session.flush()
        standard = BasicStandard(
            key=entry["key"], number=number, name=entry["name"], lead_function=entry["lead"],
            subject_type=entry.get("subject_type"), levels="、".join(entry.get("levels") or []) or None,
            revision_years=3, document_id=doc.id,
        )  # fmt: skip
        session.add(standard)
        added.append(standard)
    session.flush()
    return added


def publish_adopted(session: Session, now: datetime, keys=None) -> int:
    """Publish the shipped content of unpublished standards as version 1 (a school adopting the standards it
    already has, as the demo school does); standards in a chain are left alone. Returns how many."""
    stmt = select(BasicStandard).join(Document, Document.id == BasicStandard.document_id)
    stmt = stmt.where(Document.published_version == 0, Document.instance_id.is_(None))
    if keys is not None:
        stmt = stmt.where(BasicStandard.key.in_(list(keys)))
    count = 0
    for standard in session.scalars(stmt):
        doc = standard.document
        session.execute(
            insert(DocumentVersion.__table__).values(
                document_id=doc.id, version=1, data=doc.data, template_key=doc.template_key,
                template_version=doc.template_version, published_at=now, note="学校现行基本标准",
            )
        )  # fmt: skip
        write_row(session, doc, {"published_version": 1, "status": DocumentStatus.PUBLISHED, "updated_at": now})
        audit.record(session, actor_id=None, action="standard.adopt", object_type="document", object_id=doc.id,
                     now=now, after={"version": 1})  # fmt: skip
        count += 1
    return count


def _rows(session: Session, standards, now: datetime) -> list[StandardRow]:
    zone = settings.of(session).timezone
    today = now.astimezone(zone).date()
    latest = dict(
        session.execute(
            select(DocumentVersion.document_id, DocumentVersion.published_at)
            .where(DocumentVersion.document_id.in_([s.document_id for s in standards] or [-1]))
            .order_by(DocumentVersion.version)
        ).all()
    )  # the last row per document wins: its latest version
    held = functions.holders(session)
    out = []
    for s in standards:
        doc = s.document
        published = latest.get(s.document_id)
        published_on = published.astimezone(zone).date() if published else None
        due = next_revision_due(published_on, s.revision_years)
        status = "revising" if doc.instance_id else ("published" if doc.published_version else "unpublished")
        unit = held.get(s.lead_function)
        name = unit.name if unit else functions.LABELS.get(s.lead_function, s.lead_function)
        out.append(StandardRow(s, name, status, doc.published_version, published_on, due, bool(due and due < today)))
    return out


def next_revision_due(published_on: date | None, years: int) -> date | None:
    """When the next revision falls due: `years` after the last publication (28 Feb for a 29 Feb)."""
    if published_on is None:
        return None
    day = 28 if (published_on.month, published_on.day) == (2, 29) else published_on.day
    return published_on.replace(year=published_on.year + years, day=day)


def list_standards(session: Session, user: User, principals, now: datetime, lead: str = "", status: str = ""):
    """The basic standards a member of staff reads (students none), by number, filtered by lead function and
    status."""
    if not policy.reads_standards(policy.viewer(user, principals)):
        return []
    stmt = select(BasicStandard).order_by(BasicStandard.number)
    if lead:
        stmt = stmt.where(BasicStandard.lead_function == lead)
    rows = _rows(session, list(session.scalars(stmt)), now)
    return [r for r in rows if not status or r.status == status]


def get_standard(session: Session, user: User, standard_id, principals, now: datetime) -> StandardRow:
    """A basic standard with where it stands, or NotFound (students, unknown ids)."""
    standard_id = object_id(standard_id, N_("基本标准不存在"))
    standard = session.get(BasicStandard, standard_id)
    if standard is None or not policy.reads_standards(policy.viewer(user, principals)):
        raise NotFound(N_("基本标准不存在"))
    return _rows(session, [standard], now)[0]


def versions(session: Session, standard: BasicStandard) -> list[DocumentVersion]:
    return list(
        session.scalars(
            select(DocumentVersion)
            .where(DocumentVersion.document_id == standard.document_id)
            .order_by(DocumentVersion.version.desc())
        )
    )


def may_revise(session: Session, user: User, principals, standard: BasicStandard) -> bool:
    """The lead department's drafters (办公室人员, 审核人, 负责人, 流程负责人 of the unit holding the function)."""
    unit_id = functions.holder_id(session, standard.lead_function)
    return unit_id is not None and bool(policy.viewer(user, principals).units(*DRAFT_ROLES) & {unit_id})


def start_revision(session: Session, user: User, standard_id, now: datetime) -> HumanTask:
    """Start the chain revising a standard from its current content; return the drafter's first task."""
    principals = org.principals_of(session, user.id)
    row = get_standard(session, user, standard_id, principals, now)
    standard = row.standard
    if not may_revise(session, user, principals, standard):
        raise NotFound(N_("基本标准不存在"))
    doc = standard.document
    if doc.instance_id is not None:
        raise Conflict(N_("该基本标准正在修订中，请到待办中继续办理"))
    subject = doc.subject
    unit_id = functions.holder_id(session, standard.lead_function)
    if subject.org_unit_id != unit_id:  # the function moved to another unit since: its drafters revise
        subject.org_unit_id = unit_id
        session.flush()
    instance = workflow.start_instance(
        session, process_key=PROCESS_KEY, actor=user, now=now, subject=subject, document_id=doc.id,
        data={"document_id": doc.id, "doc_type": DOC_TYPE, "subject_id": subject.id},
    )  # fmt: skip
    write_row(session, doc, {"status": DocumentStatus.DRAFT, "updated_at": now, "updated_by_id": user.id,
                             "instance_id": instance.id})  # fmt: skip
    audit.record(session, actor_id=user.id, action="standard.revise", object_type="document", object_id=doc.id,
                 instance_id=instance.id, now=now, after={"from_version": doc.published_version})  # fmt: skip
    first = session.scalar(
        select(HumanTask)
        .join(TaskCandidate, TaskCandidate.task_id == HumanTask.id)
        .where(
            HumanTask.instance_id == instance.id,
            HumanTask.state == TaskState.OPEN,
            TaskCandidate.principal.in_(principals),
        )  # fmt: skip
        .limit(1)
    )
    if first is None:
        raise Conflict(N_("流程已启动，但第一步不由您办理"))
    return first


def ids_by_key(session: Session) -> dict[str, int]:
    """Every basic standard's id by its key (BS01...): what the annual table's links resolve to."""
    return dict(session.execute(select(BasicStandard.key, BasicStandard.id)).all())


def criteria_for(session: Session, key_or_subject_type: str) -> list[dict]:
    """The published criteria of one basic standard (by key, e.g. "BS09") or of every basic standard that
    applies to a subject type (e.g. "major"): dicts with standard (key), name, version, level (None: 基本要求),
    indicator, threshold, unit, source. Standards never published contribute nothing."""
    stmt = select(BasicStandard).order_by(BasicStandard.number)
    stmt = stmt.where((BasicStandard.key == key_or_subject_type) | (BasicStandard.subject_type == key_or_subject_type))
    out = []
    for standard in session.scalars(stmt):
        version = session.scalar(
            select(DocumentVersion)
            .where(DocumentVersion.document_id == standard.document_id)
            .order_by(DocumentVersion.version.desc())
            .limit(1)
        )
        if version is None:
            continue
        for c in catalogue_data.criteria(version.data):
            out.append({"standard": standard.key, "name": standard.name, "version": version.version, **c})
    return out
