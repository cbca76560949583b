"""Document pages: history, side-by-side diff, print view, exports, sharing, template editing."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import publish_document


def publish(session, username="t01", change=None):
    return publish_document(session, username, "target", change)


def test_diff_highlights_changed_rows(login_as, session):
    publish(session)

    def revise(data):
        data["rows"][2]["cells"]["description"] = "主持省级精品课程一门"

    doc = publish(session, change=revise)
    client = login_as("t01")
    page = client.get(f"/documents/{doc.id}").get_data(as_text=True)
    assert 'data-testid="diff-link"' in page and "v2" in page
    diff = client.get(f"/documents/{doc.id}/diff?a=1&b=2").get_data(as_text=True)
    assert "修改 1 项" in diff and "主持省级精品课程一门" in diff and "zg-new" in diff
    assert client.get(f"/documents/{doc.id}/diff?a=1&b=9").status_code == 404


def test_print_view(login_as, session):
    doc = publish(session)
    page = login_as("t01").get(f"/documents/{doc.id}/print").get_data(as_text=True)
    assert "表 6 教师发展目标参考模板" in page and "print.css" in page


def test_sharing_grants_and_revokes(login_as, session):
    doc = publish(session)
    outsider = login_as("t06")
    assert outsider.get(f"/documents/{doc.id}").status_code == 404
    owner = login_as("t01")
    assert owner.post(f"/documents/{doc.id}/shares", data={"username": "t06"}).status_code == 302
    page = outsider.get(f"/documents/{doc.id}")
    assert page.status_code == 200 and "个人发展定位目标" in page.get_data(as_text=True)
    assert "授权共享" not in page.get_data(as_text=True)  # readers cannot share further
    assert outsider.post(f"/documents/{doc.id}/shares", data={"username": "t07"}).status_code == 404
    bad = owner.post(f"/documents/{doc.id}/shares", data={"username": "nobody"})
    assert bad.status_code == 400 and "用户不存在" in bad.get_data(as_text=True)
    from engine.models import DocumentShare

    share_id = session.scalar(select(DocumentShare.id).where(DocumentShare.document_id == doc.id))
    assert owner.post(f"/documents/{doc.id}/shares/{share_id}/delete").status_code == 302
    assert outsider.get(f"/documents/{doc.id}").status_code == 404


def test_document_list_shows_what_the_user_may_see(login_as, session):
    publish(session, "t01")
    head = login_as("dzxy_reviewer")  # head of the teacher's college
    assert "张伟" in head.get("/documents/").get_data(as_text=True)
    other_college = login_as("rjxy_reviewer")
    assert "张伟" not in other_college.get("/documents/").get_data(as_text=True)
    assert "张伟" in login_as("rsc_reviewer").get("/documents/?subject_type=teacher").get_data(as_text=True)


def test_template_editing_page(login_as, session):
    owner = login_as("rsc_reviewer")
    assert "教师发展目标" in owner.get("/form-templates/").get_data(as_text=True)
    page = owner.get("/form-templates/teacher_target").get_data(as_text=True)
    assert "个人发展定位目标" in page
    bad = owner.post("/form-templates/teacher_target", data={"items-t": "甲\n甲", "note": ""})
    assert bad.status_code == 400 and "同一组内项目名称不能重复" in bad.get_data(as_text=True)
    ok = owner.post(
        "/form-templates/teacher_target", data={"items-t": "个人发展定位目标\n教学发展目标", "note": "精简"}
    )
    assert ok.status_code == 302
    assert "v2" in owner.get("/form-templates/teacher_target").get_data(as_text=True)
    assert login_as("jwc_reviewer").get("/form-templates/teacher_target").status_code == 404
    assert login_as("t01").get("/form-templates/").status_code == 404


def test_exports_download_in_seed_layout(login_as, session):
    from io import BytesIO

    from docx import Document as Docx
    from openpyxl import load_workbook

    doc = publish(session)
    client = login_as("t01")
    xlsx = client.get(f"/documents/{doc.id}/export.xlsx?version=1")
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["Content-Disposition"]
    ws = load_workbook(BytesIO(xlsx.data)).active
    assert ws["A1"].value == doc.title and "教师：张伟" in ws["A2"].value
    docx = client.get(f"/documents/{doc.id}/export.docx")
    assert Docx(BytesIO(docx.data)).paragraphs[0].text == doc.title
    assert login_as("t06").get(f"/documents/{doc.id}/export.xlsx").status_code == 404
    assert client.get(f"/documents/{doc.id}/export.pdf").status_code == 404
