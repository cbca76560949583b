"""The 质量督导 blueprint and the template globals other pages use to include its blocks."""

from __future__ import annotations

from flask import Blueprint, g
from flask_login import current_user
from sqlalchemy import select

from engine.models import Subject, User
from engine.supervision import records, surveys

from ..db import db
from ..helpers import int_arg, now, principals

bp = Blueprint("supervision", __name__, url_prefix="/supervision")
DIAGNOSIS_TYPES = ("diagnosis", "upper_review", "school_review")  # the task pages that show the records


def year_arg(value) -> int:
    """A year from the query string or a form, else the school's current year."""
    year = int_arg(value, 0)
    return year if 2000 <= year <= 2100 else records.local_year(db.session, now())


def doc_year(doc) -> int | None:
    """The year of a cycle document (its period "2026", or the last year of "2025-2027")."""
    tail = (doc.period or "")[-4:]
    return int(tail) if tail.isdigit() else None


@bp.app_template_global()
def supervision_records(doc) -> list[dict]:
    """The records on a diagnosis or review document's subject in its year (the page's reader sees the
    document, so the subject's supervision is theirs to read)."""
    year = doc_year(doc) if doc is not None else None
    if year is None or doc.doc_type not in DIAGNOSIS_TYPES:
        return []
    rows = records.records_for_subject(db.session, doc.subject_id, year)
    people = {r.supervisor_id for r in rows}
    names = (
        dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(people))).all()) if rows else {}
    )
    return [{"record": r, "supervisor": names.get(r.supervisor_id, "")} for r in rows]


@bp.app_template_global()
def satisfaction_badges(doc) -> list[dict]:
    """The latest 满意度 figures of a college's or major's document (once per request and subject)."""
    cache = g.setdefault("satisfaction_badges", {})
    if doc is None:
        return []
    if doc.subject_id not in cache:
        subject = db.session.get(Subject, doc.subject_id)
        cache[doc.subject_id] = surveys.figures(db.session, subject) if subject else []
    return cache[doc.subject_id]


@bp.app_template_global()
def satisfaction_overview() -> list[dict]:
    """For the school's dashboard: each college's latest figure of each kind."""
    year = records.local_year(db.session, now())
    out: dict[str, dict] = {}
    for y in (year, year - 1):
        for kind, survey in surveys.surveys_of(db.session, y).items():
            for row in surveys.results(db.session, survey):
                entry = out.setdefault(row["college"], {"college": row["college"]})
                entry.setdefault(kind, {"figure": row["figure"], "year": y})
    return sorted(out.values(), key=lambda e: e["college"])


@bp.app_template_global()
def uses_supervision() -> bool:
    return current_user.is_authenticated and records.uses_supervision(db.session, current_user, principals())


@bp.app_context_processor
def _labels() -> dict:
    return {"SUPERVISION_KINDS": records.KINDS, "SUPERVISION_ACTIVITIES": records.ACTIVITIES,
            "SURVEY_KINDS": surveys.KINDS, "SURVEY_DUE": surveys.DUE}  # fmt: skip
