"""The developmental assessment over the years: a unit's result page shows its published totals and grades per
campaign year (table and line chart) and links to each year's result; the 质量看板 draws the assessment's trend
(the school's mean on the overview, the unit's total on its page). Two published years and an unpublished one."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html import unescape

from sqlalchemy import select

from engine.assessment import campaigns, summary, systems
from engine.models import AssessmentCampaign, AssessmentTarget, OrgUnit
from engine.warnings import service as warnings
from tests.conftest import NOW, page

RESULTS = {  # year -> status, {unit code: (total, grade)}
    2024: ("review", {"DZXY": (150.0, "pass")}),
    2025: ("published", {"DZXY": (240.5, "good"), "RJXY": (210.0, "pass")}),
    2026: ("published", {"DZXY": (275.0, "excellent"), "RJXY": (190.0, "fail")}),
}


def _campaigns(session) -> dict[tuple[int, str], AssessmentTarget]:
    """The campaigns and their results as rows: the smallest state the trend reads."""
    system = next(s for s in systems.current(session) if s.kind == "unit")
    units = dict(session.execute(select(OrgUnit.code, OrgUnit.id)).all())
    out = {}
    for year, (status, rows) in RESULTS.items():
        c = AssessmentCampaign(
            system_id=system.id, year=year, title=f"{year}年度发展性考核", target_kinds=["functional", "college"],
            status=status, settings={}, scoring_due=NOW, created_at=NOW - timedelta(days=400 * (2026 - year) + 1),
            published_at=NOW if status == "published" else None,
        )  # fmt: skip
        session.add(c)
        session.flush()
        for code, (total, grade) in rows.items():
            t = AssessmentTarget(campaign_id=c.id, org_unit_id=units[code], unit_kind="college", total=total,
                                 grade=grade, parts={}, detail={})  # fmt: skip
            session.add(t)
            out[(year, code)] = t
    session.flush()
    return out


def _charts(html: str) -> dict:
    return json.loads(unescape(re.search(r'data-charts="([^"]+)"', html).group(1)))


def test_a_unit_s_result_page_shows_every_published_year(session, login_as):
    targets = _campaigns(session)
    dzxy = targets[(2026, "DZXY")].org_unit_id
    found = summary.unit_trend(session, [dzxy])
    assert sorted(found) == [(2025, dzxy), (2026, dzxy)]  # not 2024's: that campaign is not published
    assert found[(2026, dzxy)]["grade_label"] == "优秀"

    college = login_as("dzxy_reviewer")
    own = page(college, "/assessment/")
    link = re.search(rf'href="(/assessment/results/{targets[(2026, "DZXY")].id})"', own).group(1)
    html = page(college, link)
    rows = re.findall(r'data-testid="trend-row" data-year="(\d+)">(.*?)</tr>', html, re.S)
    assert [y for y, _r in rows] == ["2025", "2026"]
    assert "240.50" in rows[0][1] and "良好" in rows[0][1] and "275.00" in rows[1][1] and "优秀" in rows[1][1]
    assert "（本次）" in rows[1][1]
    chart = _charts(html)
    assert chart["years"] == ["2025", "2026"] and chart["series"][0]["values"] == [240.5, 275.0]
    assert "quality_trends.js" in html and "/static/charts.js?v=" in html  # the common ECharts set-up first
    earlier = page(college, re.search(r'href="([^"]+)">2025</a>', rows[0][1]).group(1))
    assert "2025年度发展性考核" in earlier and 'data-testid="trend-chart"' in earlier
    page(college, f"/assessment/results/{targets[(2026, 'RJXY')].id}", 404)  # another college's result


def test_the_quality_view_draws_the_assessment_trend(session, login_as):
    targets = _campaigns(session)
    leader = login_as("xiaozhang")
    overview = page(leader, "/quality/leaders/?year=2026")
    charts = _charts(overview)
    (line,) = [s for s in charts["series"] if s["key"] == "assessment"]
    assert line["name"] == "发展性考核平均分" and line["unit"] == "分"
    at = {y: v for y, v in zip(charts["years"], line["values"], strict=True)}
    assert at["2024"] is None and at["2025"] == round((240.5 + 210) / 2, 1) and at["2026"] == (275 + 190) / 2
    total = re.search(r'data-testid="total-assessment"[^>]*>([^<]+)<', overview).group(1)
    assert total == "232.5"  # this year's mean of the two colleges' totals
    unit_link = re.search(r'data-unit="DZXY">\s*<td[^>]*><a href="([^"]+)"', overview).group(1)
    unit_page = page(leader, unit_link)
    (own,) = [s for s in _charts(unit_page)["series"] if s["key"] == "assessment"]
    assert own["name"] == "发展性考核总分" and own["values"][-2:] == [240.5, 275.0]
    assert targets[(2024, "DZXY")].total == 150.0 and 150.0 not in own["values"]


def test_the_result_page_names_the_critical_accident_that_vetoed_the_unit(session, login_as):
    targets = _campaigns(session)
    rjxy, dzxy = targets[(2026, "RJXY")], targets[(2026, "DZXY")]
    for title, grade, unit_id in (
        ("实训室火灾", "critical", rjxy.org_unit_id),
        ("教材错发", "serious", dzxy.org_unit_id),
    ):
        warnings.create(session, kind="quality_accident", level="red", title=title, description="",
                        org_unit_id=unit_id, now=NOW, source="manual",
                        details={"procedure": {"stage": "decided", "grade": grade}})  # fmt: skip
    campaign = session.get(AssessmentCampaign, rjxy.campaign_id)
    campaigns.auto_vetoes(session, campaign, campaigns.targets_of(session, campaign.id))
    session.flush()
    html = page(login_as("rjxy_reviewer"), f"/assessment/results/{rjxy.id}")
    veto = re.search(r'data-testid="veto">([^<]+)<', html).group(1)
    assert "一票否决：特别严重质量事故：实训室火灾" in veto
    assert 'data-testid="veto"' not in page(login_as("dzxy_reviewer"), f"/assessment/results/{dzxy.id}")  # 严重
