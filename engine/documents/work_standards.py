"""Work standards (seed table 9): each 职能部门 / 二级学院 keeps one document per category for the three-year
period, started and revised by its members and approved along the unit's own chain (chain_functional_dept /
chain_college), exactly like its targets. The templates are forms/work_standards.py."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.work_standards import CATEGORIES, SUBJECT_TYPES, doc_type

from ..core import periods, settings
from ..core.errors import N_, NotFound, object_id
from ..models import Document, Subject, SubjectMember, User
from .service import DocumentSlot, latest_template, open_tasks_of


def unit_subjects(session: Session) -> list[Subject]:
    """The 职能部门 and 二级学院 that write work standards (the units that are subjects of 诊改)."""
    stmt = select(Subject).where(Subject.type.in_(SUBJECT_TYPES)).order_by(Subject.type.desc(), Subject.name)
    return list(session.scalars(stmt))


def period(session: Session, now: datetime) -> str:
    return periods.period_for(doc_type("duty"), now, settings.of(session))


def overview(session: Session, now: datetime) -> list[tuple[Subject, dict[str, Document]]]:
    """Every unit with its work-standard documents of the current period, by category."""
    subjects = unit_subjects(session)
    current = period(session, now)
    docs = session.scalars(
        select(Document).where(
            Document.subject_id.in_([s.id for s in subjects] or [-1]),
            Document.doc_type.in_([doc_type(k) for k in CATEGORIES]),
            Document.period == current,
        )
    ).all()
    by_subject: dict[int, dict[str, Document]] = {}
    for d in docs:
        by_subject.setdefault(d.subject_id, {})[d.doc_type[3:]] = d
    return [(s, by_subject.get(s.id, {})) for s in subjects]


def get_unit(session: Session, subject_id) -> Subject:
    subject = session.get(Subject, object_id(subject_id, N_("主体不存在")))
    if subject is None or subject.type not in SUBJECT_TYPES:
        raise NotFound(N_("主体不存在"))
    return subject


def is_author(session: Session, user: User, subject: Subject) -> bool:
    return bool(
        session.scalar(
            select(SubjectMember.user_id).where(
                SubjectMember.subject_id == subject.id, SubjectMember.user_id == user.id
            )
        )
    )


def slots(session: Session, user: User, subject: Subject, now: datetime) -> list[DocumentSlot]:
    """The unit's seven categories for the current period, with the user's own open task on each."""
    current = period(session, now)
    docs = {
        d.doc_type: d
        for d in session.scalars(select(Document).where(Document.subject_id == subject.id, Document.period == current))
    }
    mine = open_tasks_of(session, user)
    out = []
    for key in CATEGORIES:
        dt = doc_type(key)
        doc = docs.get(dt)
        template = latest_template(session, subject.type, dt)
        task_id = mine.get(doc.id) if doc else None
        out.append(DocumentSlot(subject, dt, current, template, doc, task_id))
    return out
