"""What the school leaders' view reads of the assessment (issue #18's shared contract)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AssessmentCampaign, AssessmentTarget
from .campaigns import GRADE_LABELS
from .systems import UNIT_TARGETS


def unit_results(session: Session, year: int) -> dict[int, dict]:
    """The published results of the year by org unit id: {"total", "grade" (excellent / good / pass / fail),
    "grade_label" (优秀 / 良好 / 合格 / 不合格), "parts" {part key: score}, "published": True}. A unit in two
    published campaigns of the year keeps the later campaign's result."""
    stmt = (
        select(AssessmentTarget)
        .join(AssessmentCampaign, AssessmentCampaign.id == AssessmentTarget.campaign_id)
        .where(
            AssessmentCampaign.year == year,
            AssessmentCampaign.status == "published",
            AssessmentTarget.unit_kind.in_(UNIT_TARGETS),
        )  # a unit's own result, not its majors' or people's
        .order_by(AssessmentCampaign.published_at, AssessmentCampaign.id)
    )
    return {
        t.org_unit_id: {"total": float(t.total or 0), "grade": t.grade, "grade_label": GRADE_LABELS.get(t.grade, ""),
                        "parts": dict(t.parts or {}), "published": True}
        for t in session.scalars(stmt)
    }  # fmt: skip
