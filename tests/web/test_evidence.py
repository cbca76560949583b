"""Evidence files per plan item on the 诊改实施 step: uploads are checked, downloads permission-checked."""

from __future__ import annotations

from io import BytesIO

from sqlalchemy import func, select

from engine import cycle
from engine.models import Attachment, HumanTask
from tests.conftest import NOW, TZ, own_subject
from tests.workflows.test_cycle import do, open_tasks

PDF = b"%PDF-1.4\n% evidence\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def implementation_task(session):
    instance = cycle.start_for_subject(
        session, own_subject(session, "t01"), 2026, cycle.default_dues(2026, TZ), None, NOW
    )
    while (task := open_tasks(session, instance.id)[0]).name != "6 诊改实施":
        do(session, task)
    return task


def upload(client, task_id, row_id, name, content):
    return client.post(
        f"/tasks/{task_id}/attachments",
        data={"row_id": row_id, "file": (BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_upload_download_delete(login_as, session):
    task = implementation_task(session)
    doc_rows = session.get(HumanTask, task.id)
    from engine.models import Document

    row_id = session.get(Document, doc_rows.document_id).data["rows"][0]["id"]
    teacher = login_as("t01")
    page = teacher.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "佐证材料" in page and 'data-testid="upload"' in page

    assert upload(teacher, task.id, row_id, "培训证书.pdf", PDF).status_code == 302
    bad_ext = upload(teacher, task.id, row_id, "run.exe", b"MZ...")
    assert bad_ext.status_code == 400 and "只接受" in bad_ext.get_data(as_text=True)
    fake = upload(teacher, task.id, row_id, "fake.pdf", b"<html>")
    assert fake.status_code == 400 and "扩展名不符" in fake.get_data(as_text=True)
    unknown_row = upload(teacher, task.id, "no_such_row", "a.pdf", PDF)
    assert unknown_row.status_code == 400
    assert login_as("t02").post(
        f"/tasks/{task.id}/attachments", data={"row_id": row_id, "file": (BytesIO(PDF), "x.pdf")},
        content_type="multipart/form-data",
    ).status_code == 404  # fmt: skip
    assert session.scalar(select(func.count()).select_from(Attachment)) == 1

    att = session.scalar(select(Attachment))
    url = f"/documents/{att.document_id}/attachments/{att.id}"
    got = teacher.get(url)
    assert got.status_code == 200 and got.data == PDF and "attachment" in got.headers["Content-Disposition"]
    assert login_as("zlc_admin").get(url).status_code == 200
    assert login_as("t06").get(url).status_code == 404
    assert teacher.post(f"/tasks/{task.id}/attachments/{att.id}/delete").status_code == 302
    assert session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_oversized_upload_is_refused(connection, clock, session):
    from tests.conftest import login, make_app

    task = implementation_task(session)
    app = make_app(ZHENGAI_DB_BIND=connection, ZHENGAI_CLOCK=clock, MAX_CONTENT_LENGTH=1024)
    client = login(app.test_client(), "t01")
    response = upload(client, task.id, "x", "big.pdf", PDF + b"0" * 5000)
    assert response.status_code == 413 and "上传内容过大" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Attachment)) == 0
