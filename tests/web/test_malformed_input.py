"""Malformed input is a clear 4xx (in the API's one error format on /api), never a 500, and changes nothing."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from engine.models import HumanTask, ProcessDraft
from tests.engine.test_modeling import TEACHER


@pytest.mark.parametrize("depth", [40, 100_000])
def test_deeply_nested_json_on_the_api_is_a_400_in_the_error_format(login_as, session, depth):
    from tests.web.test_api import start_and_submit

    teacher, _ = start_and_submit(login_as, session)
    task_id = session.scalar(select(HumanTask.id).where(HumanTask.state == "open"))
    body = "[" * depth + "]" * depth
    for path in (f"/api/v1/tasks/{task_id}/complete", f"/api/v1/tasks/{task_id}/draft", "/api/v1/tasks/batch-complete"):
        response = login_as("dzxy_reviewer").post(path, data=body, content_type="application/json")
        assert response.status_code == 400, (path, response.status_code)
        error = response.get_json()["error"]
        assert error["code"] == "invalid" and "嵌套层数过多" in error["message"]
    assert session.scalar(select(HumanTask.state).where(HumanTask.id == task_id)) == "open"


def test_a_deeply_nested_object_is_refused_too(login_as, session):
    body = '{"a":' * 50 + "1" + "}" * 50
    response = login_as("t01").post("/api/v1/tasks/1/draft", data=body, content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid"


def test_ordinary_nesting_is_accepted(login_as, session):
    from tests.web.test_api import start_and_submit

    start_and_submit(login_as, session)  # a whole form document goes through the API


def test_deeply_nested_json_in_the_modeler_is_a_400(login_as):
    body = '{"expression":' + "[" * 100_000 + "]" * 100_000 + "}"
    response = login_as("rsc_reviewer").post(
        "/processes/chain_teacher/check-expression", data=body, content_type="application/json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize("encoding", ["gbk", "utf-16"])
def test_a_bpmn_file_that_is_not_utf8_gets_a_clear_message(login_as, session, encoding):
    xml = TEACHER.replace('<?xml version="1.0" encoding="UTF-8"?>', f'<?xml version="1.0" encoding="{encoding}"?>')
    xml = xml.replace("</bpmn:definitions>", "<!-- 诊改 -->\n</bpmn:definitions>")
    client = login_as("rsc_reviewer")
    response = client.post(
        "/processes/chain_teacher/import", data={"file": (io.BytesIO(xml.encode(encoding)), "gbk.bpmn")}
    )
    assert response.status_code == 400
    assert "不是 UTF-8 编码" in response.get_data(as_text=True)
    assert session.scalar(select(ProcessDraft)) is None


@pytest.mark.parametrize(
    "path",
    ["/processes/chain_teacher/import", "/admin/imports", "/tasks/1/attachments"],
)
def test_malformed_multipart_is_no_server_error(login_as, path):
    client = login_as("admin")
    for body in (b"garbage without a boundary", b'--xyz\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc'):
        response = client.post(path, data=body, content_type="multipart/form-data; boundary=xyz")
        assert 400 <= response.status_code < 500 or response.status_code in (302, 303), response.status_code
    response = client.post(path, data=b"x", content_type="multipart/form-data")  # no boundary at all
    assert response.status_code < 500
