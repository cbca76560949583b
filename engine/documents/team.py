"""Who of a subject's team may submit its document, and the document a submission loads with its template.

A completion of an edit task reads all of it with the task itself (`submission_columns`, registered as the
`edit` kind's read: engine/workflow/services.py)."""

from __future__ import annotations

from sqlalchemy import Text, bindparam, cast, func, select
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


def submission_columns() -> tuple:
    """What `may_submit` asks of the team of the completion's document (the submitter's membership and role,
    the team's size, whether it has a leader) and the document's template definition as text (the key of
    engine/documents/templates.py `compiled`): columns correlated with `Document` and the user's id."""
    team = select(func.count()).where(SubjectMember.subject_id == Document.subject_id)
    mine = SubjectMember.subject_id == Document.subject_id, SubjectMember.user_id == bindparam("user_id")
    template = select(cast(FormTemplate.definition, Text)).where(
        FormTemplate.key == Document.template_key, FormTemplate.version == Document.template_version
    )
    return (
        select(func.count()).where(*mine).scalar_subquery(),
        select(SubjectMember.role).where(*mine).scalar_subquery(),
        team.scalar_subquery(),
        team.where(SubjectMember.role == "leader").scalar_subquery(),
        template.scalar_subquery(),
    )


def allowed(read: tuple) -> bool:
    """`may_submit` from the values of `submission_columns`."""
    member, role, members, leaders, _template = read
    return _may_submit(bool(member), role, members or 0, bool(leaders))
