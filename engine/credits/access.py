"""Who the user is to the credits (engine/org/policy/credits.py holds the rules; this reads the units holding
the functions they name) and loading a student's ledger owner through them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.errors import N_, NotFound, object_id
from ..models import FunctionKey, User
from ..org import functions, policy


def manages(session: Session, user: User, principals) -> bool:
    """党委学生工作部 and monitors."""
    unit_id = functions.holder_id(session, FunctionKey.STUDENT_AFFAIRS)
    return policy.manages_credits(policy.viewer(user, principals), unit_id)


def runs_check(session: Session, user: User, principals) -> bool:
    """党委学生工作部, 教务处 and monitors: the graduation check and the classes' graduation years."""
    return policy.runs_graduation_check(
        policy.viewer(user, principals), functions.holder_id(session, FunctionKey.STUDENT_AFFAIRS),
        functions.holder_id(session, FunctionKey.ACADEMIC_AFFAIRS),
    )  # fmt: skip


def student_clause(session: Session, user: User, principals):
    """The students (over User) whose ledger the user sees; None for all."""
    return policy.credit_student_visible(policy.viewer(user, principals), manages(session, user, principals), User)


def get_student(session: Session, user: User, principals, student_id) -> User:
    """A student whose ledger the user may see, or NotFound (whether or not it exists)."""
    stmt = select(User).where(User.id == object_id(student_id, N_("学生不存在")), User.kind == "student")
    if (clause := student_clause(session, user, principals)) is not None:
        stmt = stmt.where(clause)
    found = session.scalar(stmt)
    if found is None:
        raise NotFound(N_("学生不存在"))
    return found


def sees_classes(session: Session, user: User, principals) -> bool:
    """Has a class standing page: counselors and the managers."""
    return manages(session, user, principals) or bool(policy.counselled_classes(policy.viewer(user, principals)))
