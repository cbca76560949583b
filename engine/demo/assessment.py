"""The demo school's developmental assessment (table 40), played through engine/assessment: last year's campaign
scored by every scorer, with a veto (一票否决) and a 突出贡献 set by 人力资源处, computed and published; this year's
campaign open for scoring with about a third of the scores in, so 校长, 蒋副校长 and the heads of departments have
scoring to do and 人事处审核员 (rsc_reviewer) organises it."""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import org
from ..assessment import campaigns, scoring
from ..core import periods, settings
from ..models import AssessmentAssignment, AssessmentTarget, OrgUnit, User

ORGANISER = "rsc_reviewer"
VETO = ("JHC", "学生宿舍消防安全责任事故（特别严重事件），经学校认定一票否决")
OUTSTANDING = ("ZJC", "年度招生计划超额完成，获省级招生就业工作先进集体")
STILL_TO_SCORE = ("xiaozhang", "fxz_jiang")  # leaders whose scoring this year is left open


def _fraction(code: str, *keys: str) -> float:
    """A steady share of the maximum (0.62-0.99): the unit's own level and a little per group and item."""
    return 0.62 + (zlib.crc32(code.encode()) % 30) / 100 + (zlib.crc32("|".join((code, *keys)).encode()) % 8) / 100


def _score(session: Session, campaign, at: datetime, keep_open=lambda a, user: False) -> int:
    rows = session.execute(
        select(AssessmentAssignment, OrgUnit.code)
        .join(AssessmentTarget, AssessmentTarget.id == AssessmentAssignment.target_id)
        .join(OrgUnit, OrgUnit.id == AssessmentTarget.org_unit_id)
        .where(AssessmentAssignment.campaign_id == campaign.id)
        .order_by(AssessmentAssignment.id)
    ).all()  # fmt: skip
    users = {u.id: u for u in session.scalars(select(User))}
    done = 0
    for a, code in rows:
        scorer = users[a.scorer_id]
        if keep_open(a, scorer):
            continue
        sheet = scoring.sheet(session, scorer, a.id)
        payload = {f"points-{k}": f"{m * _fraction(code, a.group_key, k):.1f}" for k, m in sheet.maxima.items()}
        payload["comment"] = "工作扎实，目标明确。" if done % 3 == 0 else ""
        scoring.save(session, scorer, a.id, payload, True, at)
        done += 1
    return done


def load(session: Session, now: datetime) -> dict:
    tz = settings.of(session).timezone
    year = periods.local_year(now, tz)
    hr = session.scalar(select(User).where(User.username == ORGANISER))
    if hr is None:
        return {}
    ps = org.principals_of(session, hr.id)
    opened = now - timedelta(days=360)  # last year's campaign, opened and closed before this year began
    last = campaigns.open_campaign(session, hr, ps, {
        "year": str(year - 1), "kinds": ["functional", "college"],
        "due": (opened + timedelta(days=25)).astimezone(tz).date().isoformat()}, opened)  # fmt: skip
    _score(session, last, opened + timedelta(days=10))
    units = dict(session.execute(select(OrgUnit.code, OrgUnit.id)).all())
    targets = {t.org_unit_id: t for t in campaigns.targets_of(session, last.id)}
    for (code, reason), field in ((VETO, "veto_reason"), (OUTSTANDING, "outstanding_reason")):
        target = targets.get(units.get(code))
        if target is not None:
            campaigns.set_reasons(session, hr, ps, target.id, {field: reason}, opened + timedelta(days=12))
    campaigns.advance(session, hr, ps, last, opened + timedelta(days=20))  # 结束评分: computed, to review
    campaigns.advance(session, hr, ps, last, opened + timedelta(days=30))  # 公布结果
    start = now - timedelta(days=5)
    current = campaigns.open_campaign(session, hr, ps, {
        "year": str(year), "kinds": ["functional", "college"],
        "due": (now + timedelta(days=30)).astimezone(tz).date().isoformat()}, start)  # fmt: skip
    scored = _score(
        session,
        current,
        now - timedelta(days=1),
        keep_open=lambda a, user: user.username in STILL_TO_SCORE or a.id % 3 != 0,
    )
    return {"last": last.id, "current": current.id, "scored": scored}
