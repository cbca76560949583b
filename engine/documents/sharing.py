"""Who may read a document (seed §六(二)6(2) 授权共享), and sharing it. The rules are engine/org/policy/'s
(`document_visible`, `document_full_access`), used for lists and single loads alike:

Full access (the working copy, drafts included): the subject's members, everyone on the document's
chain, and the school's monitors (诊改办公室 / 诊改平台组 / administrators). Published versions only:
the levels above the subject (positions in the subject's department or college; the members of the
parent subject, e.g. a major's team for its courses; a student's counselor), the lead department of the
subject type (e.g. 教务处 for majors and courses), school leaders, and whoever it is shared with.
Everyone else gets 404.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from .. import org
from ..core import audit, paging
from ..core.errors import N_, Conflict, InvalidInput, NotFound, object_id
from ..models import Document, DocumentShare, Subject, User
from ..org import policy


def access(session: Session, user: User, doc_id, principals: list[str] | None = None) -> tuple[Document, str]:
    """The document and "full" or "published" access, or NotFound (never revealing that it exists)."""
    doc_id = object_id(doc_id, N_("文档不存在"))
    if principals is None:
        principals = org.principals_of(session, user.id)
    v = policy.viewer(user, principals)
    if v.is_monitor:
        doc = session.get(Document, doc_id)
        if doc is None:
            raise NotFound(N_("文档不存在"))
        return doc, "full"
    row = session.execute(
        select(Document, policy.document_full_access(v).label("full"))
        .join(Subject, Subject.id == Document.subject_id)
        .where(Document.id == doc_id, policy.document_visible(v))
    ).first()
    if row is None:
        raise NotFound(N_("文档不存在"))
    return row[0], "full" if row[1] else "published"


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
        select(DocumentShare).where(
            DocumentShare.id == object_id(share_id, N_("共享记录不存在")), DocumentShare.document_id == doc.id
        )
    )
    if row is None:
        raise NotFound(N_("共享记录不存在"))
    audit.record(
        session, actor_id=user.id, action="document.unshare", object_type="document", object_id=doc.id, now=now,
        before={"principal": row.principal, "label": row.label},
    )  # fmt: skip
    session.delete(row)


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
    where = []
    if (visible := policy.document_visible(policy.viewer(user, principals))) is not None:
        where.append(visible)
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
        base.order_by(Document.updated_at.desc(), Document.id.desc())
        .limit(per_page)
        .offset(paging.offset(page, per_page))
    ).all()
    return rows, total
