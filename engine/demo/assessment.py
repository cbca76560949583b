"""The demo school's developmental assessment (table 40), played through engine/assessment: the year before last's
campaign scored and published (so a unit's result shows a trend over two years); last year's campaign
scored by every scorer (the last score closes the scoring by itself), with a 突出贡献 set by 人力资源处 and the
automatic veto (一票否决) of 基建后勤处, where a quality accident was decided 特别严重 (engine/warnings/accidents.py),
computed and published; this year's campaign open for scoring with about a third of the scores in, so 校长, 蒋副校长
and the heads of departments have scoring to do and 人事处审核员 (rsc_reviewer) organises it. The 2018 extension
(专业/课程, 教师/辅导员) likewise: see `_extension`."""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import org
from ..assessment import campaigns, scoring, systems
from ..core import periods, settings
from ..models import AssessmentAssignment, AssessmentTarget, OrgUnit, Subject, User
from ..warnings import accidents
from ..warnings import service as warnings

ORGANISER = "rsc_reviewer"
ACCIDENT = ("JHC", "学生宿舍消防安全责任事故", "学生宿舍楼配电箱长期未检修引发火情，两间宿舍过火，所幸无人员伤亡。")
OUTSTANDING = ("ZJC", "年度招生计划超额完成，获省级招生就业工作先进集体")
STILL_TO_SCORE = ("xiaozhang", "fxz_jiang")  # leaders whose scoring this year is left open


def _fraction(code: str, *keys: str) -> float:
    """A steady share of the maximum (0.62-0.99): the unit's own level and a little per year, group and item."""
    return 0.62 + (zlib.crc32(code.encode()) % 30) / 100 + (zlib.crc32("|".join((code, *keys)).encode()) % 8) / 100


def _score(session: Session, campaign, at: datetime, keep_open=lambda a, user: False) -> int:
    rows = session.execute(
        select(AssessmentAssignment, OrgUnit.code, Subject.code, AssessmentTarget.unit_kind)
        .join(AssessmentTarget, AssessmentTarget.id == AssessmentAssignment.target_id)
        .join(OrgUnit, OrgUnit.id == AssessmentTarget.org_unit_id)
        .outerjoin(Subject, Subject.id == AssessmentTarget.subject_id)
        .where(AssessmentAssignment.campaign_id == campaign.id)
        .order_by(AssessmentAssignment.id)
    ).all()  # fmt: skip
    users = {u.id: u for u in session.scalars(select(User))}
    done = 0
    for a, unit_code, subject_code, kind in rows:
        code = unit_code if kind in systems.UNIT_TARGETS else subject_code
        scorer = users[a.scorer_id]
        if keep_open(a, scorer):
            continue
        sheet = scoring.sheet(session, scorer, a.id)
        year = str(campaign.year)
        payload = {f"points-{k}": f"{m * _fraction(code, year, a.group_key, k):.1f}" for k, m in sheet.maxima.items()}
        payload["comment"] = "工作扎实，目标明确。" if done % 3 == 0 else ""
        scoring.save(session, scorer, a.id, payload, True, at)
        done += 1
    return done


def _critical_accident(session: Session, year: int, at: datetime) -> None:
    """基建后勤处's staff accident of `year`: reported and proposed by the 诊改办公室, decided 特别严重 and handled by
    党政办公室 (table 39 sends a 职员's accident there), resolved."""
    code, title, description = ACCIDENT
    users = {
        u.username: u for u in session.scalars(select(User).where(User.username.in_(("zlc_admin", "dzb_reviewer"))))
    }
    unit = session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))
    if unit is None or len(users) < 2:
        return
    office, party = users["zlc_admin"], users["dzb_reviewer"]
    ps = {u.id: org.principals_of(session, u.id) for u in users.values()}
    w = warnings.report(session, office, ps[office.id], {
        "kind": "quality_accident", "concerns": "staff", "level": "red", "org_unit_id": str(unit), "title": title,
        "description": description}, at)  # fmt: skip
    steps = ((office, "propose", "critical", "造成财产损失，消防安全责任未落实，建议认定为特别严重质量事故。"),
             (party, "decide", "critical", "经党政办公室会议认定为特别严重质量事故。"),
             (party, "record", "", "基建后勤处负责人诫勉谈话；全校宿舍配电设施排查整改。"))  # fmt: skip
    for n, (who, action, grade, note) in enumerate(steps, start=1):
        accidents.step(session, who, ps[who.id], w.id, action, {"grade": grade, "note": note}, at + timedelta(hours=n))
    warnings.resolve(session, office, ps[office.id], w.id, "整改已完成并复查。", at + timedelta(hours=4))


def _scored(session: Session, hr: User, ps, year: int, opened: datetime, tz):
    """A campaign of `year` opened at `opened` and scored by every scorer."""
    campaign = campaigns.open_campaign(session, hr, ps, {
        "year": str(year), "kinds": ["functional", "college"],
        "due": (opened + timedelta(days=25)).astimezone(tz).date().isoformat()}, opened)  # fmt: skip
    _score(session, campaign, opened + timedelta(days=10))
    return campaign


def load(session: Session, now: datetime) -> dict:
    tz = settings.of(session).timezone
    year = periods.local_year(now, tz)
    hr = session.scalar(select(User).where(User.username == ORGANISER))
    if hr is None:
        return {}
    ps = org.principals_of(session, hr.id)
    earlier = now - timedelta(days=725)  # the year before last's campaign; the last score closes its scoring
    before = _scored(session, hr, ps, year - 2, earlier, tz)
    campaigns.advance(session, hr, ps, before, earlier + timedelta(days=30))  # 公布结果
    opened = now - timedelta(days=360)  # last year's campaign, opened and closed before this year began
    # the accident happened in the campaign's year, before the results were computed
    _critical_accident(session, year - 1, min(opened + timedelta(days=1), datetime(year - 1, 12, 20, 12, tzinfo=tz)))
    last = _scored(session, hr, ps, year - 1, opened, tz)  # the last score in: computed (the veto), to review
    units = dict(session.execute(select(OrgUnit.code, OrgUnit.id)).all())
    targets = {t.org_unit_id: t for t in campaigns.targets_of(session, last.id)}
    code, reason = OUTSTANDING
    if (target := targets.get(units.get(code))) is not None:
        campaigns.set_reasons(session, hr, ps, target.id, {"outstanding_reason": reason}, opened + timedelta(days=12))
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
    extension = _extension(session, hr, ps, year, now)
    return {"before": before.id, "last": last.id, "current": current.id, "scored": scored, **extension}


def _extension(session: Session, hr: User, ps, year: int, now: datetime) -> dict:
    """The 2018 extension: last year's 专业/课程 and 教师/辅导员 campaigns scored in full (the last score closes the
    scoring) and published, so a major's leader (t01) and a teacher (t02) read their results; this year's
    专业/课程 campaign open with a third of the scores in, so a school leader, an expert (t01), 教务处 and the
    majors' students (s01) have scoring to do."""
    tz = settings.of(session).timezone
    opened = now - timedelta(days=350)
    due = (opened + timedelta(days=25)).astimezone(tz).date().isoformat()
    done = {}
    for system, kinds in (("program", ["major", "course"]), ("staff", ["teacher", "counselor"])):
        c = campaigns.open_campaign(session, hr, ps, {"system": system, "year": str(year - 1), "kinds": kinds,
                                                      "due": due}, opened)  # fmt: skip
        _score(session, c, opened + timedelta(days=10))
        campaigns.advance(session, hr, ps, c, opened + timedelta(days=30))  # 公布结果
        done[f"last_{system}"] = c.id
    start = now - timedelta(days=3)
    current = campaigns.open_campaign(session, hr, ps, {
        "system": "program", "year": str(year), "kinds": ["major", "course"],
        "due": (now + timedelta(days=30)).astimezone(tz).date().isoformat()}, start)  # fmt: skip
    _score(
        session,
        current,
        now - timedelta(days=1),
        keep_open=lambda a, user: user.username in (*STILL_TO_SCORE, "t01", "s01", "jwc_reviewer") or a.id % 3 != 0,
    )
    done["current_program"] = current.id
    return done
