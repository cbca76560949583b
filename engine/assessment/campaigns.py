"""Campaigns: 人力资源处 opens one (a year, the unit kinds, the latest system version) and the
`assessment_campaign` process runs it (workflows/assessment_campaign.bpmn): 开放评分 (the services here make each
scorer's assignments) → 收集评分 (人力资源处 closes it, or the deadline timer does) → 计算结果 → 审核结果 (人力资源处,
with 党政办公室 and 质量管理处 reading) → 公布结果. Settings, vetoes and 突出贡献 are set until publication.

Scorers come from the organisation: 学校领导 (every school leader), 服务对象 (heads and deputies of the other
职能部门 and 二级学院), 专家委员会 (the expert committee's members), 职能部门 / 二级学院 (heads and deputies of units
of that kind, the assessed unit left out), 学生 (the college's students). Each group but the leaders is a
sample of at most `settings["sample"]` people, drawn by a seeded `random.Random` (the same campaign draws the same).
A campaign on a 2018-extension system (专业/课程, 教师/辅导员/职员) assesses subjects instead; subjects.py names them
and their scorers. 人力资源处 runs every campaign; the extension's lead departments read theirs (CO_ORGANISERS).
"""

from __future__ import annotations

import random
from datetime import datetime, time

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from forms.assessment import DEFAULT_SETTINGS, validate_campaign, validate_reason, validate_settings

from .. import workflow
from ..core import audit, settings
from ..core.errors import N_, Conflict, InvalidInput, NotFound, object_id
from ..cycle import record
from ..models import (
    AssessmentAssignment,
    AssessmentCampaign,
    AssessmentSystem,
    AssessmentTarget,
    FunctionKey,
    HumanTask,
    OrgUnit,
    Role,
    RoleAssignment,
    ScopeType,
    Subject,
    User,
)
from ..notify import note, send
from ..org import committees, functions, policy, positions
from . import compute, subjects, systems, vetoes

PROCESS = "assessment_campaign"
STATUSES = {"scoring": N_("评分中"), "review": N_("审核中"), "published": N_("已公布")}
GRADE_LABELS = {"excellent": N_("优秀"), "good": N_("良好"), "pass": N_("合格"), "fail": N_("不合格")}
UNIT_KINDS = {"functional": "functional_dept", "college": "college"}  # target kind -> the unit's subject type
ORGANISERS = (FunctionKey.HUMAN_RESOURCES, FunctionKey.PARTY_OFFICE, FunctionKey.QUALITY_OFFICE)
# who organises besides 人力资源处, by system kind: the seed's lead departments of the extension's subjects
# (教务处 for 专业/课程 and with 党委学生工作部 and 党政办公室 for 教师/辅导员/职员, annual table 2018 no. 103)
CO_ORGANISERS = {
    "unit": (FunctionKey.PARTY_OFFICE, FunctionKey.QUALITY_OFFICE),
    "program": (FunctionKey.ACADEMIC_AFFAIRS, FunctionKey.QUALITY_OFFICE),
    "staff": (FunctionKey.ACADEMIC_AFFAIRS, FunctionKey.STUDENT_AFFAIRS, FunctionKey.PARTY_OFFICE),
}
HEADS = (Role.HEAD, Role.DEPUTY)
DECISIONS = {"collect": "close", "review": "publish"}  # the organiser's task -> the only decision it takes


def _viewer(user, principals):
    return policy.viewer(user, principals)


def hr_unit(session: Session) -> int | None:
    return functions.holder_id(session, FunctionKey.HUMAN_RESOURCES)


def may_run(session: Session, user: User, principals) -> bool:
    return policy.runs_assessment(_viewer(user, principals), hr_unit(session))


def may_organise(session: Session, user: User, principals, system_kind: str | None = None) -> bool:
    """Whether the user organises campaigns of the system kind (of any kind when None)."""
    keys = {FunctionKey.HUMAN_RESOURCES, *(k for kind, ks in CO_ORGANISERS.items() if system_kind in (None, kind)
                                           for k in ks)}  # fmt: skip
    units = [functions.holder_id(session, key) for key in sorted(keys)]
    return policy.organises_assessment(_viewer(user, principals), units)


def kind_of(session: Session, campaign: AssessmentCampaign) -> str:
    """The campaign's system kind: unit, program or staff."""
    return session.get(AssessmentSystem, campaign.system_id).kind


def organised(session: Session, user: User, principals) -> list[AssessmentCampaign]:
    """The campaigns the user organises, newest first."""
    kinds = [k for k in CO_ORGANISERS if may_organise(session, user, principals, k)]
    return [c for c in list_campaigns(session) if kind_of(session, c) in kinds]


def list_campaigns(session: Session) -> list[AssessmentCampaign]:
    return list(session.scalars(select(AssessmentCampaign).order_by(AssessmentCampaign.year.desc(),
                                                                    AssessmentCampaign.id.desc())))  # fmt: skip


def get_campaign(session: Session, user: User, principals, campaign_id) -> AssessmentCampaign:
    """A campaign for its organisers (and monitors), else NotFound."""
    campaign = session.get(AssessmentCampaign, object_id(campaign_id, N_("考核不存在")))
    if campaign is None or not may_organise(session, user, principals, kind_of(session, campaign)):
        raise NotFound(N_("考核不存在"))
    return campaign


def of_instance(session: Session, instance_id: int) -> AssessmentCampaign | None:
    return session.scalar(select(AssessmentCampaign).where(AssessmentCampaign.instance_id == instance_id))


def targets_of(session: Session, campaign_id: int) -> list[AssessmentTarget]:
    stmt = select(AssessmentTarget).where(AssessmentTarget.campaign_id == campaign_id)
    return list(session.scalars(stmt.order_by(AssessmentTarget.rank.is_(None), AssessmentTarget.rank,
                                              AssessmentTarget.id)))  # fmt: skip


def settings_of(campaign: AssessmentCampaign) -> dict:
    return {**DEFAULT_SETTINGS, **(campaign.settings or {})}


def groups_of(definition: dict) -> list[str]:
    """The scorer groups the system names, in the order of systems.GROUPS."""
    named = {g for _p, item in systems.items_of(definition) for gs in item["scorers"].values() for g in gs}
    return [g for g in systems.GROUPS if g in named]


# -- opening ------------------------------------------------------------------------------------------------


def open_campaign(session: Session, user: User, principals, payload: dict, now: datetime) -> AssessmentCampaign:
    """A new campaign on the latest version of a system (`payload["system"]`: unit, the default, program or
    staff; frozen from now on), its process started."""
    if not may_run(session, user, principals):
        raise NotFound(N_("考核不存在"))
    wanted = payload.get("system") or "unit"
    system = next((s for s in systems.current(session) if s.kind == wanted), None)
    if system is None:
        raise InvalidInput(N_("没有可用的考核指标体系"))
    try:
        clean = validate_campaign(payload, system.definition["targets"], positions.today_of(session, now))
    except ValueError as exc:
        raise InvalidInput(N_("请检查填写的内容"), fields=exc.args[0]) from None
    tz = settings.of(session).timezone
    due = datetime.combine(clean["due"], time(23, 59), tzinfo=tz)
    kinds = "、".join(systems.TARGET_KINDS[k] for k in clean["kinds"])
    campaign = AssessmentCampaign(
        system_id=system.id, year=clean["year"], title=f"{clean['year']}年度{kinds}发展性考核",
        target_kinds=clean["kinds"],
        status="scoring", settings={**DEFAULT_SETTINGS}, scoring_due=due, created_by_id=user.id, created_at=now,
    )  # fmt: skip
    session.add(campaign)
    if system.frozen_at is None:
        system.frozen_at = now
    session.flush()
    instance = workflow.start_instance(session, process_key=PROCESS, actor=user, now=now,
                                       data={"campaign_id": campaign.id, "scoring_due": due.isoformat()})  # fmt: skip
    campaign.instance_id = instance.id
    audit.record(
        session, actor_id=user.id, action="assessment.campaign.open", object_type="assessment_campaign",
        object_id=campaign.id, instance_id=instance.id, now=now,
        after={"year": campaign.year, "kinds": clean["kinds"], "system": system.id, "due": due.isoformat()},
    )  # fmt: skip
    return campaign


def _sample(ids: list[int], size: int, seed: str) -> list[int]:
    """At most `size` of `ids` (sorted and unique, as the scorer pools are), the same ones for the same seed."""
    return ids if len(ids) <= size else sorted(random.Random(seed).sample(ids, size))


def _heads(session: Session, unit_ids) -> list[int]:
    stmt = (
        select(RoleAssignment.user_id).join(User, User.id == RoleAssignment.user_id)
        .where(RoleAssignment.role.in_(HEADS), RoleAssignment.scope_type == ScopeType.UNIT,
               RoleAssignment.scope_id.in_(list(unit_ids) or [-1]), User.active)
    )  # fmt: skip
    return list(session.scalars(stmt))


def school_pool(session: Session) -> dict[str, list[int]]:
    """The groups that are the same for every target, read once per campaign: every active school leader and
    the expert committee."""
    leaders = (
        select(RoleAssignment.user_id)
        .join(User, User.id == RoleAssignment.user_id)
        .where(RoleAssignment.role == Role.SCHOOL_LEADER, User.active)
    )
    return {
        "leaders": list(session.scalars(leaders)),
        "experts": committees.member_user_ids(session, "expert_committee", ("any",), None),
    }


def scorer_pool(
    session: Session, target: AssessmentTarget, units_by_kind: dict[str, list[int]], school: dict[str, list[int]]
) -> dict[str, list]:
    """Who may score the target, by group, before sampling (`school`: `school_pool`)."""
    others = {k: [u for u in ids if u != target.org_unit_id] for k, ids in units_by_kind.items()}
    students = select(User.id).where(User.kind == "student", User.active, User.org_unit_id == target.org_unit_id)
    pool = {
        **school,
        "clients": _heads(session, others["functional"] + others["college"]),
        "departments": _heads(session, others["functional"]),
        "colleges": _heads(session, others["college"]),
        "students": list(session.scalars(students)),
    }
    return {group: sorted(set(ids)) for group, ids in pool.items()}


def _new_targets(session: Session, campaign: AssessmentCampaign, kind: str, units_by_kind: dict[str, list[int]],
                 memo: dict):  # fmt: skip
    """(target, scorer pool, sampling seed) for each unit or subject of the kind, the target added. `memo`: one
    dict for the whole campaign (all its kinds), so what targets share is read once (subjects.scorer_pool)."""
    if "school" not in memo:
        memo["school"] = school_pool(session)
    school = memo["school"]
    if kind in systems.UNIT_TARGETS:
        for unit_id in sorted(units_by_kind.get(kind, [])):
            own = select(func.min(Subject.id)).where(Subject.org_unit_id == unit_id, Subject.type == UNIT_KINDS[kind])
            target = AssessmentTarget(campaign_id=campaign.id, org_unit_id=unit_id, unit_kind=kind,
                                      subject_id=session.scalar(own), parts={}, detail={})  # fmt: skip
            session.add(target)
            session.flush()
            yield target, scorer_pool(session, target, units_by_kind, school), f"{campaign.id}-{unit_id}"
        return
    if "academic" not in memo:
        memo["academic"] = subjects.academic(session)
    school = {**school, "academic": memo["academic"]}
    targets = subjects.targets(session, kind)
    if kind in subjects.PEOPLE:
        memo.setdefault(subjects.PEOPLE_KEY, {}).update(subjects.people_of(session, targets))
    for subject in targets:
        target = AssessmentTarget(campaign_id=campaign.id, org_unit_id=subject.org_unit_id, unit_kind=kind,
                                  subject_id=subject.id, parts={}, detail={})  # fmt: skip
        session.add(target)
        session.flush()
        yield target, subjects.scorer_pool(session, subject, kind, school, memo), f"{campaign.id}-s{subject.id}"


def make_assignments(session: Session, campaign: AssessmentCampaign, now: datetime) -> int:
    """The targets (every active unit, or every subject, of the campaign's kinds) and one assignment per sampled
    scorer and group the system names for the kind."""
    system = session.get(AssessmentSystem, campaign.system_id)
    units = session.execute(
        select(OrgUnit.id, OrgUnit.kind).where(OrgUnit.active, OrgUnit.kind.in_(systems.UNIT_TARGETS))
    ).all()
    units_by_kind = {k: [u for u, uk in units if uk == k] for k in systems.UNIT_TARGETS}
    sample = int(settings_of(campaign)["sample"])
    rows, memo = [], {}
    for kind in campaign.target_kinds:
        wanted = {
            g for _p, item in systems.items_of(system.definition) for g in systems.for_kind(item["scorers"], kind)
        }
        for target, pool, seed in _new_targets(session, campaign, kind, units_by_kind, memo):
            for group in [g for g in systems.GROUPS if g in wanted]:
                found = pool.get(group, [])
                people = found if group == "leaders" else _sample(found, sample, f"{seed}-{group}")
                rows += [{"campaign_id": campaign.id, "target_id": target.id, "scorer_id": uid, "group_key": group,
                          "status": "open", "scores": {}, "comment": ""} for uid in sorted(set(people))]  # fmt: skip
    session.flush()
    if rows:  # one statement (executemany), not an ORM object per assignment: a campaign over every teacher has
        session.execute(insert(AssessmentAssignment), rows)  # thousands
    count = len(rows)
    scorers = session.execute(select(AssessmentAssignment.scorer_id, func.count()).where(
        AssessmentAssignment.campaign_id == campaign.id).group_by(AssessmentAssignment.scorer_id)).all()  # fmt: skip
    what = "个单位" if set(campaign.target_kinds) <= set(systems.UNIT_TARGETS) else "个考核对象"
    send(session, [note(uid, "task", f"{campaign.title}：{n} {what}待您评分", "请在截止日期前完成网上评价。",
                        "/assessment/mine", None, now) for uid, n in scorers])  # fmt: skip
    return count


# -- the process's services and its organisers' task kind (registered in engine/assessment/__init__.py) -------


def _of_step(step: workflow.Step, data: dict) -> AssessmentCampaign:
    campaign = step.session.get(AssessmentCampaign, int(data.get("campaign_id") or 0))
    if campaign is None:
        raise NotFound(N_("考核不存在"))
    return campaign


def open_scoring(step: workflow.Step, params: dict, data: dict) -> dict:
    campaign = _of_step(step, data)
    if step.session.scalar(select(func.count()).where(AssessmentTarget.campaign_id == campaign.id)):
        return {"assignments": 0}  # made already (a retried step)
    return {"assignments": make_assignments(step.session, campaign, step.now)}


def auto_vetoes(session: Session, campaign: AssessmentCampaign, targets: list[AssessmentTarget]) -> None:
    """一票否决: a unit with a quality accident decided 特别严重 in the campaign's year gets the veto, the accident
    named as its reason (engine/assessment/vetoes.py; 一般 and 严重 accidents change nothing)."""
    by_unit = {t.org_unit_id: t for t in targets if not t.veto_reason}
    for unit_id, w in vetoes.critical_accidents(session, campaign.year, by_unit).items():
        by_unit[unit_id].veto_reason = vetoes.reason(session, w)


def recompute(session: Session, campaign: AssessmentCampaign, now: datetime) -> None:
    """Every target's parts, total, rank and grade from the submitted scores and the settings."""
    system = session.get(AssessmentSystem, campaign.system_id)
    targets = targets_of(session, campaign.id)
    submitted = session.execute(select(AssessmentAssignment.target_id, AssessmentAssignment.group_key,
                                       AssessmentAssignment.scores).where(
        AssessmentAssignment.campaign_id == campaign.id, AssessmentAssignment.status == "submitted")).all()  # fmt: skip
    codes = dict(session.execute(select(OrgUnit.id, OrgUnit.code).where(
        OrgUnit.id.in_([t.org_unit_id for t in targets] or [-1]))).all())  # fmt: skip
    subject_codes = dict(session.execute(select(Subject.id, Subject.code).where(
        Subject.id.in_([t.subject_id for t in targets if t.subject_id] or [-1]))).all())  # fmt: skip
    inputs = []
    for t in targets:
        agreement = record.agreement(session, t.subject_id, campaign.year)["subject"] if t.subject_id else None
        inputs.append(compute.Target(
            id=t.id, kind=t.unit_kind, veto=bool(t.veto_reason),
            code=(codes.get(t.org_unit_id) if t.unit_kind in UNIT_KINDS else subject_codes.get(t.subject_id)) or "",
            outstanding=bool(t.outstanding_reason), agreement=agreement,
            scores=[(g, s) for tid, g, s in submitted if tid == t.id],
        ))  # fmt: skip
    results = compute.grade_all(system.definition, inputs, settings_of(campaign))
    for t in targets:
        r = results[t.id]
        t.total, t.parts, t.rank, t.grade = r.total, r.parts, r.rank, r.grade
        t.detail = {**r.detail, "over_line": r.over_line}
    campaign.computed_at = now


def compute_results(step: workflow.Step, params: dict, data: dict) -> dict:
    campaign = _of_step(step, data)
    units = [t for t in targets_of(step.session, campaign.id) if t.unit_kind in systems.UNIT_TARGETS]
    auto_vetoes(step.session, campaign, units)  # a unit's accident; a person's or a major's veto is set by hand
    recompute(step.session, campaign, step.now)
    campaign.status = "review"
    return {"computed": True}


def publish_results(step: workflow.Step, params: dict, data: dict) -> dict:
    campaign = _of_step(step, data)
    recompute(step.session, campaign, step.now)
    campaign.status, campaign.published_at = "published", step.now
    every = targets_of(step.session, campaign.id)
    targets = {t.org_unit_id: t for t in every if t.unit_kind in systems.UNIT_TARGETS}
    heads = step.session.execute(select(RoleAssignment.user_id, RoleAssignment.scope_id).where(
        RoleAssignment.role.in_((*HEADS, Role.REVIEWER)), RoleAssignment.scope_type == ScopeType.UNIT,
        RoleAssignment.scope_id.in_(list(targets) or [-1]))).all()  # fmt: skip
    told = [(uid, targets[unit].id, "可查看本单位的得分与构成。") for uid, unit in heads]
    people = subjects.responsible(step.session, [t.subject_id for t in every if t.unit_kind not in UNIT_KINDS])
    told += [(uid, t.id, "可查看您负责的考核对象的得分与构成。") for t in every if t.unit_kind not in UNIT_KINDS
             for uid in sorted(people.get(t.subject_id, ()))]  # fmt: skip
    send(step.session, [note(uid, "published", f"{campaign.title}结果已公布", body, f"/assessment/results/{tid}",
                             None, step.now) for uid, tid, body in told])  # fmt: skip
    audit.record(
        step.session,
        actor_id=step.actor_id,
        action="assessment.campaign.publish",
        object_type="assessment_campaign",
        object_id=campaign.id,
        instance_id=step.instance.id,
        now=step.now,
    )
    return {"published": True}


def take_decision(session: Session, ht: HumanTask, user: User, payload: dict, now: datetime) -> dict:
    """The organiser's step: 结束评分 (collect) or 公布结果 (review); anything else is refused."""
    wanted = DECISIONS.get(ht.bpmn_id)
    if payload.get("decision") != wanted:
        raise InvalidInput(N_("请从考核页面办理此任务"))
    from ..workflow import readmodel

    readmodel.record_outcome(ht, decision=wanted, comment="")
    return {"decision": wanted}


# -- the organisers' actions ----------------------------------------------------------------------------------


def open_task(session: Session, campaign: AssessmentCampaign) -> HumanTask | None:
    return session.scalar(select(HumanTask).where(HumanTask.instance_id == campaign.instance_id,
                                                  HumanTask.state == "open"))  # fmt: skip


def advance(session: Session, user: User, principals, campaign: AssessmentCampaign, now: datetime) -> str:
    """结束评分 or 公布结果: complete the campaign's open organiser task (its candidates only)."""
    task = open_task(session, campaign)
    if task is None or task.bpmn_id not in DECISIONS:
        raise Conflict(N_("考核当前没有待办理的步骤"))
    workflow.complete_task(session, user, task.id, {"decision": DECISIONS[task.bpmn_id]}, now, principals)
    return task.bpmn_id


def update_settings(
    session: Session, user: User, principals, campaign: AssessmentCampaign, payload: dict, now: datetime
) -> None:
    if not may_run(session, user, principals):
        raise NotFound(N_("考核不存在"))
    if campaign.status == "published":
        raise Conflict(N_("考核结果已公布，不能再修改"))
    system = session.get(AssessmentSystem, campaign.system_id)
    try:
        clean = validate_settings(payload, groups_of(system.definition))
    except ValueError as exc:
        raise InvalidInput(N_("请检查填写的内容"), fields=exc.args[0]) from None
    before = dict(campaign.settings or {})
    campaign.settings = {**settings_of(campaign), **clean}
    if campaign.status == "review":
        recompute(session, campaign, now)
    audit.record(session, actor_id=user.id, action="assessment.campaign.settings", object_type="assessment_campaign",
                 object_id=campaign.id, now=now, before=before, after=campaign.settings)  # fmt: skip


def set_reasons(session: Session, user: User, principals, target_id, payload: dict, now: datetime) -> AssessmentTarget:
    """一票否决 and 突出贡献 of one unit, each with its reason (empty clears it); not both."""
    target = session.get(AssessmentTarget, object_id(target_id, N_("考核对象不存在")))
    if target is None or not may_run(session, user, principals):
        raise NotFound(N_("考核对象不存在"))
    campaign = session.get(AssessmentCampaign, target.campaign_id)
    if campaign.status == "published":
        raise Conflict(N_("考核结果已公布，不能再修改"))
    try:
        veto = validate_reason(payload, "veto_reason")
        outstanding = validate_reason(payload, "outstanding_reason")
    except ValueError as exc:
        raise InvalidInput(N_("请检查填写的内容"), fields=exc.args[0]) from None
    if veto and outstanding:
        raise InvalidInput(
            N_("请检查填写的内容"), fields={"outstanding_reason": [N_("一票否决的单位不能同时认定突出贡献")]}
        )
    before = {"veto": target.veto_reason, "outstanding": target.outstanding_reason}
    target.veto_reason, target.outstanding_reason = veto, outstanding
    if campaign.status == "review":
        recompute(session, campaign, now)
    audit.record(
        session,
        actor_id=user.id,
        action="assessment.target.reasons",
        object_type="assessment_target",
        object_id=target.id,
        now=now,
        before=before,
        after={"veto": veto, "outstanding": outstanding},
    )
    return target
