"""The self-diagnosis record (自我诊断记录, seed tables 29-36) in the demo year: who opens it, where it is
linked from, its exports, 质量管理处's 吻合度 overview, and the choice/readonly columns of a review form."""

from __future__ import annotations

import re
from io import BytesIO

from docx import Document as WordDocument
from openpyxl import load_workbook
from sqlalchemy import select

from engine.models import Document, HumanTask, Subject
from tests.conftest import form_fields, login


def _subject(session, code: str) -> Subject:
    return session.scalar(select(Subject).where(Subject.code == code))


def _links(html: str, testid: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(rf'href="([^"]+)"[^>]*data-testid="{testid}"', html)]


def test_the_course_team_reads_the_record_with_all_three_parties_and_follows_its_links(
    demo_year_app, demo_year_session
):
    course = _subject(demo_year_session, "RJ1002")  # Web 前端开发: reviewed, sampled, its conclusion issued
    client = login(demo_year_app.test_client(), "t07")
    page = client.get(f"/cycle/record/{course.id}/2026")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    headings = (
        "标准",
        "诊改计划",
        "自我诊断",
        "上一级复核意见",
        "学校抽样复核结论",
        "吻合度",
        "下一步改进措施与预计成效",
    )
    assert all(h in html for h in headings)
    assert course.name in html
    assert "达到标准，同意自我诊断结论。" in html  # the upper-level review's opinion (and the school's)
    assert "未达到基本标准" in html  # the expert's sampling review of the first item
    first = re.search(r'<tr[^>]*data-row-id="crs_design_1">(.*?)</tr>', html, re.S).group(1)
    assert "达成" in first and "未达成" in first and "33.3%" in first  # met, met, unmet: (100 + 0 + 0) / 3
    assert re.search(r'data-testid="record-agreement">\d+(\.\d)?%<', html)
    parts = {t: _links(html, f"part-{t}") for t in ("plan", "diagnosis", "upper_review", "school_review")}
    assert all(len(v) == 1 for v in parts.values())
    for doc_type, (url,) in parts.items():
        doc_page = client.get(url)
        assert doc_page.status_code == 200, (doc_type, url)
        # each document's page leads back to the record
        (back,) = _links(doc_page.get_data(as_text=True), "record-link")
        assert back == f"/cycle/record/{course.id}/2026"

    (xlsx_url,) = _links(html, "record-xlsx")
    xlsx = client.get(xlsx_url)
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(BytesIO(xlsx.data)).active
    assert course.name in ws.cell(2, 1).value and "2026" in ws.cell(2, 1).value
    assert [ws.cell(3, c).value for c in (1, 2, 5, 9)] == ["项目", "标准", "诊改计划", "自我诊断"]
    values = [c.value for row in ws.iter_rows(min_row=5) for c in row]
    assert "33.3%" in values and "未达成" in values
    (docx_url,) = _links(html, "record-docx")
    word = client.get(docx_url)
    assert word.status_code == 200
    table = WordDocument(BytesIO(word.data)).tables[0]
    assert [c.text for c in table.rows[0].cells][:2] == ["项目", "标准"]
    assert any("33.3%" == c.text for row in table.rows for c in row.cells)


def test_the_reviewers_above_see_the_record_and_an_unrelated_teacher_does_not(demo_year_app, demo_year_session):
    course = _subject(demo_year_session, "RJ2001")
    url = f"/cycle/record/{course.id}/2026"
    for who in ("jwc_reviewer", "rjxy_reviewer", "zlc_admin"):
        assert login(demo_year_app.test_client(), who).get(url).status_code == 200, who
    outsider = login(demo_year_app.test_client(), "t01")
    for path in (url, f"{url}/export.xlsx", f"{url}/export.docx"):
        refused = outsider.get(path)
        assert refused.status_code == 404 and course.name not in refused.get_data(as_text=True)
    owner = login(demo_year_app.test_client(), "t08")
    for bad in (f"/cycle/record/{course.id}/1999", f"/cycle/record/{course.id}/2025", f"{url}/export.pdf"):
        assert owner.get(bad).status_code == 404, bad


def test_a_teacher_sees_his_own_record_before_any_review(demo_year_app, demo_year_session):
    teacher = _subject(demo_year_session, "t10")  # at step 9: his 教研室's upper-level review is being written
    html = login(demo_year_app.test_client(), "t10").get(f"/cycle/record/{teacher.id}/2026").get_data(as_text=True)
    assert 'data-testid="part-diagnosis"' in html and 'data-testid="missing-school_review"' in html
    assert re.search(r'data-testid="part-upper_review">[^<]*（工作稿）', html)  # his own subject: full access
    assert 'data-testid="record-agreement">—<' in html  # nobody else has rated yet


def test_the_review_task_shows_choices_and_readonly_columns_and_a_crafted_post_changes_neither(
    demo_year_app, demo_year_session
):
    s = demo_year_session
    teacher = _subject(s, "RJ1001")  # Java 程序设计, sampled: the expert t01 writes its school sampling review
    doc = s.scalar(select(Document).where(Document.subject_id == teacher.id, Document.doc_type == "school_review"))
    task = s.scalar(select(HumanTask).where(HumanTask.document_id == doc.id, HumanTask.state == "open"))
    client = login(demo_year_app.test_client(), "t01")
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert _links(html, "record-link") == [f"/cycle/record/{teacher.id}/2026"]
    assert client.get(f"/cycle/record/{teacher.id}/2026").status_code == 200
    assert '<select class="form-select form-select-sm' in html and "请选择" in html and ">基本达成</option>" in html
    assert 'name="rows-0-cells-self_conclusion"' not in html  # readonly: text, not a field
    kept = doc.data["rows"][0]["cells"]["self_conclusion"]
    assert kept and kept in html

    fields = form_fields(doc.data)
    fields.update({"rows-0-cells-self_conclusion": "篡改的自我诊断结论", "rows-0-cells-upper_opinion": "伪造",
                   "rows-0-cells-opinion": "抽查属实", "rows-0-cells-rating": "excellent",
                   "action": "save"})  # fmt: skip
    refused = client.post(f"/tasks/{task.id}", data=fields)
    assert refused.status_code in (200, 400, 422)
    assert "请从列表中选择“抽样复核达成度”" in refused.get_data(as_text=True)
    assert "篡改的自我诊断结论" not in refused.get_data(as_text=True)  # the form shown again keeps it too
    s.refresh(doc)
    assert doc.data["rows"][0]["cells"]["opinion"] == ""  # nothing saved

    fields["rows-0-cells-rating"] = "partly"
    assert client.post(f"/tasks/{task.id}", data=fields).status_code in (200, 302, 303)
    s.refresh(doc)
    cells = doc.data["rows"][0]["cells"]
    assert cells["self_conclusion"] == kept and cells["upper_opinion"] != "伪造"
    assert cells["opinion"] == "抽查属实" and cells["rating"] == "partly"

    fields["rows-0-cells-self_conclusion"] = "自动保存也不能改"
    saved = client.post(f"/tasks/{task.id}/autosave", data=fields, headers={"Accept": "application/json"})
    assert saved.status_code == 200
    s.refresh(doc)
    assert doc.data["rows"][0]["cells"]["self_conclusion"] == kept
    shown = client.get(f"/documents/{doc.id}/working-copy").get_data(as_text=True)
    assert ">基本达成</td>" in shown  # shown by its label


def test_the_office_lists_the_years_subjects_by_agreement_lowest_first(demo_year_app, demo_year_session):
    client = login(demo_year_app.test_client(), "zlc_admin")
    sampling = client.get("/cycle/sampling/?year=2026").get_data(as_text=True)
    (url,) = _links(sampling, "agreement-link")
    html = client.get(url).get_data(as_text=True)
    scores = re.findall(r'data-testid="subject-agreement">([^<]+)<', html)
    numbers = [float(v.rstrip("%")) for v in scores if v != "—"]
    assert len(numbers) >= 4 and numbers == sorted(numbers)
    assert scores[len(numbers) :] == ["—"] * (len(scores) - len(numbers))  # not rated twice yet: last
    course = _subject(demo_year_session, "RJ2001")
    assert f"/cycle/record/{course.id}/2026" in html
    assert client.get(f"/cycle/record/{course.id}/2026").status_code == 200
    assert "本年度尚无自我诊断" in client.get("/cycle/record/agreement?year=2020").get_data(as_text=True)
    assert login(demo_year_app.test_client(), "t01").get(url).status_code == 404


def test_the_progress_list_links_each_subject_past_its_self_diagnosis_to_its_record(demo_year_app, demo_year_session):
    client = login(demo_year_app.test_client(), "zlc_admin")
    html = client.get("/cycle/progress/subjects?year=2026&q=RJ2001").get_data(as_text=True)
    course = _subject(demo_year_session, "RJ2001")
    assert _links(html, "record-link") == [f"/cycle/record/{course.id}/2026"]
    assert client.get(_links(html, "record-link")[0]).status_code == 200
    early = client.get("/cycle/progress/subjects?year=2026&q=t01").get_data(as_text=True)
    assert 'data-testid="record-link"' not in early  # still at step 1
