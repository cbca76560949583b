"""A 职能部门's or 二级学院's own yearly reports: its 内部质量保证体系诊断与改进报告, prefilled from the year's
self-diagnoses and upper-level reviews of the unit's subjects (engine/cycle/record.py), and a college's
校企协同育人报告. The unit's staff write and publish them; the college's 人才培养质量报告 is the cycle's
step 10 document."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.reports import validate_body, validate_year

from ..core import audit
from ..core.errors import N_, InvalidInput, NotAllowed, NotFound, object_id
from ..cycle import record
from ..cycle.review import RATING_LABELS
from ..models import OrgUnit, Report, Subject, User
from ..org import policy
from . import catalogue, school


def writable_units(session: Session, user: User, principals) -> list[OrgUnit]:
    """The 职能部门 and 二级学院 whose reports the user writes (all of them for 质量管理处 and monitors)."""
    v = policy.viewer(user, principals)
    stmt = select(OrgUnit).where(OrgUnit.kind.in_(catalogue.UNIT_KINDS), OrgUnit.active.is_(True))
    if not policy.manages_reports(v):
        stmt = stmt.where(OrgUnit.id.in_(sorted(policy.report_writer_units(v)) or [-1]))
    return list(session.scalars(stmt.order_by(OrgUnit.kind, OrgUnit.code)))


def _unit(session: Session, user: User, principals, unit_id) -> OrgUnit:
    units = {u.id: u for u in writable_units(session, user, principals)}
    unit = units.get(object_id(unit_id, N_("部门不存在")))
    if unit is None:
        raise NotFound(N_("部门不存在"))
    return unit


def prefill(session: Session, unit: OrgUnit, year: int) -> dict[str, str]:
    """The diagnosis report's sections from the year's records of the unit's subjects: each item's
    self-diagnosis conclusion, the upper-level opinion, the items rated 基本达成 / 未达成, the next measures."""
    subjects = session.scalars(
        select(Subject).where(Subject.org_unit_id == unit.id, Subject.type.in_(("functional_dept", "college",
                                                                                  "major", "course")))
        .order_by(Subject.type, Subject.id)
    )  # fmt: skip
    diagnosed, reviewed, problems, measures, names = [], [], [], [], []
    for subject in subjects:
        docs = record.documents_of(session, subject.id, year)
        diag = docs["diagnosis"].data if "diagnosis" in docs else None
        upper = docs["upper_review"].data if "upper_review" in docs else None
        if not diag and not upper:
            continue
        names.append(subject.name)
        for row in (diag or {}).get("rows", []):
            c = row.get("cells", {})
            if c.get("conclusion"):
                rating = RATING_LABELS.get(c.get("rating"), "")
                diagnosed.append(f"{subject.name} · {row.get('label', '')}：{c['conclusion']}"
                                 + (f"（自评{rating}）" if rating else ""))  # fmt: skip
            if c.get("next_measures"):
                measures.append(f"{subject.name} · {row.get('label', '')}：{c['next_measures']}")
        for row in (upper or {}).get("rows", []):
            c = row.get("cells", {})
            if c.get("opinion"):
                reviewed.append(f"{subject.name} · {row.get('label', '')}：{c['opinion']}")
            if c.get("rating") in ("partly", "unmet"):
                problems.append(f"{subject.name} · {row.get('label', '')}（{RATING_LABELS[c['rating']]}）："
                                f"{c.get('opinion', '')}")  # fmt: skip
    basics = f"{unit.name}{year}年度参加诊断与改进的诊改主体：{'、'.join(names)}。" if names else ""
    return {
        "basics": basics, "self_diagnosis": "\n".join(diagnosed), "upper_review": "\n".join(reviewed),
        "problems": "\n".join(problems), "measures": "\n".join(measures),
    }  # fmt: skip


def open_report(session: Session, user: User, principals, unit_id, type_key, year_raw, now: datetime) -> Report:
    """The unit's report of a type for a year, written now if it does not exist yet (the diagnosis report
    prefilled)."""
    unit = _unit(session, user, principals, unit_id)
    rtype = catalogue.get_type(session, type_key)
    if rtype not in catalogue.for_unit(session, unit.kind):
        raise NotFound(N_("报告类型不存在"))
    try:
        year = validate_year(year_raw)
    except ValueError as exc:
        raise InvalidInput(N_("请检查填写的内容"), fields=exc.args[0]) from None
    found = session.scalar(select(Report).where(Report.type_key == rtype.key, Report.year == year,
                                                Report.unit_id == unit.id))  # fmt: skip
    if found is not None:
        return found
    sections = [dict(s) for s in rtype.sections]
    filled = prefill(session, unit, year) if rtype.key == catalogue.UNIT_DIAGNOSIS else {}
    report = Report(
        type_key=rtype.key, year=year, unit_id=unit.id, title=f"{unit.name}{year}年度{rtype.title}", status="draft",
        sections=sections, body={s["key"]: filled.get(s["key"], "") for s in sections}, created_at=now,
        updated_at=now, updated_by_id=user.id,
    )  # fmt: skip
    session.add(report)
    session.flush()
    audit.record(session, actor_id=user.id, action="report.open", object_type="report", object_id=report.id,
                 now=now, after={"type": rtype.key, "year": year, "unit": unit.id})  # fmt: skip
    return report


def may_write(session: Session, user: User, principals, report: Report) -> bool:
    """A draft written directly (a unit's report, a school report other than the process's)."""
    if report.status != "draft":
        return False
    v = policy.viewer(user, principals)
    if report.unit_id is None:
        return policy.manages_reports(v)
    return policy.manages_reports(v) or report.unit_id in policy.report_writer_units(v)


def save(session: Session, user: User, principals, report: Report, payload, publish: bool, now: datetime) -> Report:
    """Save a draft's text; `publish`: every section must be written, then it is published."""
    if not may_write(session, user, principals, report):
        raise NotAllowed(N_("该报告当前不能修改"))
    try:
        report.body = validate_body(report.sections, payload, required=publish)
    except ValueError as exc:
        raise InvalidInput(N_("请检查填写的内容"), fields=exc.args[0]) from None
    report.updated_at, report.updated_by_id = now, user.id
    if publish:
        school.publish(session, report, user.id, now)
    return report
