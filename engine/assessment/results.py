"""Reading results: a unit's result and how it was made up (per part, per scorer group, per item: averages, never
who gave what), the campaign's progress, and the Excel export for the performance-pay scheme (openpyxl)."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core.errors import N_, NotFound, object_id
from ..models import (
    AssessmentAssignment,
    AssessmentCampaign,
    AssessmentSystem,
    AssessmentTarget,
    OrgUnit,
    Subject,
    User,
)
from ..org import policy
from . import campaigns, subjects, summary, systems


def progress(session: Session, campaign_id: int) -> dict[str, dict[str, int]]:
    """Assignments per scorer group: {"group": {"all": n, "submitted": m}}."""
    rows = session.execute(
        select(AssessmentAssignment.group_key, AssessmentAssignment.status, func.count())
        .where(AssessmentAssignment.campaign_id == campaign_id)
        .group_by(AssessmentAssignment.group_key, AssessmentAssignment.status)
    ).all()
    out: dict[str, dict[str, int]] = {}
    for group, status, n in rows:
        entry = out.setdefault(group, {"all": 0, "submitted": 0})
        entry["all"] += n
        entry["submitted"] += n if status == "submitted" else 0
    return {g: out[g] for g in systems.GROUPS if g in out}


def get_target(session: Session, user: User, principals, target_id) -> AssessmentTarget:
    """A result: its campaign's organisers always; once published, a unit's own people, a subject's responsible
    person and its unit's heads, and the school leaders."""
    target = session.get(AssessmentTarget, object_id(target_id, N_("考核结果不存在")))
    if target is None:
        raise NotFound(N_("考核结果不存在"))
    campaign = session.get(AssessmentCampaign, target.campaign_id)
    if campaigns.may_organise(session, user, principals, campaigns.kind_of(session, campaign)):
        return target
    if campaign.status == "published":
        v = policy.viewer(user, principals)
        if target.unit_kind in systems.UNIT_TARGETS:
            if policy.reads_unit_result(v, target.org_unit_id):
                return target
        elif policy.reads_subject_result(
            v, target.org_unit_id, subjects.responsible(session, [target.subject_id]).get(target.subject_id, set())
        ):
            return target
    raise NotFound(N_("考核结果不存在"))


def own_results(session: Session, user: User, principals) -> list[tuple[AssessmentTarget, AssessmentCampaign]]:
    """The published results the user reads as a unit's person (their unit and units they hold a position in),
    and those of the 专业, 课程 and own subject they are responsible for."""
    v = policy.viewer(user, principals)
    if v.is_student:
        return []
    units = set(v.own_units) | v.units(*policy.assessment.UNIT_ROLES)
    mine = (
        AssessmentTarget.unit_kind.in_(systems.UNIT_TARGETS) & AssessmentTarget.org_unit_id.in_(sorted(units) or [-1])
    ) | (
        AssessmentTarget.unit_kind.not_in(systems.UNIT_TARGETS)
        & AssessmentTarget.subject_id.in_(subjects.led_by(session, user.id) or [-1])
    )
    stmt = (
        select(AssessmentTarget, AssessmentCampaign)
        .join(AssessmentCampaign, AssessmentCampaign.id == AssessmentTarget.campaign_id)
        .where(AssessmentCampaign.status == "published", mine)
        .order_by(AssessmentCampaign.year.desc(), AssessmentTarget.id)
    )
    return [tuple(r) for r in session.execute(stmt)]


def target_names(session: Session, targets) -> dict[int, str]:
    """What each target is called: the unit's name, or the subject's (the 专业, the 课程, the person)."""
    targets = list(targets)
    units = dict(session.execute(select(OrgUnit.id, OrgUnit.name).where(
        OrgUnit.id.in_({t.org_unit_id for t in targets} or {-1}))).all())  # fmt: skip
    named = dict(session.execute(select(Subject.id, Subject.name).where(
        Subject.id.in_({t.subject_id for t in targets if t.subject_id} or {-1}))).all())  # fmt: skip
    return {t.id: (units.get(t.org_unit_id, "") if t.unit_kind in systems.UNIT_TARGETS else
                   named.get(t.subject_id, "")) for t in targets}  # fmt: skip


def breakdown(session: Session, target: AssessmentTarget) -> dict:
    """How the result was made up: each part with its max and score, each item with its mean and group means."""
    campaign = session.get(AssessmentCampaign, target.campaign_id)
    system = session.get(AssessmentSystem, campaign.system_id)
    items = (target.detail or {}).get("items", {})
    parts = []
    for part in system.definition["parts"]:
        rows = [{"item": item, "observation": systems.for_kind(item["observation"], target.unit_kind),
                 "scorers": systems.for_kind(item["scorers"], target.unit_kind),
                 "means": items.get(item["key"], {}).get("groups", {}), "mean": items.get(item["key"], {}).get("mean")}
                for item in part["items"]]  # fmt: skip
        parts.append({"part": part, "max": systems.part_max(part), "score": (target.parts or {}).get(part["key"]),
                      "rows": rows})  # fmt: skip
    return {"campaign": campaign, "system": system, "parts": parts, "agreement": items.get("_agreement"),
            "unit": session.get(OrgUnit, target.org_unit_id),
            "name": target_names(session, [target])[target.id]}  # fmt: skip


def export_xlsx(session: Session, campaign: AssessmentCampaign, labels: dict) -> bytes:
    """The campaign's results, one row per unit in rank order: parts, total, grade, veto / 突出贡献 reasons."""
    system = session.get(AssessmentSystem, campaign.system_id)
    parts = system.definition["parts"]
    targets = campaigns.targets_of(session, campaign.id)
    names, units = target_names(session, targets), unit_names(session)
    wb = Workbook()
    ws = wb.active
    ws.title = "考核结果"
    head = (
        ["名次", "考核对象", "所在单位", "类别"]
        + [f"{p['name']}（{systems.part_max(p):g}）" for p in parts]
        + ["总分", "等次", "一票否决", "突出贡献"]
    )
    ws.append([campaign.title])
    ws.append(head)
    ws["A1"].font = Font(bold=True, size=14)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for t in targets:
        ws.append(
            [t.rank, names[t.id], units.get(t.org_unit_id, ""), labels["kinds"].get(t.unit_kind, t.unit_kind)]
            + [(t.parts or {}).get(p["key"]) for p in parts]
            + [t.total, labels["grades"].get(t.grade, ""), t.veto_reason or "", t.outstanding_reason or ""]
        )
    ws.column_dimensions["B"].width = 22
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def unit_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(OrgUnit.id, OrgUnit.name)).all())


def trend(session: Session, target: AssessmentTarget) -> list[dict]:
    """The unit's published results, one per campaign year, oldest first: {"year", "total", "grade", "grade_label",
    "target_id"} (the result page's trend; every one is readable by whoever reads this unit's result)."""
    found = summary.unit_trend(session, [target.org_unit_id])
    return [{"year": year, **r} for (year, _unit), r in sorted(found.items())]
