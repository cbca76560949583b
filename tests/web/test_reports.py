"""质量报告: the school's 人才培养质量年度报告 walked through its process from the pages — started by 质量管理处, eleven
sections written in parallel by ten departments (another department's step is not found), compiled, returned
and approved by a school leader, exported to PDF (the Chinese headings are in its text) and listed on the
public page for anonymous visitors; the report types' headings; who sees what."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from lxml import etree
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from engine import modeling
from engine.models import Document, HumanTask, Report, ReportType, Subject, User
from engine.reports import school
from engine.workflow.bpmn.compiler import NSMAP
from tests.conftest import NOW, login, page, user
from tests.engine.test_modeling import definition

# section -> a user of the department holding its function in the demo organisation (engine/demo/data)
WRITERS = {
    "teaching": "jwc_staff", "faculty": "rsc_reviewer", "student_quality": "xgb_reviewer", "culture": "xcb_staff",
    "admissions": "zjc_staff", "cooperation": "hzc_reviewer", "research": "kyc_staff", "innovation": "gjxy_staff",
    "international": "gjxy_staff", "overseas": "gjxy_staff", "assurance": "zlc_admin",
}  # fmt: skip
TITLES = {
    "teaching": "教学", "faculty": "师资", "student_quality": "学生综合素质培养", "culture": "育人文化",
    "admissions": "招生就业", "cooperation": "校企合作", "research": "科技研发", "innovation": "创新创业",
    "international": "国际交流与合作", "overseas": "留学生培养", "assurance": "质量保证",
}  # fmt: skip


def start(client, year="2026") -> str:
    html = page(client, "/reports/")
    assert 'data-testid="start-form"' in html
    response = client.post("/reports/start", data={"type": "school_quality", "year": year})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def step(session, report_id: int, bpmn_id: str) -> HumanTask:
    report = session.get(Report, report_id)
    return session.scalar(
        select(HumanTask).where(HumanTask.instance_id == report.instance_id, HumanTask.bpmn_id == bpmn_id,
                                HumanTask.state == "open")
    )  # fmt: skip


def report_id_of(url: str) -> int:
    return int(re.search(r"/reports/(\d+)", url).group(1))


@pytest.mark.slow  # eleven departments' steps and a PDF rendered
def test_the_school_quality_report_from_parallel_contributions_to_the_public_page(login_as, session, app):
    office = login_as("zlc_admin")
    url = start(office)
    rid = report_id_of(url)
    html = page(office, url)
    assert "2026年度人才培养质量年度报告" in html and "各部门撰写中" in html
    assert html.count('data-testid="open-step"') >= 1  # 质量保证 is 质量管理处's own section
    clients = {}
    tasks = {key: step(session, rid, f"contrib_{key}") for key in WRITERS}
    assert all(tasks.values()) and len({t.id for t in tasks.values()}) == 11
    # another department's section is not found: neither its page nor a post to it
    jwc = clients.setdefault("jwc_staff", login_as("jwc_staff"))
    page(jwc, f"/tasks/{tasks['research'].id}", 404)
    assert jwc.post(f"/reports/tasks/{tasks['research'].id}", data={"text": "越权"}).status_code == 404
    # an empty section is refused at the field
    refused = jwc.post(f"/reports/tasks/{tasks['teaching'].id}", data={"text": "  "})
    assert refused.status_code == 400 and "请填写本部分内容" in refused.get_data(as_text=True)
    for key, username in WRITERS.items():
        client = clients.setdefault(username, login_as(username))
        task_page = page(client, f"/tasks/{tasks[key].id}")
        assert 'data-testid="report-step-form"' in task_page and TITLES[key] in task_page
        done = client.post(f"/reports/tasks/{tasks[key].id}", data={"text": f"{TITLES[key]}部分：本年度工作成效显著。"})
        assert done.status_code == 302, done.get_data(as_text=True)[:300]
    assert len({WRITERS[k] for k in WRITERS}) >= 9  # at least nine departments' people
    assert "质量管理处汇编中" in page(office, url)
    # 质量管理处 compiles: every contribution is on the page in heading order
    compile_task = step(session, rid, "compile")
    html = page(office, f"/tasks/{compile_task.id}")
    positions = [html.index(f"{TITLES[k]}部分：") for k in WRITERS]
    assert positions == sorted(positions)
    fields = {f"section_{k}": f"{TITLES[k]}：汇编后的内容。" for k in WRITERS}
    # one department's part goes back to it once, with a reason; its revision comes back to the compilation
    assert 'data-testid="return-section-form"' in html
    returned = office.post(f"/reports/tasks/{compile_task.id}",
                           data={**fields, "action": "return", "return_section": "research",
                                 "return_reason": "请补充横向课题到账经费"})  # fmt: skip
    assert returned.status_code == 302, returned.get_data(as_text=True)[:300]
    revise = step(session, rid, "revise")
    kyc = clients["kyc_staff"]
    page(jwc, f"/tasks/{revise.id}", 404)  # only the department whose part was returned
    assert "请补充横向课题到账经费" in page(kyc, f"/tasks/{revise.id}")
    revised = kyc.post(f"/reports/tasks/{revise.id}", data={"text": "科技研发部分：横向课题到账 120 万元。"})
    assert revised.status_code == 302
    compile_task = step(session, rid, "compile")
    html = page(office, f"/tasks/{compile_task.id}")
    assert "横向课题到账 120 万元" in html and "退回理由：请补充横向课题到账经费" in html
    fields["section_research"] = "科技研发：横向课题到账 120 万元。"
    assert office.post(f"/reports/tasks/{compile_task.id}", data=fields).status_code == 302
    # a school leader returns it (a comment is required), 质量管理处 compiles again, the leader approves
    leader = login_as("xiaozhang")
    approve = step(session, rid, "approve")
    assert "学校领导审定" in page(leader, f"/tasks/{approve.id}")
    refused = leader.post(f"/reports/tasks/{approve.id}", data={"decision": "return", "comment": ""})
    assert refused.status_code == 400 and "退回时请填写修改意见" in refused.get_data(as_text=True)
    assert (
        leader.post(f"/reports/tasks/{approve.id}", data={"decision": "return", "comment": "请补充数据"}).status_code
        == 302
    )
    compile_again = step(session, rid, "compile")
    assert "请补充数据" in page(office, f"/tasks/{compile_again.id}")
    fields["section_teaching"] = "教学：补充了数据后的内容。"
    assert office.post(f"/reports/tasks/{compile_again.id}", data=fields).status_code == 302
    approve = step(session, rid, "approve")
    assert leader.post(f"/reports/tasks/{approve.id}", data={"decision": "approve"}).status_code == 302
    html = page(office, url)
    assert "已发布" in html and "补充了数据后的内容" in html
    # the PDF has the Chinese headings as text
    pdf = office.get(f"/reports/{rid}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.data)).pages)
    for title in TITLES.values():
        assert title in text, title
    assert "一、教学" in text and "2026年度人才培养质量年度报告" in text and "第 1 页" in text
    assert office.get(f"/reports/{rid}.docx").status_code == 200
    # the public page lists it without login and serves its PDF
    anonymous = app.test_client()
    listing = page(anonymous, "/public/reports")
    assert "2026年度人才培养质量年度报告" in listing
    href = re.search(r'href="([^"]+\.pdf)"[^>]*data-testid="download-pdf"', listing).group(1)
    assert anonymous.get(href).status_code == 200
    # and its Excel file: the headings with their text, and who wrote what
    href = re.search(r'href="([^"]+\.xlsx)"[^>]*data-testid="download-xlsx"', listing).group(1)
    book = load_workbook(BytesIO(anonymous.get(href).data))
    assert book.sheetnames == ["报告正文", "编制分工"]
    body = {row[0]: row[1] for row in book["报告正文"].iter_rows(min_row=4, values_only=True)}
    assert body["一、教学"] == "教学：补充了数据后的内容。"
    assert ("科技研发", "科研处") in set(book["编制分工"].iter_rows(min_row=2, values_only=True))


def test_an_unpublished_report_is_not_public(login_as, app):
    url = start(login_as("zlc_admin"), "2025")
    rid = report_id_of(url)
    anonymous = app.test_client()
    assert "2025年度" not in page(anonymous, "/public/reports")
    page(anonymous, f"/public/reports/{rid}.pdf", 404)
    page(anonymous, "/public/reports/abc.pdf", 404)
    page(anonymous, f"/reports/{rid}", 302)  # the report's own page needs a login
    page(login_as("t01"), f"/reports/{rid}", 404)  # a teacher does not see a report in progress


def test_a_year_is_started_once_and_must_be_a_year(login_as):
    office = login_as("zlc_admin")
    start(office, "2024")
    again = office.post("/reports/start", data={"type": "school_quality", "year": "2024"})
    assert again.status_code == 400 and "该年度的这份报告已经启动" in again.get_data(as_text=True)
    bad = office.post("/reports/start", data={"type": "school_quality", "year": "明年"})
    assert bad.status_code == 400 and 'data-testid="year-error"' in bad.get_data(as_text=True)
    assert (
        login_as("jwc_staff").post("/reports/start", data={"type": "school_quality", "year": "2023"}).status_code == 404
    )


def test_the_headings_of_a_report_type_are_edited_and_validated(login_as, session):
    office = login_as("zlc_admin")
    html = page(office, "/reports/")
    assert 'href="/reports/types/school_quality"' in html
    html = page(office, "/reports/types/school_quality")
    assert 'data-testid="headings-form"' in html and "国际交流与合作" in html and "流程分送部门撰写" in html
    rows = [(s["key"], s["title"], s["function"]) for s in
            session.get(ReportType, "school_quality").sections]  # fmt: skip

    def form(changed):
        data = {"count": str(len(changed))}
        for i, (key, title, function) in enumerate(changed):
            data.update({f"key_{i}": key, f"title_{i}": title, f"function_{i}": function})
        return data

    # a section a process step writes cannot be deleted; two sections cannot share a title
    deleted = office.post("/reports/types/school_quality", data=form([(rows[0][0], "", rows[0][2]), *rows[1:]]))
    assert deleted.status_code == 400 and "不能删除" in deleted.get_data(as_text=True)
    twice = office.post("/reports/types/school_quality", data=form([*rows, ("", "教学", "")]))
    assert twice.status_code == 400 and "章节标题重复" in twice.get_data(as_text=True)
    unknown = office.post("/reports/types/school_quality", data=form([*rows, ("", "附录", "no_such_function")]))
    assert unknown.status_code == 400 and "请选择撰写部门" in unknown.get_data(as_text=True)
    assert session.get(ReportType, "school_quality").sections[0]["title"] == "教学"  # nothing changed
    # renamed, one section added (written by 质量管理处 when compiling)
    changed = [(rows[0][0], "教育教学", rows[0][2]), *rows[1:], ("", "面临的挑战", "")]
    saved = office.post("/reports/types/school_quality", data=form(changed))
    assert saved.status_code == 302
    html = page(office, saved.headers["Location"])
    assert 'value="教育教学"' in html and 'value="面临的挑战"' in html
    url = start(office, "2027")  # a report started now has the new headings
    html = page(office, url)
    assert "教育教学" in html and "面临的挑战" in html
    # nobody else edits headings
    page(login_as("jwc_staff"), "/reports/types/school_quality", 404)


def test_a_college_report_is_prefilled_from_its_subjects_diagnoses(demo_year_app, demo_year_session):
    session = demo_year_session
    head = session.scalar(select(User).where(User.username == "dzxy_reviewer"))
    subjects = select(Subject.id).where(Subject.org_unit_id == head.org_unit_id)
    diagnoses = session.scalars(select(Document).where(Document.doc_type == "diagnosis",
                                                       Document.subject_id.in_(subjects)))  # fmt: skip
    conclusions = [r["cells"]["conclusion"] for d in diagnoses for r in d.data.get("rows", [])
                   if r["cells"].get("conclusion")]  # fmt: skip
    assert conclusions, "the demo year has self-diagnoses in the college"
    client = login(demo_year_app.test_client(), "dzxy_reviewer")
    html = page(client, "/reports/")
    assert 'data-testid="unit-reports"' in html
    report = session.scalar(
        select(Report).where(Report.unit_id == head.org_unit_id, Report.type_key == "unit_diagnosis")
    )
    html = page(client, f"/reports/{report.id}")
    assert 'data-testid="report-form"' in html and "自我诊断情况" in html
    assert conclusions[0].replace('"', "&#34;") in html
    page(login(demo_year_app.test_client(), "rjxy_reviewer"), f"/reports/{report.id}", 404)  # the other college
    # publishing needs every section written; then it is public
    fields = {f"section_{s['key']}": "" for s in report.sections}
    refused = client.post(f"/reports/{report.id}", data={**fields, "action": "publish"})
    assert refused.status_code == 400 and "请填写本部分内容" in refused.get_data(as_text=True)
    fields = {f"section_{s['key']}": f"{s['title']}：已撰写。" for s in report.sections}
    assert client.post(f"/reports/{report.id}", data={**fields, "action": "publish"}).status_code == 302
    listing = page(demo_year_app.test_client(), "/public/reports")
    assert report.title in listing
    assert report.title in page(login(demo_year_app.test_client(), "t01"), f"/reports/{report.id}")


def test_the_demo_shows_last_year_published_and_this_year_in_contributions(demo_year_app, demo_year_session):
    from engine.reports import summary

    listing = page(demo_year_app.test_client(), "/public/reports")
    assert "2025年度人才培养质量年度报告" in listing and "2026年度人才培养质量年度报告" not in listing
    published = summary.published(demo_year_session)
    college = demo_year_session.scalar(select(User).where(User.username == "dzxy_reviewer")).org_unit_id
    assert [(p["year"], p["unit_id"]) for p in published] == [(2025, None), (2025, None), (2025, college)]
    assert "2025年度校企协同育人年度报告" in listing
    assert published[0]["url"] == f"/public/reports/{published[0]['id']}.pdf" and published[0]["published_at"]
    assert summary.published(demo_year_session, 2026) == []
    office = login(demo_year_app.test_client(), "zlc_admin")
    hub = page(office, "/quality/")
    assert 'data-testid="card-reports"' in hub and 'href="/reports/"' in hub
    html = page(office, "/reports/")
    assert "2026年度人才培养质量年度报告" in html and "各部门撰写中" in html
    student = login(demo_year_app.test_client(), "s01")
    assert 'data-testid="card-reports"' not in page(student, "/quality/")
    # a department with its section still open finds it in its inbox
    inbox = page(login(demo_year_app.test_client(), "kyc_staff"), "/tasks")
    assert "撰写“科技研发”部分" in inbox
    # this year's data analysis report waits for 党委学生工作部's section, prefilled from the collected data
    xgb = login(demo_year_app.test_client(), "xgb_reviewer")
    assert "撰写“学生发展数据分析”部分" in page(xgb, "/tasks")
    data = demo_year_session.scalar(select(Report).where(Report.type_key == "school_data", Report.year == 2026))
    task = demo_year_session.scalar(select(HumanTask).where(HumanTask.instance_id == data.instance_id,
                                                            HumanTask.state == "open"))  # fmt: skip
    assert task.bpmn_id == "contrib_students" and "全年平均" in page(xgb, f"/tasks/{task.id}")


def without_revise(xml: str) -> str:
    """The quality report's process as it was before it could return a contribution: compile goes to approve."""
    root = etree.fromstring(xml.encode("utf-8"))
    process = root.find("bpmn:process", NSMAP)
    for node in process.xpath(".//bpmn:*[@id='revise' or @id='gw_compile' or @id='lane_returned']", namespaces=NSMAP):
        node.getparent().remove(node)
    for ref in process.xpath(".//bpmn:flowNodeRef[text()='revise' or text()='gw_compile']", namespaces=NSMAP):
        ref.getparent().remove(ref)
    for flow in process.findall("bpmn:sequenceFlow", NSMAP):
        if flow.get("id") in ("f_to_approve", "f_to_revise", "f_revised"):
            process.remove(flow)
    process.find("bpmn:sequenceFlow[@id='f_compile']", NSMAP).set("targetRef", "approve")
    for di in root.xpath(".//*[@bpmnElement]"):  # the diagram's shapes of what went
        if di.get("bpmnElement") in ("revise", "gw_compile", "lane_returned", "f_to_approve", "f_to_revise",
                                     "f_revised"):  # fmt: skip
            di.getparent().remove(di)
    return etree.tostring(root, encoding="unicode")


def test_a_report_started_on_a_version_without_the_return_step_offers_no_return(login_as, session):
    """An instance runs the version it started on: a report begun before its process could return a contribution
    does not offer the return (its process would go on to the leader's approval regardless)."""
    office = login_as("zlc_admin")
    current = session.get(Report, report_id_of(start(office, "2025")))
    xml = (Path(__file__).resolve().parents[2] / "workflows" / "school_quality_report.bpmn").read_text("utf-8")
    modeling.deploy(session, user(session, "zlc_admin"), definition(session, "school_quality_report"),
                    without_revise(xml), "旧版：不能退回部门", NOW)  # fmt: skip
    older = session.get(Report, report_id_of(start(office, "2026")))
    assert school.returnable(session, current) == list(WRITERS)  # each department's part, once
    assert school.returnable(session, older) == []
