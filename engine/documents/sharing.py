"""Who may read a document (seed §六(二)6(2) 授权共享): one rule set, used for lists and single loads.

Full access (the working copy, drafts included): the subject's members, everyone on the document's
chain, and the school's monitors (诊改办公室 / 诊改平台组 / administrators). Published versions only:
the levels above the subject (positions in the subject's department or college; the members of the
parent subject, e.g. a major's team for its courses; a student's counselor), the lead department of the
subject type (e.g. 教务处 for majors and courses), school leaders, and whoever it is shared with.
Everyone else gets 404.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from .. import org
from ..core import audit
from ..core.errors import N_, Conflict, InvalidInput, NotFound
from ..models import Document, DocumentShare, HumanTask, OrgUnit, Subject, SubjectMember, TaskCandidate, User

# The lead department of each subject type: owns its chain and templates, reads all its documents.
OWNER_UNITS = {
    "functional_dept": "DZB",
    "college": "DZB",
    "major": "JWC",
    "course": "JWC",
    "faculty_team": "RSC",
    "teacher": "RSC",
    "student_cultivation": "XGB",
    "student": "XGB",
}
UNIT_POSITIONS = ("head", "reviewer", "leader_in_charge", "liaison_leader", "process_owner")
SCHOOL_WIDE = ("school_leader",)


def _positions(principals: list[str]) -> list[tuple[str, str, int]]:
    out = []
    for p in principals:
        if p.startswith("g:"):
            _, role, scope_type, scope_id = p.split(":")
            out.append((role, scope_type, int(scope_id)))
    return out


def _owned_types(session: Session, unit_ids: set[int]) -> list[str]:
    if not unit_ids:
        return []
    codes = set(session.scalars(select(OrgUnit.code).where(OrgUnit.id.in_(unit_ids))))
    return [t for t, code in OWNER_UNITS.items() if code in codes]


def full_access_clause(user: User, principals: list[str]):
    """Documents whose working copy the user may read (authors and the chain)."""
    member_of = select(SubjectMember.subject_id).where(SubjectMember.user_id == user.id)
    on_chain = select(HumanTask.document_id).where(
        HumanTask.document_id.is_not(None),
        or_(
            HumanTask.completed_by_id == user.id,
            HumanTask.id.in_(select(TaskCandidate.task_id).where(TaskCandidate.principal.in_(principals))),
        ),
    )
    return or_(Document.subject_id.in_(member_of), Document.id.in_(on_chain))


def visible_clause(session: Session, user: User, principals: list[str]):
    """A WHERE clause over Document (joined with Subject) selecting what the user may see at all."""
    if org.is_monitor(user, principals):
        return true()
    positions = _positions(principals)
    published = Document.published_version > 0
    if any(role in SCHOOL_WIDE for role, _, _ in positions):
        return or_(published, full_access_clause(user, principals))
    units = {sid for role, st, sid in positions if st == "unit" and role in UNIT_POSITIONS}
    classes = {sid for role, st, sid in positions if st == "class" and role == "counselor"}
    above = []
    if units:
        above.append(Subject.org_unit_id.in_(units))
        owned = _owned_types(session, units)
        if owned:
            above.append(Subject.type.in_(owned))
    if classes:
        above.append(Subject.class_id.in_(classes))
    above.append(Subject.parent_id.in_(select(SubjectMember.subject_id).where(SubjectMember.user_id == user.id)))
    above.append(Document.id.in_(select(DocumentShare.document_id).where(DocumentShare.principal.in_(principals))))
    return or_(full_access_clause(user, principals), and_(published, or_(*above) if above else false()))


def access(session: Session, user: User, doc_id, principals: list[str] | None = None) -> tuple[Document, str]:
    """The document and "full" or "published" access, or NotFound (never revealing that it exists)."""
    try:
        doc_id = int(doc_id)
    except (TypeError, ValueError):
        raise NotFound(N_("文档不存在")) from None
    if principals is None:
        principals = org.principals_of(session, user.id)
    doc = session.scalar(
        select(Document)
        .join(Subject, Subject.id == Document.subject_id)
        .where(Document.id == doc_id, visible_clause(session, user, principals))
    )
    if doc is None:
        raise NotFound(N_("文档不存在"))
    if org.is_monitor(user, principals):
        return doc, "full"
    full = session.scalar(select(Document.id).where(Document.id == doc.id, full_access_clause(user, principals)))
    return doc, "full" if full else "published"


def shares(session: Session, doc: Document) -> list[DocumentShare]:
    return list(session.scalars(select(DocumentShare).where(DocumentShare.document_id == doc.id)))


def share(session: Session, user: User, doc_id, username: str, now: datetime) -> DocumentShare:
    """Share a document's published versions with one user; only those with full access may share."""
    doc, level = access(session, user, doc_id)
    if level != "full":
        raise NotFound(N_("文档不存在"))
    if not doc.published_version:
        raise Conflict(N_("文档发布后才能共享"))
    target = session.scalar(select(User).where(User.username == (username or "").strip(), User.active))
    if target is None:
        raise InvalidInput(N_("请检查填写的内容"), fields={"username": [N_("用户不存在")]})
    principal = org.user_principal(target.id)
    existing = session.scalar(
        select(DocumentShare).where(DocumentShare.document_id == doc.id, DocumentShare.principal == principal)
    )
    if existing is not None:
        return existing
    row = DocumentShare(
        document_id=doc.id, principal=principal, label=target.display_name, created_at=now, created_by_id=user.id
    )
    session.add(row)
    session.flush()
    audit.record(
        session, actor_id=user.id, action="document.share", object_type="document", object_id=doc.id, now=now,
        after={"principal": principal, "label": row.label},
    )  # fmt: skip
    return row


def unshare(session: Session, user: User, doc_id, share_id, now: datetime) -> None:
    doc, level = access(session, user, doc_id)
    if level != "full":
        raise NotFound(N_("文档不存在"))
    row = session.scalar(
        select(DocumentShare).where(DocumentShare.id == _int(share_id), DocumentShare.document_id == doc.id)
    )
    if row is None:
        raise NotFound(N_("共享记录不存在"))
    audit.record(
        session, actor_id=user.id, action="document.unshare", object_type="document", object_id=doc.id, now=now,
        before={"principal": row.principal, "label": row.label},
    )  # fmt: skip
    session.delete(row)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def list_documents(
    session: Session,
    user: User,
    principals: list[str],
    *,
    subject_type: str | None = None,
    doc_type: str | None = None,
    search: str | None = None,
    page: int = 1,
    per_page: int = 30,
):
    """Documents the user may see, newest first, with the total for paging."""
    where = [visible_clause(session, user, principals)]
    if subject_type:
        where.append(Subject.type == subject_type)
    if doc_type:
        where.append(Document.doc_type == doc_type)
    if search and search.strip():
        term = search.strip()[:50]
        where.append(or_(Subject.name.contains(term, autoescape=True), Document.title.contains(term, autoescape=True)))
    base = select(Document).join(Subject, Subject.id == Document.subject_id).where(*where)
    total = session.scalar(select(func.count()).select_from(base.subquery()))
    page, per_page = max(1, page), max(1, min(per_page, 100))
    rows = session.scalars(
        base.order_by(Document.updated_at.desc(), Document.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return rows, total
