"""Who of a subject's team may submit its document, and the document a submission loads with its template."""

from __future__ import annotations

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from ..models import Document, FormTemplate, SubjectMember, User

_MEMBER_ROLES = select(SubjectMember.user_id, SubjectMember.role).where(SubjectMember.subject_id == bindparam("sid"))


def may_submit(session: Session, user: User, subject_id: int) -> bool:
    """Any team member drafts; where a team has a leader, only the leader submits."""
    roles = dict(session.execute(_MEMBER_ROLES, {"sid": subject_id}).all())
    mine = roles.get(user.id)
    return _may_submit(user.id in roles, mine, len(roles), "leader" in roles.values())


def _may_submit(member: bool, role: str | None, members: int, has_leader: bool) -> bool:
    if not member:  # not an author: acting through a lane of the process (e.g. the school's review)
        return True
    return members <= 1 or role == "leader" or not has_leader


def _submission_statement():
    """The document, its template and what `may_submit` asks of its team, in one statement (a submission's
    hot path): the submitter's membership and role, the team's size and whether it has a leader."""
    team = select(func.count()).where(SubjectMember.subject_id == Document.subject_id)
    mine = SubjectMember.subject_id == Document.subject_id, SubjectMember.user_id == bindparam("user_id")
    return (
        select(
            Document,
            FormTemplate,
            select(func.count()).where(*mine).scalar_subquery(),
            select(SubjectMember.role).where(*mine).scalar_subquery(),
            team.scalar_subquery(),
            team.where(SubjectMember.role == "leader").scalar_subquery(),
        )
        .outerjoin(
            FormTemplate,
            (FormTemplate.key == Document.template_key) & (FormTemplate.version == Document.template_version),
        )
        .where(Document.id == bindparam("document_id"))
    )


_SUBMISSION = _submission_statement()  # built once


def submission(session: Session, document_id: int, user: User) -> tuple[Document, FormTemplate | None, bool]:
    """The document, its template and whether `user` may submit it (`may_submit`): one statement."""
    params = {"document_id": document_id, "user_id": user.id}
    doc, template, member, role, members, leaders = session.execute(_SUBMISSION, params).one()
    return doc, template, _may_submit(bool(member), role, members, bool(leaders))
