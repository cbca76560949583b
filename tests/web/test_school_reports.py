"""The school's reports run through one generated process shape (workflows/generate_reports.py): the
校企协同育人年度报告 walked from the pages — prefilled from a college's published 校企协同育人报告, written by the
departments its headings name (合作发展处, 教务处; another department's step is not found), one contribution
returned once with a reason and revised, approved by a school leader, listed on the public page for anonymous
visitors; the 人才培养状态数据分析报告 started the same way, its sections prefilled from the collected data and its
Excel file carrying the figures its charts are drawn from."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from engine.models import HumanTask, OrgUnit, Report
from engine.reports import data
from tests.conftest import page
from tests.web.test_reports import report_id_of, step

COLLEGE = {"overview": "学院与十家企业合作。", "cultivation": "开设订单班。", "enterprises": "企业工程师进课堂授课。",
           "problems": "企业参与深度不够。"}  # fmt: skip


def start(client, type_key: str, year: str = "2026") -> str:
    response = client.post("/reports/start", data={"type": type_key, "year": year})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def post(client, url: str, data: dict, status: int = 302) -> str:
    response = client.post(url, data=data)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


@pytest.mark.slow  # a college's report and the school's walked through every step from the pages
def test_the_enterprise_report_from_contributions_through_a_return_to_the_public_page(login_as, session, app):
    # a college publishes its own 校企协同育人报告 first
    head = login_as("dzxy_reviewer")
    college_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "DZXY"))
    own_url = head.post(f"/reports/units/{college_id}/college_enterprise", data={"year": "2026"}).headers["Location"]
    post(head, own_url, {**{f"section_{k}": v for k, v in COLLEGE.items()}, "action": "publish"})
    office = login_as("zlc_admin")
    url = start(office, "school_enterprise")
    rid = report_id_of(url)
    assert "2026年度校企协同育人年度报告" in page(office, url) and "各部门撰写中" in page(office, url)
    tasks = {k: step(session, rid, f"contrib_{k}") for k in ("overview", "cultivation", "colleges")}
    hzc, jwc = login_as("hzc_reviewer"), login_as("jwc_staff")
    # the paired departments find their sections in their inboxes; the colleges' section starts from the college's
    assert "撰写“协同育人举措与成效”部分" in page(jwc, "/tasks")
    html = page(hzc, f"/tasks/{tasks['colleges'].id}")
    assert 'data-testid="report-step-form"' in html
    assert "【电子与物联网学院】" in html and "企业工程师进课堂授课" in html
    page(jwc, f"/tasks/{tasks['colleges'].id}", 404)  # another department's section
    assert jwc.post(f"/reports/tasks/{tasks['colleges'].id}", data={"text": "越权"}).status_code == 404
    post(hzc, f"/reports/tasks/{tasks['overview'].id}", {"text": "合作企业五十家。"})
    post(hzc, f"/reports/tasks/{tasks['colleges'].id}", {"text": "各学院共建产业学院。"})
    post(jwc, f"/reports/tasks/{tasks['cultivation'].id}", {"text": "推进现代学徒制。"})
    # 质量管理处's compile page shows every contribution's state; a return needs a section and a reason
    compile_task = step(session, rid, "compile")
    html = page(office, f"/tasks/{compile_task.id}")
    assert html.count("已提交") >= 3 and "合作发展处" in html and "教务处" in html
    assert 'data-testid="return-section-form"' in html
    body = {"section_overview": "合作企业五十家。", "section_cultivation": "推进现代学徒制。",
            "section_colleges": "各学院共建产业学院。", "section_problems": "校企合作深度有待提高。"}  # fmt: skip
    refused = post(office, f"/reports/tasks/{compile_task.id}", {**body, "action": "return",
                                                                 "return_section": "cultivation"}, 400)  # fmt: skip
    assert "请填写退回理由" in refused and 'data-testid="return-reason-error"' in refused
    assert step(session, rid, "compile").id == compile_task.id  # nothing changed
    post(
        office,
        f"/reports/tasks/{compile_task.id}",
        {**body, "action": "return", "return_section": "cultivation", "return_reason": "请补充试点数据"},
    )
    assert "已退回修改" in page(office, url)
    # the department revises it from its inbox, with the reason in front of it
    assert "按退回意见修改" in page(jwc, "/tasks")
    revise = step(session, rid, "revise")
    page(hzc, f"/tasks/{revise.id}", 404)
    html = page(jwc, f"/tasks/{revise.id}")
    assert "请补充试点数据" in html and "推进现代学徒制。" in html
    post(jwc, f"/reports/tasks/{revise.id}", {"text": "推进现代学徒制，试点专业 3 个。"})
    compile_again = step(session, rid, "compile")
    html = page(office, f"/tasks/{compile_again.id}")
    assert "修改后已提交" in html and "试点专业 3 个" in html and "退回理由：请补充试点数据" in html
    again = post(
        office,
        f"/reports/tasks/{compile_again.id}",
        {**body, "action": "return", "return_section": "cultivation", "return_reason": "再改"},
        400,
    )
    assert "只能退回一次" in again
    body["section_cultivation"] = "推进现代学徒制，试点专业 3 个。"
    post(office, f"/reports/tasks/{compile_again.id}", body)
    # a school leader approves; it is published and public
    leader = login_as("xiaozhang")
    approve = step(session, rid, "approve")
    assert "试点专业 3 个" in page(leader, f"/tasks/{approve.id}")
    post(leader, f"/reports/tasks/{approve.id}", {"decision": "approve"})
    assert session.get(Report, rid).status == "published"
    listing = page(app.test_client(), "/public/reports")
    assert "2026年度校企协同育人年度报告" in listing


@pytest.mark.slow  # four charts drawn and a PDF rendered
def test_the_data_analysis_report_runs_through_the_same_process_prefilled_from_the_collected_data(login_as, session):
    office = login_as("zlc_admin")
    url = start(office, "school_data")
    rid = report_id_of(url)
    html = page(office, url)
    assert html.count('data-testid="chart"') == 4 and "教师出勤率（月平均）" in html and "各部门撰写中" in html
    report = session.get(Report, rid)
    writers = {"overview": "xxh_staff", "students": "xgb_reviewer", "teaching": "jwc_staff", "faculty": "rsc_reviewer"}
    for key, username in writers.items():
        task = step(session, rid, f"contrib_{key}")
        assert task is not None, key
        html = page(login_as(username), f"/tasks/{task.id}")
        assert 'data-testid="section-text"' in html
    students = login_as("xgb_reviewer")
    html = page(students, f"/tasks/{step(session, rid, 'contrib_students').id}")
    assert "学生上课出勤率（月平均）" in html  # prefilled from the data
    page(students, f"/tasks/{step(session, rid, 'contrib_teaching').id}", 404)
    # the heading written at compilation has no step; the PDF carries the charts
    assert session.scalar(select(HumanTask.id).where(HumanTask.instance_id == report.instance_id,
                                                     HumanTask.bpmn_id == "contrib_findings")) is None  # fmt: skip
    pdf = PdfReader(BytesIO(office.get(f"/reports/{rid}.pdf").data))
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "附：状态数据图表" in text and "学生发展数据分析" in text
    assert sum(len(p.images) for p in pdf.pages) >= 4
    # the Excel file (the page's link) carries the figures the charts are drawn from, month by month
    href = re.search(r'href="([^"]+\.xlsx)"[^>]*data-testid="export-xlsx"', page(office, url)).group(1)
    book = load_workbook(BytesIO(office.get(href).data))
    assert book.sheetnames == ["报告正文", "状态数据", "编制分工"]
    figures = {row[0]: row[2:] for row in book["状态数据"].iter_rows(min_row=2, values_only=True)}
    assert list(figures) == [title for _f, _k, title, _u in data.INDICATORS]
    for feed_key, field, title, _unit in data.INDICATORS:
        assert list(figures[title]) == data.monthly_means(session, feed_key, field, report.year), title
    assert any(v is not None for v in figures["教师出勤率（月平均）"])  # the demo collected data this year
    headings = [row[0] for row in book["报告正文"].iter_rows(min_row=4, values_only=True)]
    assert "二、学生发展数据分析" in headings


def test_the_headings_of_the_other_school_reports_name_their_contributing_departments(login_as):
    office = login_as("zlc_admin")
    html = page(office, "/reports/types/school_enterprise")
    assert html.count(">流程分送部门撰写<") == 3 and 'value="cooperation" selected' in html
    html = page(office, "/reports/types/school_diagnosis")
    assert 'value="party_office" selected' in html
    page(login_as("hzc_reviewer"), "/reports/types/school_enterprise", 404)
