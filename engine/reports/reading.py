"""Reading the reports: one the user may open (else 404), the lists, a published one for the public, and a
report as the plain dict the exports write (forms/report_exports.py)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import settings
from ..core.errors import N_, NotFound, object_id
from ..models import OrgUnit, Report, User
from ..models.org import SCHOOL
from ..org import policy
from . import data, school


def get_report(session: Session, user: User, principals, report_id) -> Report:
    v = policy.viewer(user, principals)
    stmt = select(Report).where(Report.id == object_id(report_id, N_("报告不存在")))
    if (cond := policy.report_visible(v, Report)) is not None:
        stmt = stmt.where(cond)
    report = session.scalar(stmt)
    if report is None:
        raise NotFound(N_("报告不存在"))
    return report


def visible(session: Session, user: User, principals) -> list[Report]:
    v = policy.viewer(user, principals)
    stmt = select(Report)
    if (cond := policy.report_visible(v, Report)) is not None:
        stmt = stmt.where(cond)
    return list(session.scalars(stmt.order_by(Report.year.desc(), Report.unit_id.is_not(None), Report.id)))


def published(session: Session, year: int | None = None) -> list[Report]:
    """Published reports, the newest year first, the school's before the units'."""
    stmt = select(Report).where(Report.status == "published")
    if year is not None:
        stmt = stmt.where(Report.year == year)
    return list(session.scalars(stmt.order_by(Report.year.desc(), Report.unit_id.is_not(None), Report.id)))


def public_report(session: Session, report_id) -> Report:
    """A published report for anyone; any other id is not found."""
    report = session.get(Report, object_id(report_id, N_("报告不存在")))
    if report is None or report.status != "published":
        raise NotFound(N_("报告不存在"))
    return report


def texts(session: Session, report: Report) -> dict[str, str]:
    return school.assembled(session, report) if report.instance_id else dict(report.body)


def for_export(session: Session, report: Report) -> dict:
    """The report as forms/report_exports.py writes it: headings in order with their text; a school report
    with contributions lists who wrote each section."""
    body = texts(session, report)
    subtitle = f"{unit_label(session, report)}　{report.year}年度"
    out = {"title": report.title, "subtitle": subtitle,
           "sections": [{"title": s["title"], "text": body.get(s["key"], "")} for s in report.sections]}  # fmt: skip
    given = school.contributions(session, report) if report.instance_id else {}
    if given:
        names = {u.id: u.name for u in session.scalars(select(OrgUnit).where(
            OrgUnit.id.in_([c.unit_id for c in given.values() if c.unit_id] or [-1])))}  # fmt: skip
        out["table"] = {
            "title": "编制分工", "head": ["章节", "撰写部门"],
            "rows": [[s["title"], names.get(given[s["key"]].unit_id, "质量管理处")]
                     for s in report.sections if s["key"] in given],
        }  # fmt: skip
    if report.type_key == data.DATA_REPORT:
        out["charts"] = charts_of(session, report)
    if report.published_at:
        tz = settings.of(session).timezone
        out["footer"] = f"发布日期：{report.published_at.astimezone(tz):%Y-%m-%d}"
    return out


def unit_label(session: Session, report: Report) -> str:
    """The unit's name, or for a school report the school's (the root of the unit tree)."""
    if report.unit_id is None:
        root = session.scalar(select(OrgUnit.name).where(OrgUnit.kind == SCHOOL).order_by(OrgUnit.id).limit(1))
        return root or "学校"
    unit = session.get(OrgUnit, report.unit_id)
    return unit.name if unit else ""


def charts_of(session: Session, report: Report) -> list[dict]:
    """The data analysis report's charts (other reports have none)."""
    return data.charts(session, report.year) if report.type_key == data.DATA_REPORT else []
