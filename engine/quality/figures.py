"""The quality view's figures per unit and year, each family in one grouped query: open warnings by level, the
satisfaction surveys, and the review and sampling conclusions of the units' subjects.

A year is the school's calendar year (`Settings.timezone`). Warnings: those open at the year's end (for the
current year: open now) by level, and how many were raised in the year (the trend). Surveys: the year's applied
survey of each kind, its colleges' figures weighted by sample. Reviews: the published 上一级复核性诊断 and
学校抽样复核 of the year's cycle (period of the year), each summarised by its worst item rating (any 未达成 is
未达成, else any 基本达成 is 基本达成, else 达成), and the subjects' 吻合度 (forms/record.py) averaged.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from forms import record as layout

from ..core import settings
from ..cycle import record
from ..models import (
    Document,
    DocumentVersion,
    QualityWarning,
    SatisfactionResult,
    SatisfactionSurvey,
    Subject,
    WarningLevel,
    WarningStatus,
)
from ..supervision import surveys

LEVEL_ORDER = (WarningLevel.RED, WarningLevel.YELLOW, WarningLevel.BLUE)
REVIEW_PARTS = ("upper_review", "school_review")
CONCLUSIONS = ("met", "partly", "unmet")  # 达成, 基本达成, 未达成 (engine/cycle/review.py RATING_LABELS)


def year_span(session: Session, year: int) -> tuple[datetime, datetime]:
    """[start, end) of the school's calendar year, as aware datetimes."""
    tz = settings.of(session).timezone
    return datetime.combine(date(year, 1, 1), time(), tz), datetime.combine(date(year + 1, 1, 1), time(), tz)


def _unit_filter(column, unit_ids):
    return [] if unit_ids is None else [column.in_(sorted(unit_ids) or [-1])]


def warnings_by_unit(session: Session, year: int, now: datetime, unit_ids=None) -> dict[int, dict]:
    """{unit id: {"red", "yellow", "blue": open at the year's end, "open": their sum, "raised": in the year}}."""
    start, end = year_span(session, year)
    cut = min(end, now)
    still_open = or_(
        QualityWarning.status.in_((WarningStatus.RAISED, WarningStatus.ACKNOWLEDGED)),
        QualityWarning.resolved_at >= cut,
    )
    rows = session.execute(
        select(QualityWarning.org_unit_id, QualityWarning.level, func.count())
        .where(QualityWarning.raised_at < cut, still_open, *_unit_filter(QualityWarning.org_unit_id, unit_ids))
        .group_by(QualityWarning.org_unit_id, QualityWarning.level)
    ).all()
    out: dict[int, dict] = {}
    for unit, level, n in rows:
        entry = out.setdefault(unit, no_warnings())
        entry[level] = entry.get(level, 0) + n
        entry["open"] += n
    raised = session.execute(
        select(QualityWarning.org_unit_id, func.count())
        .where(QualityWarning.raised_at >= start, QualityWarning.raised_at < end,
               *_unit_filter(QualityWarning.org_unit_id, unit_ids))
        .group_by(QualityWarning.org_unit_id)
    ).all()  # fmt: skip
    for unit, n in raised:
        out.setdefault(unit, no_warnings())["raised"] = n
    return out


def no_warnings() -> dict:
    return {**dict.fromkeys(LEVEL_ORDER, 0), "open": 0, "raised": 0}


def warnings_raised_by_year(session: Session, years: list[int], unit_ids=None) -> dict[tuple[int, int | None], int]:
    """{(year, unit id): warnings raised in the year}, and (year, None) for the units together: the trend."""
    start, _ = year_span(session, min(years))
    _, end = year_span(session, max(years))
    rows = session.execute(
        select(QualityWarning.org_unit_id, QualityWarning.raised_at)
        .where(QualityWarning.raised_at >= start, QualityWarning.raised_at < end,
               *_unit_filter(QualityWarning.org_unit_id, unit_ids))
    ).all()  # fmt: skip
    school = settings.of(session)
    out: dict[tuple[int, int | None], int] = {}
    for unit, at in rows:
        y = school.local(at).year
        out[(y, unit)] = out.get((y, unit), 0) + 1
        out[(y, None)] = out.get((y, None), 0) + 1
    return out


def survey_figures(session: Session, years: list[int], unit_ids=None) -> dict[tuple[int, str, int | None], dict]:
    """{(year, kind, college id or None for the school): {"figure", "samples", "survey_id"}} of applied surveys."""
    rows = session.execute(
        select(SatisfactionSurvey.year, SatisfactionSurvey.kind, SatisfactionSurvey.id, SatisfactionResult.college_id,
               func.sum(SatisfactionResult.samples * SatisfactionResult.rate), func.sum(SatisfactionResult.samples))
        .join(SatisfactionResult, SatisfactionResult.survey_id == SatisfactionSurvey.id)
        .where(SatisfactionSurvey.status == "applied", SatisfactionSurvey.year.in_(years),
               *_unit_filter(SatisfactionResult.college_id, unit_ids))
        .group_by(SatisfactionSurvey.year, SatisfactionSurvey.kind, SatisfactionSurvey.id,
                  SatisfactionResult.college_id)
    ).all()  # fmt: skip
    sums: dict[tuple, list] = {}
    out: dict[tuple, dict] = {}
    for year, kind, survey_id, college, weighted, samples in rows:
        if not samples:
            continue
        out[(year, kind, college)] = {"figure": round(weighted / samples, 1), "samples": int(samples),
                                      "survey_id": survey_id}  # fmt: skip
        total = sums.setdefault((year, kind), [0.0, 0, survey_id])
        total[0] += weighted
        total[1] += samples
    for (year, kind), (weighted, samples, survey_id) in sums.items():
        out[(year, kind, None)] = {"figure": round(weighted / samples, 1), "samples": int(samples),
                                   "survey_id": survey_id}  # fmt: skip
    return out


SURVEY_KINDS = tuple(surveys.KINDS)
SURVEY_LABELS = surveys.SHORT


def conclusion_of(data: dict | None) -> str | None:
    """A review's conclusion: its worst item rating among the included items; None when nothing is rated."""
    ratings = {(r.get("cells") or {}).get("rating") for r in (data or {}).get("rows", []) if r.get("included", True)}
    found = [c for c in CONCLUSIONS if c in ratings]
    return found[-1] if found else None


def reviews_of_year(session: Session, year: int, unit_ids=None, subject_ids=None) -> dict[int, dict]:
    """{subject id: {"unit": id, "type", "diagnosis" / "upper_review" / "school_review": {"conclusion",
    "document_id"}, "agreement": 吻合度 or None}} from the published versions of the year's documents: one query."""
    where = [
        Document.doc_type.in_(layout.RATED_BY), Document.period == record.period_of(session, year),
        Document.published_version > 0, *_unit_filter(Subject.org_unit_id, unit_ids),
    ]  # fmt: skip
    if subject_ids is not None:
        where.append(Document.subject_id.in_(sorted(subject_ids) or [-1]))
    rows = session.execute(
        select(Document.subject_id, Subject.org_unit_id, Subject.type, Document.doc_type, Document.id,
               DocumentVersion.data)
        .join(Subject, Subject.id == Document.subject_id)
        .join(DocumentVersion, and_(DocumentVersion.document_id == Document.id,
                                    DocumentVersion.version == Document.published_version))
        .where(*where)
    ).all()  # fmt: skip
    out: dict[int, dict] = {}
    contents: dict[int, dict] = {}
    for subject_id, unit, stype, doc_type, doc_id, data in rows:
        entry = out.setdefault(subject_id, {"unit": unit, "type": stype})
        entry[doc_type] = {"conclusion": conclusion_of(data), "document_id": doc_id}
        contents.setdefault(subject_id, {})[doc_type] = data
    for subject_id, parts in contents.items():
        out[subject_id]["agreement"] = layout.agreement_of(parts)["subject"]
    return out


def reviews_by_unit(reviews: dict[int, dict]) -> dict[int | None, dict]:
    """Per unit (and None: the school): {"upper_review" / "school_review": {"count", "met", "partly", "unmet"},
    "agreement": the mean 吻合度 of its subjects that have one, "agreement_n"}."""
    out: dict[int | None, dict] = {}
    for entry in reviews.values():
        for unit in (entry["unit"], None):
            agg = out.setdefault(unit, _no_reviews())
            for part in REVIEW_PARTS:
                if part in entry:
                    agg[part]["count"] += 1
                    if entry[part]["conclusion"]:
                        agg[part][entry[part]["conclusion"]] += 1
            if entry.get("agreement") is not None and ("upper_review" in entry or "school_review" in entry):
                agg["agreement_sum"] += entry["agreement"]
                agg["agreement_n"] += 1
    for agg in out.values():
        n = agg.pop("agreement_sum"), agg["agreement_n"]
        agg["agreement"] = round(n[0] / n[1], 1) if n[1] else None
    return out


def _no_reviews() -> dict:
    return {**{p: {"count": 0, **dict.fromkeys(CONCLUSIONS, 0)} for p in REVIEW_PARTS}, "agreement_sum": 0.0,
            "agreement_n": 0}  # fmt: skip


def years_back(year: int, count: int) -> list[int]:
    return list(range(year - count + 1, year + 1))
