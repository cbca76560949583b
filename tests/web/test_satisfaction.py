"""质量督导 › 满意度调查 on the demo year: the results per college and major, the provider import with its
checked preview (each bad case refused with its message, nothing kept), the 满意度 badge on a major's
document and the colleges' figures on the school's dashboard."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from engine.models import Document, SatisfactionResult, SatisfactionSurvey, Subject
from engine.supervision import surveys
from tests.conftest import BROKEN, login, page

GOOD = [["电子与物联网学院", "物联网应用技术", "总体满意度", 100, 95.0],
        ["电子与物联网学院", "物联网应用技术", "教学满意度", 300, 91.0],
        ["软件与信息技术学院", "", "学生工作满意度", 50, "88.5%"]]  # fmt: skip


def upload(client, data: bytes, filename: str = "result.xlsx", kind: str = "graduate", year: str = "2026"):
    return client.post("/supervision/surveys", data={"kind": kind, "year": year, "provider": "某调查机构",
                                                      "file": (__import__("io").BytesIO(data), filename)},
                       content_type="multipart/form-data")  # fmt: skip


def counts(session) -> tuple[int, int]:
    return (session.scalar(select(func.count()).select_from(SatisfactionSurvey)),
            session.scalar(select(func.count()).select_from(SatisfactionResult)))  # fmt: skip


def test_staff_read_the_results_per_college_and_major_and_students_do_not(demo_year_app):
    client = login(demo_year_app.test_client(), "jwc_staff")
    html = page(client, "/supervision/?year=2026")
    surveys_url = re.search(r'href="([^"]+)" data-testid="tab-surveys"', html).group(1)
    listing = page(client, surveys_url)
    assert 'data-testid="survey-upload"' not in listing  # 教务处 reads, 质量管理处 imports
    assert "本年度尚未导入结果" in listing  # the 2026 graduate survey is due next June
    assert "电子与物联网学院" in listing and "物联网应用技术" in listing
    employer = (126 * (92.1 - 1.6) + 126 * (90.4 - 1.6)) / 252  # the demo's 物联网应用技术 rows, employers
    assert f"{employer:.1f}%" in listing
    earlier = page(client, "/supervision/surveys?year=2025")
    detail = page(client, re.search(r'href="([^"]+)" data-testid="survey-link-graduate"', earlier).group(1))
    assert "学生工作满意度" in detail and "92.1%" in detail
    student = login(demo_year_app.test_client(), "s07")
    page(student, "/supervision/surveys", 404)
    assert 'data-testid="tab-surveys"' not in page(student, "/supervision/")


def test_the_office_imports_a_checked_file_after_its_preview(demo_year_app, demo_year_session):
    s = demo_year_session
    client = login(demo_year_app.test_client(), "zlc_admin")
    html = page(client, "/supervision/surveys?year=2026")
    assert 'data-testid="survey-upload"' in html
    template = client.get(re.search(r'href="([^"]+)" data-testid="survey-template"', html).group(1))
    assert template.status_code == 200 and template.data[:2] == b"PK"
    before = counts(s)
    response = upload(client, surveys.workbook(GOOD))
    assert response.status_code == 302
    preview = page(client, response.headers["Location"])
    assert 'data-testid="preview"' in preview and "88.5%" in preview
    assert counts(s)[1] == before[1]  # nothing written before the confirmation
    survey = s.scalar(select(SatisfactionSurvey).order_by(SatisfactionSurvey.id.desc()))
    assert survey.status == "pending"
    page(login(demo_year_app.test_client(), "jwc_staff"), f"/supervision/surveys/{survey.id}", 404)
    assert client.post(f"/supervision/surveys/{survey.id}/confirm").status_code == 302
    assert counts(s)[1] == before[1] + 3
    listing = page(client, "/supervision/surveys?year=2026")
    assert f"{(100 * 95.0 + 300 * 91.0) / 400:.1f}%" in listing  # the major's sample-weighted figure
    assert client.post(f"/supervision/surveys/{survey.id}/confirm").status_code == 400  # once
    again = upload(client, surveys.workbook(GOOD[:1]))
    pending = s.scalar(select(SatisfactionSurvey).order_by(SatisfactionSurvey.id.desc()))
    assert again.status_code == 302 and pending.status == "pending"
    discarded = client.post(f"/supervision/surveys/{pending.id}/discard")
    assert discarded.status_code == 302 and "/supervision/surveys" in discarded.headers["Location"]
    left = select(func.count()).select_from(SatisfactionSurvey).where(SatisfactionSurvey.id == pending.id)
    assert s.scalar(left) == 0 and counts(s)[1] == before[1] + 3


def _bad(rows):
    return surveys.workbook(rows)


BAD = [
    ("unknown college", _bad([["不存在学院", "", "总体满意度", 10, 90]]), "第 2 行：二级学院“不存在学院”不存在"),
    ("unknown major", _bad([*GOOD, ["软件与信息技术学院", "物联网应用技术", "总体满意度", 10, 90]]),
     "第 5 行：专业“物联网应用技术”不是软件与信息技术学院的专业"),
    ("percentage", _bad([["电子与物联网学院", "", "总体满意度", 10, 120]]), "满意度应为 0 到 100 之间的数：120"),
    ("sample", _bad([["电子与物联网学院", "", "总体满意度", "很多", 90]]), "样本数应为正整数：很多"),
    ("repeated", _bad([GOOD[0], GOOD[0]]), "第 3 行：与前面的行重复"),
]  # fmt: skip


@pytest.mark.parametrize("case, data, message", BAD, ids=[b[0] for b in BAD])
def test_a_bad_row_is_named_and_nothing_is_kept(demo_year_app, demo_year_session, case, data, message):
    client = login(demo_year_app.test_client(), "zlc_admin")
    before = counts(demo_year_session)
    response = upload(client, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and not BROKEN.search(html)
    assert 'data-testid="bad-rows"' in html and message in html, case
    assert "未导入" in html
    assert counts(demo_year_session) == before


FILES = [
    ("csv", b"a,b\n1,2\n", "result.csv", "只能导入 Excel (.xlsx) 文件"),
    ("renamed text", b"not a workbook", "result.xlsx", "只能导入 Excel (.xlsx) 文件"),
    ("too large", b"PK\x03\x04" + b"0" * (3 * 1024 * 1024 // 2), "big.xlsx", "文件超过 1 MB"),
    ("wrong columns", None, "other.xlsx", "缺少列：二级学院、调查项目、样本数、满意度"),
    ("header only", surveys.template(), "empty.xlsx", "文件只有表头"),
]


@pytest.mark.parametrize("case, data, filename, message", FILES, ids=[f[0] for f in FILES])
def test_a_file_that_is_not_the_provider_table_is_refused(demo_year_app, demo_year_session, case, data, filename,
                                                          message):  # fmt: skip
    if data is None:
        from openpyxl import Workbook

        wb, buf = Workbook(), __import__("io").BytesIO()
        wb.active.append(["姓名", "分数"])
        wb.active.append(["张三", 90])
        wb.save(buf)
        data = buf.getvalue()
    client = login(demo_year_app.test_client(), "zlc_admin")
    before = counts(demo_year_session)
    response = upload(client, data, filename)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and not BROKEN.search(html)
    assert re.search(rf'data-testid="error-file">[^<]*{re.escape(message)}', html), case
    assert counts(demo_year_session) == before


def test_a_bad_kind_or_year_and_a_missing_file_are_refused_next_to_their_field(demo_year_app):
    client = login(demo_year_app.test_client(), "zlc_admin")
    html = upload(client, surveys.workbook(GOOD), kind="alumni").get_data(as_text=True)
    assert re.search(r'data-testid="error-kind">请选择调查类型', html)
    html = upload(client, surveys.workbook(GOOD), year="1900").get_data(as_text=True)
    assert re.search(r'data-testid="error-year">年度无效', html)
    response = client.post("/supervision/surveys", data={"kind": "graduate", "year": "2026"})
    assert response.status_code == 400 and "请选择要上传的文件" in response.get_data(as_text=True)
    assert upload(login(demo_year_app.test_client(), "jwc_staff"), surveys.workbook(GOOD)).status_code == 404


def test_a_major_s_document_shows_its_satisfaction_next_to_the_row(demo_year_app, demo_year_session):
    """软件技术's published plan has a 满意度 row: it carries the latest figure of each survey."""
    s = demo_year_session
    major = s.scalar(select(Subject).where(Subject.code == "510203"))
    doc = s.scalar(select(Document).where(Document.subject_id == major.id, Document.doc_type == "plan"))
    html = page(login(demo_year_app.test_client(), "t06"), f"/documents/{doc.id}")
    graduate = (143 * 93.5 + 143 * 91.8) / 286
    employer = (143 * (93.5 - 1.6) + 143 * (91.8 - 1.6)) / 286
    badges = re.findall(r'data-testid="satisfaction-badge">([^<]+)<', html)
    assert badges == [f"毕业生满意度 {graduate:.1f}%（2025）", f"用人单位满意度 {employer:.1f}%（2026）"]
    teacher = s.scalar(select(Document).where(Document.doc_type == "plan", Document.subject_id.in_(
        select(Subject.id).where(Subject.type == "teacher"))))  # fmt: skip
    assert 'data-testid="satisfaction-badge"' not in page(login(demo_year_app.test_client(), "admin"),
                                                          f"/documents/{teacher.id}")  # fmt: skip


def test_the_school_s_dashboard_shows_the_colleges_figures(demo_year_app):
    html = page(login(demo_year_app.test_client(), "zlc_admin"), "/monitor")
    card = html.split('data-testid="satisfaction-card"', 1)[1]
    assert "电子与物联网学院" in card and "软件与信息技术学院" in card and "（2025）" in card and "（2026）" in card
