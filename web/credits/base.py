"""The credits blueprint and what its pages share: the tab bar, a student's ledger page."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from engine import credits
from engine.credits import access, claims, ledger
from engine.models import SchoolClass, User
from forms.credits import LIMITS

from ..db import db
from ..helpers import principals, today

bp = Blueprint("credits", __name__, url_prefix="/credits")


def names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    return dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids or [-1]))).all())


def nav() -> dict:
    """Which tabs the user has (the tab bar of every credits page)."""
    ps = principals()
    return {
        "is_student": current_user.kind == "student",
        "sees_classes": access.sees_classes(db.session, current_user, ps),
        "manages": access.manages(db.session, current_user, ps),
        "runs_check": access.runs_check(db.session, current_user, ps),
    }


def ledger_context(student: User) -> dict:
    """A student's total, entries, claims (the 我的学分 page and the ledger page share it)."""
    rows = ledger.entries(db.session, student.id)
    made = ledger.claims_of(db.session, student.id)
    total = ledger.totals(db.session, [student.id])[student.id]
    return {
        "student": student, "total": total, "standard": ledger.standard(db.session), "entries": rows,
        "reversed": ledger.reversed_ids(db.session, [e.id for e in rows]), "claims": made,
        "klass": db.session.get(SchoolClass, student.class_id) if student.class_id else None,
        "names": names([e.recorded_by_id for e in rows] + [c.claimant_id for c in made]),
    }  # fmt: skip


def student_page(found: User, form=None, errors=None, status=200):
    ps = principals()
    return render_template(
        "credits/student.html", **ledger_context(found), active="classes",
        may_deduct=claims.may_deduct(db.session, current_user, ps, found),
        deduct_items=credits.catalogue.items(db.session, "deduct", active_only=True), form=form or {},
        field_errors=errors or {}, today=today(), limits=LIMITS, **nav(),
    ), status  # fmt: skip
