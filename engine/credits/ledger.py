"""Reading the ledger: a student's total, entries and open claims; a class's standing; which classes graduate.

A total is the sum of a student's entries (reversals carry negated points), optionally up to a school day
(`until`, the entries' `booked_on`): one grouped query for any number of students, never one per row. The
graduation standard is `Settings.credit_standard` (10, the seed's). A class graduates in the year set for it
(`credit_graduation`, 党委学生工作部 or 教务处) or else in 年级 + 学制 (`Settings.credit_program_years`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forms.credits import validate_year

from ..core import audit, settings
from ..core.errors import N_, InvalidInput, NotFound, object_id
from ..models import CreditClaim, CreditEntry, CreditGraduation, SchoolClass, User
from ..org import policy
from . import access

OPEN_CLAIMS = ("pending", "returned")


def standard(session: Session) -> float:
    return settings.of(session).credit_standard


def totals(session: Session, student_ids, until: date | None = None) -> dict[int, float]:
    """Each student's total (0 for a student without entries), in one query."""
    ids = sorted(set(student_ids))
    stmt = select(CreditEntry.student_id, func.sum(CreditEntry.points)).where(CreditEntry.student_id.in_(ids or [-1]))
    if until is not None:
        stmt = stmt.where(CreditEntry.booked_on <= until)
    found = {sid: round(float(total or 0), 1) for sid, total in session.execute(stmt.group_by(CreditEntry.student_id))}
    return {sid: found.get(sid, 0.0) for sid in ids}


def entries(session: Session, student_id: int) -> list[CreditEntry]:
    """The student's ledger, newest first."""
    stmt = select(CreditEntry).where(CreditEntry.student_id == student_id)
    return list(session.scalars(stmt.order_by(CreditEntry.booked_on.desc(), CreditEntry.id.desc())))


def reversed_ids(session: Session, entry_ids) -> set[int]:
    """Which of the entries have been reversed."""
    ids = sorted(set(entry_ids)) or [-1]
    return set(session.scalars(select(CreditEntry.reverses_id).where(CreditEntry.reverses_id.in_(ids))))


def claims_of(session: Session, student_id: int) -> list[CreditClaim]:
    """The claims naming the student, newest first."""
    stmt = select(CreditClaim).where(CreditClaim.student_id == student_id)
    return list(session.scalars(stmt.order_by(CreditClaim.created_at.desc(), CreditClaim.id.desc())))


# -- graduating classes -----------------------------------------------------------------------------------


def graduation_years(session: Session, classes: list[SchoolClass]) -> dict[int, int | None]:
    """Each class's graduation year: the one set for it, else 年级 + 学制 (None without a 年级)."""
    set_for = dict(session.execute(select(CreditGraduation.class_id, CreditGraduation.year)).all())
    length = settings.of(session).credit_program_years
    return {k.id: set_for.get(k.id, k.year + length if k.year else None) for k in classes}


def active_classes(session: Session) -> list[SchoolClass]:
    return list(session.scalars(select(SchoolClass).where(SchoolClass.active).order_by(SchoolClass.name)))


def graduating_classes(session: Session, year: int) -> list[SchoolClass]:
    """The active classes graduating in `year`."""
    classes = active_classes(session)
    years = graduation_years(session, classes)
    return [k for k in classes if years[k.id] == year]


def set_graduation_year(session: Session, user: User, principals, class_id, value, now: datetime) -> SchoolClass:
    """Set a class's graduation year (党委学生工作部, 教务处, monitors; else NotFound); a year outside the school's
    range changes nothing (InvalidInput at the field)."""
    if not access.runs_check(session, user, principals):
        raise NotFound(N_("页面不存在"))
    klass = session.get(SchoolClass, object_id(class_id, N_("班级不存在")))
    if klass is None:
        raise NotFound(N_("班级不存在"))
    today = settings.of(session).today(now)
    try:
        year = validate_year(value, (klass.year or today.year - 10), today.year + 10)
    except ValueError as exc:
        raise InvalidInput(N_("请检查填写的内容"), fields=exc.args[0]) from None
    row = session.get(CreditGraduation, klass.id)
    before = row.year if row else None
    if row is None:
        row = CreditGraduation(class_id=klass.id, year=year, updated_at=now, updated_by_id=user.id)
        session.add(row)
    row.year, row.updated_at, row.updated_by_id = year, now, user.id
    session.flush()
    audit.record(session, actor_id=user.id, action="credit_graduation.set", object_type="school_class",
                 object_id=klass.id, now=now, before={"year": before}, after={"year": year})  # fmt: skip
    return klass


# -- standing ----------------------------------------------------------------------------------------------


@dataclass
class Standing:
    student: User
    total: float
    met: bool
    open_claims: int


def classes_seen(session: Session, user: User, principals) -> list[SchoolClass]:
    """The classes whose standing the user sees: all for 党委学生工作部 and monitors, a counselor's own."""
    stmt = select(SchoolClass).where(SchoolClass.active)
    if not access.manages(session, user, principals):
        mine = policy.counselled_classes(policy.viewer(user, principals))
        stmt = stmt.where(SchoolClass.id.in_(sorted(mine) or [-1]))
    return list(session.scalars(stmt.order_by(SchoolClass.name)))


def get_class(session: Session, user: User, principals, class_id) -> SchoolClass:
    cid = object_id(class_id, N_("班级不存在"))
    found = next((k for k in classes_seen(session, user, principals) if k.id == cid), None)
    if found is None:
        raise NotFound(N_("班级不存在"))
    return found


def students_of(session: Session, class_ids) -> list[User]:
    stmt = select(User).where(User.class_id.in_(sorted(set(class_ids)) or [-1]), User.kind == "student", User.active)
    return list(session.scalars(stmt.order_by(User.username)))


def standing(session: Session, class_ids) -> list[Standing]:
    """Each active student of the classes with their total, met or not, and open claims (three queries)."""
    students = students_of(session, class_ids)
    ids = [s.id for s in students]
    sums = totals(session, ids)
    open_counts = dict(
        session.execute(
            select(CreditClaim.student_id, func.count())
            .where(CreditClaim.student_id.in_(ids or [-1]), CreditClaim.status.in_(OPEN_CLAIMS))
            .group_by(CreditClaim.student_id)
        ).all()
    )
    bar = standard(session)
    return [Standing(s, sums[s.id], sums[s.id] >= bar, open_counts.get(s.id, 0)) for s in students]


def class_summaries(session: Session, classes: list[SchoolClass]) -> dict[int, dict]:
    """Per class: students, how many met the standard, the rate (None without students), in one pass."""
    rows = standing(session, [k.id for k in classes])
    out = {k.id: {"students": 0, "met": 0, "rate": None} for k in classes}
    for r in rows:
        entry = out[r.student.class_id]
        entry["students"] += 1
        entry["met"] += int(r.met)
    for entry in out.values():
        entry["rate"] = entry["met"] / entry["students"] if entry["students"] else None
    return out
