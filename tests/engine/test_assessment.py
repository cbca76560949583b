"""Developmental assessment (table 40): a campaign for all units walked end to end through its process, and the
arithmetic of the results with numbers written by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import org, workflow
from engine.assessment import campaigns, compute, scoring, summary, systems
from engine.core.errors import Conflict, InvalidInput, NotFound
from engine.models import AssessmentAssignment, AssessmentTarget, OrgUnit
from engine.warnings import service as warnings
from tests.conftest import NOW, user


def _open(session, year=2026, kinds=("functional", "college"), due="2026-12-31"):
    hr = user(session, "rsc_reviewer")
    return campaigns.open_campaign(session, hr, org.principals_of(session, hr.id),
                                   {"year": str(year), "kinds": list(kinds), "due": due}, NOW)  # fmt: skip


def _score_all(session, campaign, points_for):
    """Every scorer submits: `points_for(target unit code, group, item key, max)`."""
    rows = session.execute(
        select(AssessmentAssignment, OrgUnit.code)
        .join(AssessmentTarget, AssessmentTarget.id == AssessmentAssignment.target_id)
        .join(OrgUnit, OrgUnit.id == AssessmentTarget.org_unit_id)
        .where(AssessmentAssignment.campaign_id == campaign.id)
    ).all()  # fmt: skip
    for a, code in rows:
        scorer = session.get(type(user(session, "t01")), a.scorer_id)
        sheet = scoring.sheet(session, scorer, a.id)
        payload = {f"points-{k}": str(points_for(code, a.group_key, k, m)) for k, m in sheet.maxima.items()}
        scoring.save(session, scorer, a.id, payload, True, NOW)
    return rows


def _accident(session, unit_id, title, procedure, concerned=None, at=NOW):
    details = {"procedure": procedure, **({"concerned_unit_id": concerned} if concerned else {})}
    return warnings.create(session, kind="quality_accident", level="red", title=title, description="",
                           org_unit_id=unit_id, now=at, source="manual", details=details)  # fmt: skip


def test_a_campaign_for_all_units_end_to_end(session):
    campaign = _open(session)
    targets = campaigns.targets_of(session, campaign.id)
    units = {session.get(OrgUnit, t.org_unit_id).code: t for t in targets}
    assert {"JWC", "RSC", "DZXY", "RJXY"} <= set(units) and "SCHOOL" not in units and "JWC01" not in units
    groups = {a.group_key for a in session.scalars(select(AssessmentAssignment).where(
        AssessmentAssignment.campaign_id == campaign.id))}  # fmt: skip
    assert groups == set(campaigns.groups_of(systems.UNIT_SYSTEM))  # every scorer group table 40 names
    college = units["DZXY"]
    by_group = {a.group_key for a in session.scalars(select(AssessmentAssignment).where(
        AssessmentAssignment.target_id == college.id))}  # fmt: skip
    assert by_group == {"leaders", "clients", "experts", "departments", "students"}  # no 二级学院 group for a college

    # 党政办公室 had a 特别严重 quality accident this year (decided by 教务处, which is not vetoed): vetoed;
    # 组织部's accident was decided 严重 and another one was only proposed 特别严重: neither vetoes;
    # 信息化处 made an outstanding contribution
    dzb, zzb, jwc = (session.scalar(select(OrgUnit).where(OrgUnit.code == c)) for c in ("DZB", "ZZB", "JWC"))
    accident = _accident(session, jwc.id, "考务事故", {"stage": "recorded", "grade": "critical"}, dzb.id)
    _accident(session, zzb.id, "档案遗失", {"stage": "decided", "grade": "serious"})
    _accident(session, zzb.id, "数据泄露", {"stage": "proposed", "proposed_grade": "critical"})
    _accident(session, zzb.id, "去年的事故", {"stage": "decided", "grade": "critical"}, at=NOW - timedelta(days=366))
    hr = user(session, "rsc_reviewer")
    ps = org.principals_of(session, hr.id)
    xxh = next(t for t in targets if session.get(OrgUnit, t.org_unit_id).code == "XXH")
    campaigns.set_reasons(session, hr, ps, xxh.id, {"outstanding_reason": "获省级教学成果一等奖"}, NOW)
    campaigns.update_settings(session, hr, ps, campaign, {
        **{f"weight-{g}": "1" for g in systems.GROUPS}, "threshold-excellent": "90", "threshold-good": "75",
        "threshold-pass": "60", "quota_mode": "count", "quota_value": "1", "agreement_share": "0.2"}, NOW)  # fmt: skip

    # every group scores: 教务处 and 人事处 full marks, the colleges 80 % and others 60 % of every item
    # (突出工作加分 counts on top of the 300-point base); the last submission closes the scoring by itself
    share = {"JWC": 1.0, "RSC": 1.0, "DZXY": 0.8, "RJXY": 0.8}
    _score_all(session, campaign, lambda code, g, k, m: round(m * share.get(code, 0.6), 2))
    assert campaign.status == "review" and campaigns.open_task(session, campaign).bpmn_id == "review"
    by_code = {session.get(OrgUnit, t.org_unit_id).code: t for t in campaigns.targets_of(session, campaign.id)}
    assert by_code["DZB"].veto_reason == f"特别严重质量事故：考务事故（{NOW.date()}，预警 #{accident.id}）"
    assert by_code["DZB"].grade == "fail" and by_code["JWC"].veto_reason is None
    assert by_code["ZZB"].veto_reason is None
    assert by_code["XXH"].grade == "excellent"  # 突出贡献, on 66 % of the base
    # 教务处 and 人事处 both have full marks (330 of 300: 110 %); one 优秀 place: the tie goes by code, JWC < RSC
    assert by_code["JWC"].total == by_code["RSC"].total == 330
    assert (by_code["JWC"].grade, by_code["RSC"].grade) == ("excellent", "good")
    assert by_code["JWC"].rank == 1 and by_code["RSC"].rank == 2
    assert by_code["DZXY"].grade == "good"  # 264 of 300: 88 %
    assert by_code["ZZB"].grade == "pass"  # 198 of 300: 66 %
    assert summary.unit_results(session, 2026) == {}  # not published yet

    assert campaigns.advance(session, hr, ps, campaign, NOW) == "review"  # 公布结果
    assert campaign.status == "published"
    instance = workflow.load_instance(session, campaign.instance_id)
    assert instance.status == "completed"
    results = summary.unit_results(session, 2026)
    assert results[dzb.id]["grade"] == "fail" and results[dzb.id]["grade_label"] == "不合格"
    assert results[by_code["JWC"].org_unit_id] == {
        "total": 330.0,
        "grade": "excellent",
        "grade_label": "优秀",
        "published": True,
        "parts": {"plan": 100.0, "control": 40.0, "improvement": 160.0, "bonus": 30.0},
    }
    with pytest.raises(Conflict):
        campaigns.set_reasons(session, hr, ps, xxh.id, {"veto_reason": "晚了"}, NOW)


def test_the_deadline_timer_closes_scoring(session):
    campaign = _open(session, due="2026-11-30")
    a = session.scalars(select(AssessmentAssignment).where(AssessmentAssignment.campaign_id == campaign.id)).first()
    scorer = session.get(type(user(session, "t01")), a.scorer_id)
    later = NOW + timedelta(days=8)
    workflow.wake_instance(session, campaign.instance_id, later)
    assert campaign.status == "review"
    with pytest.raises(Conflict):
        scoring.save(session, scorer, a.id, {}, False, later)


def test_scores_are_checked_and_final_once_submitted(session):
    campaign = _open(session)
    a = session.scalars(
        select(AssessmentAssignment).where(
            AssessmentAssignment.campaign_id == campaign.id, AssessmentAssignment.group_key == "leaders"
        )
    ).first()
    leader = session.get(type(user(session, "t01")), a.scorer_id)
    sheet = scoring.sheet(session, leader, a.id)
    keys = list(sheet.maxima)
    with pytest.raises(InvalidInput) as refused:
        scoring.save(session, leader, a.id, {f"points-{keys[0]}": "999"}, False, NOW)
    assert f"points-{keys[0]}" in refused.value.fields
    assert a.status == "open" and a.scores == {}
    with pytest.raises(InvalidInput):  # a submission needs every item
        scoring.save(session, leader, a.id, {f"points-{keys[0]}": "10"}, True, NOW)
    scoring.save(session, leader, a.id, {f"points-{keys[0]}": "10"}, False, NOW)
    assert a.status == "draft" and a.scores == {keys[0]: 10.0}
    scoring.save(session, leader, a.id, {f"points-{k}": "1" for k in keys}, True, NOW)
    with pytest.raises(Conflict):
        scoring.save(session, leader, a.id, {f"points-{k}": "2" for k in keys}, True, NOW)
    with pytest.raises(NotFound):  # somebody else's assignment does not exist for them
        scoring.sheet(session, user(session, "t01"), a.id)


def test_a_used_system_is_frozen_and_a_change_makes_a_new_version(session):
    campaign = _open(session)
    hr = user(session, "rsc_reviewer")
    system = systems.get(session, campaign.system_id)
    assert system.frozen_at is not None
    payload = {
        "max": "50",
        "connotation": "新的内涵",
        "observation-functional": "观测点一",
        "observation-college": "观测点二",
        "scorers-functional": ["leaders"],
        "scorers-college": ["leaders", "students"],
    }
    newer = systems.update_item(session, hr, system, "project", payload, NOW)
    assert newer.version == system.version + 1 and newer.id != system.id
    assert next(i for _p, i in systems.items_of(system.definition) if i["key"] == "project")["max"] == 40
    assert next(i for _p, i in systems.items_of(newer.definition) if i["key"] == "project")["max"] == 50


def test_the_seeded_systems_copy_table_40():
    unit = systems.UNIT_SYSTEM
    assert [(p["name"], sum(i["max"] for i in p["items"])) for p in unit["parts"]] == [
        ("质量计划", 100),
        ("质量控制", 40),
        ("质量提升", 160),
        ("突出工作加分", 30),
    ]
    improvement = unit["parts"][2]["items"][0]
    assert improvement["observation"]["functional"] == "任务完成情况、质量达成情况、工作满意度、工作创新度"
    assert improvement["scorers"] == {
        "functional": ["leaders", "departments", "colleges"],
        "college": ["leaders", "departments", "students"],
    }
    assert set(systems.SHIPPED) == {"unit", "program", "staff"}


DEF = {"targets": ["functional"], "parts": [
    {"key": "plan", "name": "质量计划", "items": [{"key": "a", "max": 60, "scorers": {"*": ["leaders", "clients"]}}]},
    {"key": "control", "name": "质量控制", "items": [{"key": "c", "max": 40, "scorers": {"*": ["leaders"]}}]},
]}  # fmt: skip


def test_weighted_group_means_capped_and_the_agreement():
    t = compute.Target(id=1, kind="functional", code="A", agreement=50.0, scores=[
        ("leaders", {"a": 60, "c": 40}), ("leaders", {"a": 40, "c": 20}), ("clients", {"a": 30})])  # fmt: skip
    r = compute.score_target(DEF, t, {"weights": {"leaders": 2, "clients": 1}, "agreement_share": 0.25})
    # a: leaders' mean 50 (weight 2), clients' 30 (weight 1) -> 130 / 3 = 43.33
    assert r.detail["items"]["a"] == {"mean": 43.33, "groups": {"leaders": 50.0, "clients": 30.0}}
    # c: 30 from the leaders; 质量控制 = 0.75 * 30 + 0.25 * 50 % * 40 = 22.5 + 5
    assert r.parts == {"plan": 43.33, "control": 27.5}


def test_quota_by_share_and_ranking_is_deterministic():
    full = [("leaders", {"a": 60, "c": 40}), ("clients", {"a": 60})]
    targets = [compute.Target(id=i, kind="functional", code=c, scores=full) for i, c in ((3, "C"), (1, "B"), (2, "A"))]
    results = compute.grade_all(DEF, targets, {"thresholds": {"excellent": 90, "good": 75, "pass": 60},
                                               "quota": {"mode": "share", "value": 0.5}})  # fmt: skip
    assert [(results[i].rank, results[i].grade) for i in (2, 1, 3)] == [(1, "excellent"), (2, "good"), (3, "good")]
