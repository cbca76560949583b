"""The rules over student quality credits (综合素质学分; what each rule admits: engine/org/policy/__init__.py).

党委学生工作部 (function student_affairs: its staff and positions) and monitors keep the 认定标准, see every
student's ledger and claim, record 减分 and reverse recognitions. A counselor sees the classes they look after
(their students' ledgers and claims) and records 减分 for them; the recognition itself is the open task of
the claim's process (its candidates: the class's counselor). A student sees their own ledger and the claims
they made or that name them. 教务处 (function academic_affairs) also runs the graduation check. Anybody else: 404.
"""

from __future__ import annotations

from sqlalchemy import false, or_

from ...models import Role, ScopeType
from .base import Viewer
from .diagnosis import in_lead_department


def manages_credits(v: Viewer, student_affairs_unit_id: int | None) -> bool:
    """Monitors and 党委学生工作部: the catalogue, every ledger, 减分, reversals (the audit)."""
    return v.is_monitor or in_lead_department(v, student_affairs_unit_id)


def counselled_classes(v: Viewer) -> set[int]:
    """The classes the user is the counselor of."""
    return set(v.scopes(ScopeType.CLASS, (Role.COUNSELOR,)))


def runs_graduation_check(v: Viewer, student_affairs_unit_id: int | None, academic_affairs_unit_id: int | None) -> bool:
    """Monitors, 党委学生工作部 and 教务处 (who receives the warning) run the check and set graduation years."""
    return manages_credits(v, student_affairs_unit_id) or in_lead_department(v, academic_affairs_unit_id)


def credit_student_visible(v: Viewer, manages: bool, user_table):
    """The students whose ledger the user sees (over User); None for all."""
    if manages:
        return None
    rules = [user_table.id == v.id] if v.is_student else []
    if classes := counselled_classes(v):
        rules.append(user_table.class_id.in_(sorted(classes)))
    return or_(*rules) if rules else false()


def credit_claim_visible(v: Viewer, manages: bool, claim_table):
    """The claims the user sees (over CreditClaim): the student's and the claimant's own, the class's for its
    counselor; None for all."""
    if manages:
        return None
    rules = [claim_table.student_id == v.id, claim_table.claimant_id == v.id]
    if classes := counselled_classes(v):
        rules.append(claim_table.class_id.in_(sorted(classes)))
    return or_(*rules)


__all__ = [
    "counselled_classes", "credit_claim_visible", "credit_student_visible", "manages_credits",
    "runs_graduation_check",
]  # fmt: skip
