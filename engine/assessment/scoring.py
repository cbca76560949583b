"""网上评价: a scorer's own assignments and the scoring of one (points per item 0..max, a comment; save a draft,
submit; a submitted scoring is final). Another person's assignment does not exist for a scorer (NotFound)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.assessment import validate_scores

from ..core import audit
from ..core.errors import N_, Conflict, InvalidInput, NotFound, object_id
from ..models import (
    AssessmentAssignment,
    AssessmentCampaign,
    AssessmentSystem,
    AssessmentTarget,
    OrgUnit,
    Subject,
    User,
)
from . import closing, systems

STATUSES = {"open": N_("待评分"), "draft": N_("已暂存"), "submitted": N_("已提交")}


@dataclass
class Sheet:
    """One assignment as the scoring page shows it."""

    assignment: AssessmentAssignment
    campaign: AssessmentCampaign
    target: AssessmentTarget
    unit: OrgUnit
    rows: list[dict]  # {part, item, observation, max}
    name: str = ""  # what is scored: the unit, or the 专业 / 课程 / person of the 2018 extension

    @property
    def maxima(self) -> dict[str, float]:
        return {r["item"]["key"]: float(r["item"]["max"]) for r in self.rows}

    @property
    def editable(self) -> bool:
        return self.assignment.status != "submitted" and self.campaign.status == "scoring"


def mine(session: Session, user: User) -> list[tuple[AssessmentAssignment, AssessmentCampaign, str, str]]:
    """The user's assignments (with what is scored and the target kind) in campaigns still scoring, then the
    rest; open ones first."""
    stmt = (
        select(AssessmentAssignment, AssessmentCampaign, OrgUnit.name, Subject.name, AssessmentTarget.unit_kind)
        .join(AssessmentCampaign, AssessmentCampaign.id == AssessmentAssignment.campaign_id)
        .join(AssessmentTarget, AssessmentTarget.id == AssessmentAssignment.target_id)
        .join(OrgUnit, OrgUnit.id == AssessmentTarget.org_unit_id)
        .outerjoin(Subject, Subject.id == AssessmentTarget.subject_id)
        .where(AssessmentAssignment.scorer_id == user.id)
    )
    rows = [(a, c, unit if kind in systems.UNIT_TARGETS else subject or unit, kind)
            for a, c, unit, subject, kind in session.execute(stmt)]  # fmt: skip
    return sorted(rows, key=lambda r: (r[1].status != "scoring", r[0].status == "submitted", -r[1].year, r[2], r[0].id))


def open_count(session: Session, user: User) -> int:
    return sum(1 for a, c, _n, _k in mine(session, user) if c.status == "scoring" and a.status != "submitted")


def sheet(session: Session, user: User, assignment_id) -> Sheet:
    """The user's own assignment with the items its group scores, else NotFound."""
    a = session.get(AssessmentAssignment, object_id(assignment_id, N_("评分任务不存在")))
    if a is None or a.scorer_id != user.id:
        raise NotFound(N_("评分任务不存在"))
    campaign = session.get(AssessmentCampaign, a.campaign_id)
    target = session.get(AssessmentTarget, a.target_id)
    system = session.get(AssessmentSystem, campaign.system_id)
    rows = [
        {"part": part, "item": item, "observation": systems.for_kind(item["observation"], target.unit_kind)}
        for part, item in systems.items_of(system.definition)
        if a.group_key in systems.for_kind(item["scorers"], target.unit_kind)
    ]
    unit = session.get(OrgUnit, target.org_unit_id)
    subject = session.get(Subject, target.subject_id) if target.subject_id else None
    name = subject.name if subject is not None and target.unit_kind not in systems.UNIT_TARGETS else unit.name
    return Sheet(a, campaign, target, unit, rows, name)


def save(session: Session, user: User, assignment_id, payload: dict, final: bool, now: datetime) -> Sheet:
    """Save the points as a draft, or submit them (every item needed; final). Refused input changes nothing."""
    s = sheet(session, user, assignment_id)
    if s.assignment.status == "submitted":
        raise Conflict(N_("评分已提交，不能再修改"))
    if s.campaign.status != "scoring":
        raise Conflict(N_("评分已结束"))
    try:
        clean = validate_scores(payload, s.maxima, final)
    except ValueError as exc:
        raise InvalidInput(N_("请检查填写的内容"), fields=exc.args[0]) from None
    a = s.assignment
    a.scores, a.comment, a.updated_at = clean["scores"], clean["comment"], now
    a.status = "submitted" if final else "draft"
    if final:
        a.submitted_at = now
    session.flush()
    audit.record(
        session, actor_id=user.id, action="assessment.score.submit" if final else "assessment.score.save",
        object_type="assessment_assignment", object_id=a.id, now=now, after={"scores": a.scores},
    )  # fmt: skip
    if final:
        closing.close_if_complete(session, s.campaign, user.id, now)  # the last one in ends the scoring at once
    return s
