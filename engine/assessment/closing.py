"""Scoring closes itself: when the last assignment of a campaign is submitted, the `collect` step (收集评分) is
completed by the system in the same transaction as that submission, so the process moves on at once to 计算结果
and the organisers' 审核考核结果; the organisers are told. The deadline timer on `collect` stays as the fallback
(e.g. when two last scorers submit at the same moment and neither sees the other's submission yet).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import workflow
from ..core import audit
from ..models import AssessmentAssignment, AssessmentCampaign, FunctionKey, RoleAssignment, ScopeType, User
from ..notify import note, send
from ..org import functions, policy

CLOSED_BY_SYSTEM = "评分已全部提交，系统自动结束评分"


def all_submitted(session: Session, campaign_id: int) -> bool:
    left = session.scalar(select(func.count()).where(AssessmentAssignment.campaign_id == campaign_id,
                                                     AssessmentAssignment.status != "submitted"))  # fmt: skip
    return left == 0


def close_if_complete(session: Session, campaign: AssessmentCampaign, actor_id: int | None, now: datetime) -> bool:
    """Complete the campaign's open 收集评分 step when every assignment is submitted; True when it did."""
    if campaign.status != "scoring" or campaign.instance_id is None or not all_submitted(session, campaign.id):
        return False
    ht = workflow.complete_by_system(session, campaign.instance_id, "collect",
                                     {"decision": "close", "closed_by": "all_submitted"}, CLOSED_BY_SYSTEM, actor_id,
                                     now)  # fmt: skip
    if ht is None:
        return False
    audit.record(
        session, actor_id=actor_id, action="assessment.campaign.autoclose", object_type="assessment_campaign",
        object_id=campaign.id, instance_id=campaign.instance_id, now=now, after={"status": campaign.status},
    )  # fmt: skip
    _tell_organisers(session, campaign, now)
    return True


def _tell_organisers(session: Session, campaign: AssessmentCampaign, now: datetime) -> None:
    """人力资源处's people who run the campaign: scoring is complete and the results wait for their review."""
    hr = functions.holder_id(session, FunctionKey.HUMAN_RESOURCES)
    people = session.scalars(
        select(RoleAssignment.user_id).join(User, User.id == RoleAssignment.user_id)
        .where(RoleAssignment.role.in_(policy.assessment.UNIT_ROLES), RoleAssignment.scope_type == ScopeType.UNIT,
               RoleAssignment.scope_id == (hr or -1), User.active).distinct()
    )  # fmt: skip
    send(session, [note(uid, "task", f"{campaign.title}：评分已全部提交", "考核结果已计算，请审核后公布。",
                        f"/assessment/campaigns/{campaign.id}", None, now) for uid in sorted(people)])  # fmt: skip
