"""What a school report's sections start with when it is started, so a department edits rather than writes
from nothing: the 人才培养状态数据分析报告 from the collected data (the yearly figures of the charts in data.py),
the 内部质量保证体系诊断与改进报告 from the units' published diagnosis reports of the year, the 校企协同育人年度报告
from the colleges' published 校企协同育人报告. A section without a source starts empty."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.reports import MAX_TEXT

from ..models import OrgUnit, Report
from ..models.org import COLLEGE, FUNCTIONAL
from . import catalogue, data

# school report type -> (the units' report type it reads, {section: (unit kind or "" for both, source sections)})
FROM_UNITS = {
    catalogue.DIAGNOSIS: (catalogue.UNIT_DIAGNOSIS, {
        "functional": (FUNCTIONAL, ("self_diagnosis", "upper_review", "problems")),
        "colleges": (COLLEGE, ("self_diagnosis", "upper_review", "problems")),
        "problems": ("", ("problems",)), "measures": ("", ("measures",)),
    }),
    catalogue.ENTERPRISE: ("college_enterprise", {
        "overview": (COLLEGE, ("overview",)), "cultivation": (COLLEGE, ("cultivation",)),
        "colleges": (COLLEGE, ("enterprises", "cultivation")), "problems": (COLLEGE, ("problems",)),
    }),
}  # fmt: skip
# the data analysis report: section -> the indicators (data.INDICATORS' feed keys) it summarises
FROM_DATA = {
    "overview": tuple(i[0] for i in data.INDICATORS), "students": ("student_attendance",),
    "teaching": ("teaching_evaluation", "student_attendance"), "faculty": ("teacher_attendance", "teaching_workload"),
}  # fmt: skip


def texts(session: Session, report: Report) -> dict[str, str]:
    """The starting text of each section of a school report just created (only the keys that have one)."""
    if report.type_key == catalogue.DATA:
        out = _from_data(session, report.year)
    elif report.type_key in FROM_UNITS:
        out = _from_units(session, report.year, *FROM_UNITS[report.type_key])
    else:
        out = {}
    keys = {s["key"] for s in report.sections}
    return {k: v[:MAX_TEXT] for k, v in out.items() if k in keys and v}


def _from_units(session: Session, year: int, source: str, plan: dict) -> dict[str, str]:
    rows = session.execute(
        select(Report, OrgUnit).join(OrgUnit, OrgUnit.id == Report.unit_id)
        .where(Report.type_key == source, Report.year == year, Report.status == "published")
        .order_by(OrgUnit.kind, OrgUnit.code)
    ).all()  # fmt: skip
    out = {}
    for key, (kind, wanted) in plan.items():
        parts = []
        for report, unit in rows:
            if kind and unit.kind != kind:
                continue
            titles = {s["key"]: s["title"] for s in report.sections}
            lines = [f"{titles.get(k, k)}：{report.body[k]}" for k in wanted if (report.body or {}).get(k)]
            if lines:
                parts.append(f"【{unit.name}】\n" + "\n".join(lines))
        out[key] = "\n".join(parts)
    return out


def _from_data(session: Session, year: int) -> dict[str, str]:
    lines = {}
    for feed_key, field, title, unit in data.INDICATORS:
        values = data.monthly_means(session, feed_key, field, year)
        months = [(m, v) for m, v in enumerate(values, start=1) if v is not None]
        if not months:
            lines[feed_key] = f"{title}：本年度暂无采集数据。"
            continue
        mean = round(sum(v for _m, v in months) / len(months), 1)
        high, low = max(months, key=lambda p: p[1]), min(months, key=lambda p: p[1])
        spread = "" if high[1] == low[1] else f"，最高 {high[0]}月 {high[1]}{unit}，最低 {low[0]}月 {low[1]}{unit}"
        lines[feed_key] = f"{title}：全年平均 {mean}{unit}{spread}（{len(months)} 个月有数据）。"
    out = {key: "\n".join(lines[f] for f in feeds) for key, feeds in FROM_DATA.items()}
    out["overview"] = f"{year}年度平台采集的状态数据（见附图）：\n" + out["overview"]
    return out
