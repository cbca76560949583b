"""The ledger's values for the 学分达标 / 学分达标率 items of tables 17-18 and 25-26 (student and 专业学生综合素质
培养 documents): shown beside the item, read-only, whenever the document is opened, so they are always the
ledger's current values and nobody types them (decision: a live badge, not a value copied into the text)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import SchoolClass, Subject, User
from . import ledger

ITEM_LABELS = ("学分达标", "学分达标率")


def for_subject(session: Session, subject: Subject | None) -> dict | None:
    """A student's {"kind": "student", "total", "standard", "met"}; a 专业学生综合素质培养's {"kind": "rate",
    "students", "met", "rate", "standard"} over the active students of its major's classes; else None."""
    if subject is None:
        return None
    bar = ledger.standard(session)
    if subject.type == "student" and subject.user_id:
        total = ledger.totals(session, [subject.user_id])[subject.user_id]
        return {"kind": "student", "total": total, "standard": bar, "met": total >= bar}
    if subject.type == "student_cultivation" and subject.parent_id:
        classes = session.scalars(select(SchoolClass.id).where(SchoolClass.major_subject_id == subject.parent_id))
        ids = list(session.scalars(select(User.id).where(User.class_id.in_(list(classes) or [-1]),
                                                         User.kind == "student", User.active)))  # fmt: skip
        sums = ledger.totals(session, ids)
        met = sum(1 for v in sums.values() if v >= bar)
        return {"kind": "rate", "students": len(ids), "met": met, "rate": met / len(ids) if ids else None,
                "standard": bar}  # fmt: skip
    return None
