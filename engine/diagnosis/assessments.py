"""A review's assessment (复核性诊断指标): the person working on an upper_review or school_review document now
(whoever may act on its open task: the documents' edit rule) judges the subject against the checklist in force
for its type - a verdict per item, the methods used, evidence - and the weighted score is kept with the checklist
version it used. Recording it again replaces it (against the version in force then). Everyone who may read the
document reads its assessment (`assessment_of`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms import diagnosis as form

from ..core import audit
from ..core.errors import N_, Conflict, DomainError, InvalidInput, NotFound
from ..documents import sharing
from ..models import ChecklistVersion, Document, HumanTask, ReviewAssessment, TaskState, User
from ..workflow import tasks
from .checklists import in_force

REVIEW_TYPES = ("upper_review", "school_review")
WRITING_KIND = "edit"  # the task kind that writes a document (engine/documents registers it)


def assessment_of(session: Session, document_id: int) -> ReviewAssessment | None:
    """The recorded assessment of a review document (no permission check: the caller loaded the document)."""
    return session.scalar(select(ReviewAssessment).where(ReviewAssessment.document_id == document_id))


def assessing_task(session: Session, user: User, principals, doc: Document) -> HumanTask | None:
    """The open task writing a review document that the user may work on now, else None (the subject's later
    acknowledgement of the conclusion is a task on the same document, but not one that writes it)."""
    if doc.doc_type not in REVIEW_TYPES:
        return None
    open_tasks = session.scalars(
        select(HumanTask.id).where(
            HumanTask.document_id == doc.id, HumanTask.state == TaskState.OPEN, HumanTask.kind == WRITING_KIND
        )
    ).all()
    for task_id in open_tasks:
        try:
            return tasks.actionable_task(session, user, task_id, list(principals))
        except DomainError:
            continue
    return None


def assessable(session: Session, user: User, principals, doc_id) -> tuple[Document, HumanTask, ChecklistVersion]:
    """The review document, the user's task on it and the checklist version to assess with, or NotFound."""
    doc, _level = sharing.access(session, user, doc_id, list(principals))
    task = assessing_task(session, user, principals, doc)
    if task is None:
        raise NotFound(N_("文档不存在"))
    version = in_force(session, doc.subject.type)
    if version is None:
        raise Conflict(N_("该类主体尚无已发布的复核性诊断指标体系"))
    return doc, task, version


def record(session: Session, user: User, principals, doc_id, fields, methods, now: datetime) -> ReviewAssessment:
    """Record (or record again) the assessment; refused input changes nothing."""
    doc, task, version = assessable(session, user, principals, doc_id)
    try:
        clean = form.clean_assessment(fields, methods, version.items, version.scale)
    except form.FormErrors as exc:
        raise InvalidInput(N_("请检查填写的内容"), fields=exc.fields) from None
    row = assessment_of(session, doc.id)
    before = None
    if row is None:
        row = ReviewAssessment(document_id=doc.id)
        session.add(row)
    else:
        before = {"version_id": row.checklist_version_id, "verdicts": row.verdicts, "score": row.score}
    row.checklist_version_id, row.verdicts, row.methods = version.id, clean["verdicts"], clean["methods"]
    row.evidence_text, row.evidence_url = clean["evidence_text"] or None, clean["evidence_url"] or None
    row.score, row.assessed_at, row.assessed_by_id = clean["score"], now, user.id
    session.flush()
    audit.record(
        session, actor_id=user.id, action="assessment.record", object_type="document", object_id=doc.id, now=now,
        instance_id=task.instance_id, before=before,
        after={"version_id": version.id, "verdicts": clean["verdicts"], "methods": clean["methods"],
               "score": clean["score"]},
    )  # fmt: skip
    return row
