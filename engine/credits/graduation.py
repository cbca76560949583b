"""The graduation check: each student of a class graduating in the year whose credits are below the standard
raises table 39's "毕业生毕业时没有达到基本标准" warning (type `graduation`) for 教务处 (the unit holding
academic_affairs), with the student's personal subject as its object — once per student and year (rule key
`credits:graduation:<student id>:<year>`), so a rerun raises nothing new. A student the graduation feed's rule
(academic credits) has warned already keeps that one warning, which gains the quality-credit criterion
(engine/warnings/graduation.py): one warning per student and year names every criterion not met.

The scheduler's tick runs it for the current year from `Settings.credit_check_month` (May: the spring's claims
are recognised, graduation is in June/July), so a student still below is warned while there is time to catch
up; 党委学生工作部 and 教务处 run it for any year with the button on 毕业审核.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import audit, settings
from ..core.errors import N_, NotFound
from ..models import FunctionKey, QualityWarning, Subject, User, WarningLevel
from ..org import functions
from ..warnings import graduation as one_warning
from ..warnings import service as warnings
from ..warnings import table39
from . import access, ledger

TYPE_KEY = "graduation"


def rule_key(student_id: int, year: int) -> str:
    return one_warning.credits_rule_key(student_id, year)


def below(session: Session, year: int) -> list[tuple[User, float]]:
    """The students of the year's graduating classes below the standard, with their totals."""
    classes = ledger.graduating_classes(session, year)
    students = ledger.students_of(session, [k.id for k in classes])
    sums = ledger.totals(session, [s.id for s in students])
    bar = ledger.standard(session)
    return [(s, sums[s.id]) for s in students if sums[s.id] < bar]


def check(session: Session, year: int, now: datetime, actor: User | None = None) -> list[QualityWarning]:
    """Raise the warnings not raised yet for `year`; returns the new ones (none when 教务处 is not set up). A student
    the graduation feed's rule has warned already gets the quality-credit criterion added to that warning instead
    (engine/warnings/graduation.py); those are not returned."""
    unit_id = functions.holder_id(session, FunctionKey.ACADEMIC_AFFAIRS)
    found = below(session, year)
    if unit_id is None or not found:
        return []
    subjects = dict(
        session.execute(
            select(Subject.user_id, Subject.id).where(
                Subject.user_id.in_([s.id for s, _ in found] or [-1]), Subject.type == "student"
            )
        ).all()
    )
    known = one_warning.existing(session, year, {s.id: subjects.get(s.id) for s, _total in found})
    classes = {k.id: k.name for k in ledger.graduating_classes(session, year)}
    bar = ledger.standard(session)
    kind = table39.BY_KEY[TYPE_KEY].kind
    raised, added = [], 0
    for student, total in found:
        line = f"综合素质学分：{total:g} 分（毕业标准：{bar:g} 分）"
        info = {"credits": total, "standard": bar}
        if student.id in known:
            added += one_warning.add_criterion(session, known[student.id], one_warning.CREDITS, [line], info, now)
            continue
        place = classes.get(student.class_id, "")
        w = warnings.create(
            session, kind=kind, type_key=TYPE_KEY, level=WarningLevel.YELLOW,
            title=f"毕业生毕业时没有达到基本标准：{student.display_name}（{place}，{year}届）",
            description=f"{student.display_name}（{student.username}，{place}）{year}届毕业时未达到基本标准：\n{line}",
            org_unit_id=unit_id, now=now, rule_key=rule_key(student.id, year),
            object_type="subject" if student.id in subjects else "user",
            object_id=subjects.get(student.id, student.id), responsible_user_id=student.id, send=False,
            details={"type": TYPE_KEY, "year": year, "credits": total, "standard": bar, "student_id": student.id,
                     "criteria": one_warning.first_criteria(one_warning.CREDITS, [line], info)},
        )  # fmt: skip
        raised.append(w)
    warnings.notify(session, raised, now)
    if actor is not None:
        audit.record(session, actor_id=actor.id, action="credit_graduation.check", object_type="credit_graduation",
                     object_id=year, now=now, after={"below": len(found), "raised": len(raised),
                                                     "added": added})  # fmt: skip
    return raised


def run_check(session: Session, user: User, principals, year: int, now: datetime) -> tuple[int, int]:
    """The button: (students below, warnings raised now); 党委学生工作部, 教务处 and monitors only."""
    if not access.runs_check(session, user, principals):
        raise NotFound(N_("页面不存在"))
    raised = check(session, year, now, actor=user)
    return len(below(session, year)), len(raised)


def tick(session: Session, now: datetime) -> int:
    """The scheduler's run: this year's graduating classes, from the check month on; returns how many were raised."""
    today = settings.of(session).today(now)
    if today.month < settings.of(session).credit_check_month:
        return 0
    return len(check(session, today.year, now))
