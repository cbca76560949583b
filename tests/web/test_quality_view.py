"""质量评价 › 质量看板 (issue #18): the school leaders' view per year and unit, its drill-down to the documents,
who may open it, and the other parts' columns through fake providers."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from engine import feeds, quality
from engine.cycle import record
from engine.models import (
    Document,
    DocumentStatus,
    DocumentVersion,
    FeedDefinition,
    OrgUnit,
    RoleAssignment,
    Subject,
    User,
)
from engine.supervision import surveys
from engine.warnings import service as warnings
from tests.conftest import NOW, login, page

GRADUATION = [
    {"key": k, "label": label, "type": "number", "unit": "", "min": None, "max": None}
    for k, label in (("graduated", "毕业"), ("employed", "就业"), ("certificates", "证书"))
]


def unit(session, code) -> OrgUnit:
    return session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def row_of(html: str, code: str) -> str:
    return re.search(rf'<tr data-testid="unit-row" data-unit="{code}">(.*?)</tr>', html, re.S).group(1)


def cell(row: str, testid: str, tag: str = "td") -> str:
    found = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</{tag}>', row, re.S).group(1)
    return re.sub(r"<[^>]+>|\s+", "", found)


def warn(session, unit_id, level, title, days_ago=1, resolved=False):
    w = warnings.create(session, kind="quality_accident", level=level, title=title, description="",
                        org_unit_id=unit_id, now=NOW - timedelta(days=days_ago), source="manual")  # fmt: skip
    if resolved:
        w.status, w.resolved_at = "resolved", NOW - timedelta(hours=1)
    return w


def publish_review(session, subject: Subject, doc_type: str, ratings: list[str]) -> Document:
    data = {"rows": [{"id": f"r{i}", "label": f"项目{i}", "cells": {"rating": r, "opinion": "意见"}}
                     for i, r in enumerate(ratings)]}  # fmt: skip
    doc = Document(subject_id=subject.id, doc_type=doc_type, period=record.period_of(session, 2026), title="复核",
                   template_key=f"x_{doc_type}", template_version=1, status=DocumentStatus.PUBLISHED, data=data,
                   published_version=1, created_at=NOW, updated_at=NOW)  # fmt: skip
    session.add(doc)
    session.flush()
    session.add(DocumentVersion(document_id=doc.id, version=1, data=data, template_key=doc.template_key,
                                template_version=1, published_at=NOW))  # fmt: skip
    session.flush()
    return doc


def graduation_feed(session) -> FeedDefinition:
    feed = session.scalar(select(FeedDefinition).where(FeedDefinition.key == "graduation"))
    if feed is None:
        feed = FeedDefinition(key="graduation", name="毕业生", lead_function="academic_affairs", source_kind="student",
                              provider="教务处", fields=GRADUATION, delivery=["api"], updated_at=NOW)  # fmt: skip
        session.add(feed)
        session.flush()
    return feed


def students_of(session, code) -> list[str]:
    u = unit(session, code)
    return session.scalars(
        select(User.username).where(User.kind == "student", User.org_unit_id == u.id).order_by(User.username)
    ).all()


@pytest.fixture
def known(session):
    """DZB: one red and two yellow open warnings (and one resolved); its unit subject's upper review 基本达成;
    电子与物联网学院: a graduate survey and four graduation records (3 graduated, 2 of them employed)."""
    dzb, dzxy = unit(session, "DZB"), unit(session, "DZXY")
    warn(session, dzb.id, "red", "红色事故")
    warn(session, dzb.id, "yellow", "黄色事故一")
    warn(session, dzb.id, "yellow", "黄色事故二", days_ago=400)  # raised last year, still open
    warn(session, dzb.id, "red", "已解除事故", resolved=True)
    subject = session.scalar(select(Subject).where(Subject.org_unit_id == dzb.id, Subject.type == "functional_dept"))
    publish_review(session, subject, "diagnosis", ["met", "met"])
    publish_review(session, subject, "upper_review", ["met", "partly"])
    surveys.import_workbook(
        session,
        "graduate",
        2026,
        "某机构",
        [["电子与物联网学院", "", "总体满意度", 100, 90.0], ["电子与物联网学院", "", "教学满意度", 300, 94.0]],
        NOW,
    )
    feed = graduation_feed(session)
    names = students_of(session, "DZXY")[:4]
    values = [
        {"graduated": 1, "employed": 1, "certificates": 2},
        {"graduated": 1, "employed": 1, "certificates": 0},
        {"graduated": 1, "employed": 0, "certificates": 1},
        {"graduated": 0, "employed": 0, "certificates": 0},
    ]
    records = [{"record_key": f"G-{n}", "source": n, "occurred_on": "2026-07-01", "values": v}
               for n, v in zip(names, values, strict=True)]  # fmt: skip
    assert feeds.ingest(session, feed, records, "api", NOW)["created"] == 4
    return {"dzb": dzb, "dzxy": dzxy}


def test_the_overview_shows_each_unit_s_figures_and_the_school_total(app, session, known):
    client = login(app.test_client(), "xiaozhang")
    hub = page(client, "/quality/")
    html = page(client, re.search(r'href="([^"]+)" data-testid="leaders-link"', hub).group(1))
    assert "2026 年度质量看板" in html
    dzb = row_of(html, "DZB")
    assert [cell(dzb, f"warnings-{lv}", "span") for lv in ("red", "yellow", "blue")] == ["1", "2", "0"]
    assert cell(dzb, "upper-review") == "1(0/1/0)"  # one review, 基本达成 (its worst item)
    assert cell(dzb, "agreement") == "75%"  # met/met against met/partly: (100 + 50) / 2
    college = row_of(html, "DZXY")
    assert cell(college, "survey-graduate") == "93%"  # (100 × 90 + 300 × 94) / 400
    assert cell(college, "indicator-graduation_rate") == "75%"  # 3 of 4
    assert cell(college, "indicator-employment_rate") == "66.7%"  # 2 of the 3 graduates
    assert cell(college, "indicator-certificate_rate") == "50%"
    assert cell(dzb, "indicator-graduation_rate") == "—"
    total = re.search(r'data-testid="total-row">(.*?)</tr>', html, re.S).group(1)
    assert cell(total, "total-graduation_rate") == "75%"
    assert cell(dzb, "assessment") == "—"  # the part is installed; no campaign in this year
    assert 'data-testid="trend-charts"' in html and "echarts.common.min.js" in html and "/static/charts.js?v=" in html


def test_the_unit_page_lists_its_warnings_reviews_and_indicators(app, session, known):
    client = login(app.test_client(), "zlc_admin")
    html = page(client, "/quality/leaders/?year=2026")
    dzb = row_of(html, "DZB")
    unit_page = page(client, re.search(r'href="([^"]+)" data-testid="unit-link"', dzb).group(1))
    assert unit_page.count('data-testid="warning-row"') == 4  # three open, one resolved this year
    assert "黄色事故二" in unit_page and "已解除事故" in unit_page
    reviews = re.sub(r"<[^>]+>|\s+", "", re.search(r'data-testid="unit-reviews">(.*?)</div></div>', unit_page,
                                                   re.S).group(1))  # fmt: skip
    assert "1(0/1/0)" in reviews and "吻合度75%" in reviews
    college = page(client, f"/quality/leaders/units/{known['dzxy'].id}?year=2026")
    assert re.search(r'data-testid="unit-indicator-graduation_rate"><td>毕业率</td><td class="text-end">75%', college)
    assert "93%" in college


def test_a_year_without_data_renders_and_a_bad_year_says_so(app, session, known):
    client = login(app.test_client(), "xiaozhang")
    empty = page(client, "/quality/leaders/?year=2021")
    assert "2021 年度质量看板" in empty and 'data-testid="unit-row"' in empty
    assert 'data-testid="indicator-head-graduation_rate"' not in empty
    assert 'data-testid="year-selector"' in empty and '<option value="2021" selected>' in empty
    bad = page(client, "/quality/leaders/?year=abc")
    assert "年度无效，已显示本年度" in bad and "2026 年度质量看板" in bad
    assert "年度无效" in page(client, f"/quality/leaders/units/{known['dzb'].id}?year=3000")
    unit_empty = page(client, f"/quality/leaders/units/{known['dzb'].id}?year=2021")
    assert 'data-testid="no-subjects"' in unit_empty


@pytest.mark.parametrize("username", ["t01", "s01", "dzxy_reviewer"])
def test_teachers_students_and_college_heads_get_404(app, session, username):
    client = login(app.test_client(), username)
    page(client, "/quality/leaders/", 404)
    page(client, f"/quality/leaders/units/{unit(session, 'DZXY').id}", 404)
    assert 'data-testid="card-leaders"' not in page(client, "/quality/")


def test_a_leader_in_charge_sees_only_the_units_they_lead(app, session):
    dzxy, rjxy = unit(session, "DZXY"), unit(session, "RJXY")
    leader = session.scalar(select(User).where(User.username == "t05"))
    session.add(RoleAssignment(user_id=leader.id, role="leader_in_charge", scope_type="unit", scope_id=dzxy.id))
    session.flush()
    client = login(app.test_client(), "t05")
    assert 'data-testid="card-leaders"' in page(client, "/quality/")
    html = page(client, "/quality/leaders/")
    assert html.count('data-testid="unit-row"') == 1 and 'data-unit="DZXY"' in html and 'data-testid="led-mark"' in html
    page(client, f"/quality/leaders/units/{dzxy.id}")
    page(client, f"/quality/leaders/units/{rjxy.id}", 404)
    page(client, f"/quality/leaders/units/{unit(session, 'JWC01').id}", 404)  # a 科室 is no unit of the view


def fakes(dzb_id, dzxy_id):
    return {
        "assessment": lambda s, y: {dzb_id: {"total": 281.5, "grade": "excellent", "grade_label": "优秀",
                                             "parts": {"质量计划": 95.0}, "published": True}},
        "credits": lambda s, y: {dzxy_id: {"students": 20, "met": 15, "rate": 0.75, "graduating_below": 2}},
        "reports": lambda s, y: [
            {"id": 1, "title": "电子与物联网学院人才培养质量报告", "year": y, "unit_id": dzxy_id, "published_at": NOW,
             "url": "/reports/public/1"},
            {"id": 2, "title": "学校人才培养质量年度报告", "year": y, "unit_id": None, "published_at": NOW,
             "url": "/reports/public/2"}],
    }  # fmt: skip


def test_the_other_parts_columns_show_when_their_providers_are_there(app, session, monkeypatch):
    dzb, dzxy = unit(session, "DZB"), unit(session, "DZXY")
    monkeypatch.setattr(quality.view, "providers", lambda: fakes(dzb.id, dzxy.id))
    client = login(app.test_client(), "xiaozhang")
    html = page(client, "/quality/leaders/")
    assert cell(row_of(html, "DZB"), "assessment") == "281.5·优秀"
    assert cell(row_of(html, "DZXY"), "credits") == "75%(2)"
    assert "电子与物联网学院人才培养质量报告" in row_of(html, "DZXY")
    assert 'href="/reports/public/2"' in re.search(r'data-testid="total-row">(.*?)</tr>', html, re.S).group(1)
    college = page(client, f"/quality/leaders/units/{dzxy.id}")
    assert "15 / 20 名学生达标，2 名毕业生未达标" in college and 'href="/reports/public/1"' in college


def test_without_the_other_parts_the_view_has_no_such_columns(session):
    data = quality.overview(session, 2026, NOW, None, found={})
    assert data["optional"] == [] and "graduation_rate" not in [i.key for i in data["indicators"]]
    assert {r["unit"].code for r in data["rows"]} >= {"DZB", "JWC", "DZXY", "RJXY"}


@pytest.mark.parametrize("username", ["xiaozhang", "zlc_admin"])
def test_leaders_walk_from_the_overview_to_a_document(demo_year_app, username):
    client = login(demo_year_app.test_client(), username)
    html = page(client, "/quality/leaders/?year=2026")
    charts = json.loads(unescape(re.search(r'data-charts="([^"]+)"', html).group(1)))
    graduates = next(s for s in charts["series"] if s["key"] == "survey_graduate")
    assert charts["years"][0] == "2022" and None not in graduates["values"][:4]  # the demo's earlier years
    rjxy = row_of(html, "RJXY")
    unit_page = page(client, re.search(r'href="([^"]+)" data-testid="unit-link"', rjxy).group(1))
    assert 'data-testid="subject-row"' in unit_page
    doc = re.search(r'href="([^"]+)" data-testid="document-link"', unit_page).group(1)
    page(client, doc)
    page(client, re.search(r'href="([^"]+)" data-testid="record-link"', unit_page).group(1))
    survey = re.search(r'data-testid="unit-survey-employer">.*?href="([^"]+)"', unit_page, re.S).group(1)
    page(client, survey)


def test_the_demo_s_assessment_and_credits_reach_the_leaders_view(demo_year_app):
    """The real parts behind the optional columns: last year's published campaign (a veto and a direct 优秀) and
    this year's credit standing with the graduating class's one student below the standard."""
    client = login(demo_year_app.test_client(), "xiaozhang")
    last = page(client, f"/quality/leaders/?year={NOW.year - 1}")
    assert cell(row_of(last, "JHC"), "assessment").endswith("不合格")  # vetoed: a 特别严重 accident last year
    charts = json.loads(unescape(re.search(r'data-charts="([^"]+)"', last).group(1)))
    (assessed,) = [s for s in charts["series"] if s["key"] == "assessment"]
    assert [v is not None for v in assessed["values"][-3:]] == [False, True, True]  # two published years
    hr = login(demo_year_app.test_client(), "rsc_reviewer")
    units = rf'href="(/assessment/campaigns/\d+)">{NOW.year - 1}年度职能部门'  # not the 2018 extension's campaigns
    campaign = re.search(units, page(hr, "/assessment/")).group(1)
    shown = page(hr, re.search(r'href="(/assessment/results/\d+)">基建后勤处', page(hr, campaign)).group(1))
    assert "一票否决：特别严重质量事故：学生宿舍消防安全责任事故" in shown
    assert shown.count('data-testid="trend-row"') == 2 and 'data-testid="trend-chart"' in shown
    assert cell(row_of(last, "ZJC"), "assessment").endswith("优秀")  # 突出贡献
    now = page(client, f"/quality/leaders/?year={NOW.year}")
    credits = cell(row_of(now, "RJXY"), "credits")
    assert credits.endswith("(1)") and "%" in credits  # s27 of the graduating class is below 10
