"""One "毕业生毕业时没有达到基本标准" warning (table 39's `graduation` type) per student and graduation year.

Two checks find a graduating student below standard: the graduation feed's rule (academic: 修满学分 and
职业资格证书 against BS18, engine/warnings/catalogue.py, rule key `t39:graduation:<subject>:<year>`) and the
quality-credit ledger's check (综合素质学分 against the graduation standard, engine/credits/graduation.py, rule key
`credits:graduation:<student>:<year>`). Whichever runs first raises the warning under its own rule key; the other
finds it through either key and adds its criterion to it (a line in the description, a history entry, an audit
row) instead of raising a second warning. A resolved warning that gains a criterion is raised again. The criteria
named are kept in `details["criteria"]` ({criterion: {..., "lines": [...]}}), so a rerun of either check adds
nothing; a warning from before this (no criteria recorded) counts the criterion its rule key stands for.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import audit
from ..models import QualityWarning, WarningStatus
from .service import add_note_entry, note_entry

TYPE_KEY = "graduation"
ACADEMIC, CREDITS = "academic", "credits"  # the graduation feed's criteria, the quality-credit standard


def feed_rule_key(subject_id: int, year: int | str) -> str:
    return f"t39:{TYPE_KEY}:{subject_id}:{year}"


def credits_rule_key(student_id: int, year: int | str) -> str:
    return f"credits:{TYPE_KEY}:{student_id}:{year}"


def existing(session: Session, year: int | str, students: dict[int, int | None]) -> dict[int, QualityWarning]:
    """The year's warning of each student ({student id: their personal subject's id or None}) that has one,
    whichever check raised it (the first raised when, from before, there are two)."""
    keys: dict[str, int] = {}
    for student_id, subject_id in students.items():
        keys[credits_rule_key(student_id, year)] = student_id
        if subject_id is not None:
            keys[feed_rule_key(subject_id, year)] = student_id
    out: dict[int, QualityWarning] = {}
    if not keys:
        return out
    stmt = select(QualityWarning).where(QualityWarning.rule_key.in_(list(keys))).order_by(QualityWarning.id)
    for w in session.scalars(stmt):
        out.setdefault(keys[w.rule_key], w)
    return out


def criteria(w: QualityWarning) -> dict[str, dict]:
    """The criteria the warning names: {criterion: {..., "lines": [...]}}."""
    found = dict((w.details or {}).get("criteria") or {})
    if not found:  # raised before criteria were recorded: its rule key says which check raised it
        found[CREDITS if (w.rule_key or "").startswith("credits:") else ACADEMIC] = {}
    return found


def first_criteria(criterion: str, lines: list[str], info: dict) -> dict:
    """The `criteria` detail of a warning the first check raises."""
    return {criterion: {**info, "lines": lines}}


def add_criterion(
    session: Session, w: QualityWarning, criterion: str, lines: list[str], info: dict, now: datetime
) -> bool:
    """Name one more criterion not met on the student's warning; False (nothing changes) when it is named."""
    named = criteria(w)
    if criterion in named:
        return False
    before = {"status": w.status, "criteria": sorted(named)}
    named[criterion] = {**info, "lines": lines}
    w.details = {**(w.details or {}), "criteria": named}
    text = "\n".join(lines)
    w.description = f"{w.description}\n{text}"
    if w.status == WarningStatus.RESOLVED:
        w.status, w.resolved_at, w.resolved_by_id = WarningStatus.RAISED, None, None
        w.acknowledged_at = w.acknowledged_by_id = None
        add_note_entry(w, note_entry(None, "reopen", text, now))
    else:
        add_note_entry(w, note_entry(None, "criterion", text, now))
    audit.record(session, actor_id=None, action="warning.update", object_type="warning", object_id=w.id, now=now,
                 before=before, after={"status": w.status, "criteria": sorted(named)}, note=text)  # fmt: skip
    return True
