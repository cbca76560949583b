"""The teacher -> college path through the pages, as people click through it."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from engine.models import AuditEntry, Document, HumanTask
from tests.conftest import filled, form_fields, own_subject


def start_target(client, session, username="t01", doc_type="target"):
    subject = own_subject(session, username)
    response = client.post("/my-documents/start", data={"subject_id": subject.id, "doc_type": doc_type})
    assert response.status_code == 302
    task_id = int(re.search(r"/tasks/(\d+)", response.headers["Location"]).group(1))
    return task_id


def the_document(session, task_id) -> Document:
    session.expire_all()
    return session.get(Document, session.get(HumanTask, task_id).document_id)


def test_inbox_is_chinese_and_shows_empty_state(login_as):
    teacher = login_as("t01")
    page = teacher.get("/tasks").get_data(as_text=True)
    assert "我的待办" in page
    assert "暂无" in page


def test_teacher_to_college_with_a_return(login_as, session):
    teacher = login_as("t01")
    assert "教师发展目标" in teacher.get("/my-documents").get_data(as_text=True)
    task_id = start_target(teacher, session)
    page = teacher.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "个人发展定位目标" in page and "描述" in page and "备注" in page

    data = the_document(session, task_id).data
    draft = dict(data)
    draft = filled(data)
    draft["rows"][0]["cells"]["description"] = "草稿中的描述"
    fields = form_fields(draft)
    fields["action"] = "save"
    assert teacher.post(f"/tasks/{task_id}", data=fields).status_code == 302
    assert the_document(session, task_id).data["rows"][0]["cells"]["description"] == "草稿中的描述"

    # own row added next to the template items
    fields = form_fields(draft)
    n = len(draft["rows"])
    fields.update({f"rows-{n}-id": "cmy1", f"rows-{n}-section": draft["rows"][0]["section"],
                   f"rows-{n}-label": "指导学生竞赛", f"rows-{n}-included": "on",
                   f"rows-{n}-cells-description": "每年指导一项省级竞赛"})  # fmt: skip
    fields["action"] = "submit"
    response = teacher.post(f"/tasks/{task_id}", data=fields)
    assert response.status_code == 302
    doc = the_document(session, task_id)
    assert doc.status == "in_review"
    assert doc.data["rows"][-1]["label"] == "指导学生竞赛" and doc.data["rows"][-1]["custom"] is True

    reviewer = login_as("dzxy_reviewer")
    other_college = login_as("rjxy_reviewer")
    inbox = reviewer.get("/tasks").get_data(as_text=True)
    assert "张伟" in inbox and "审核" in inbox
    assert "张伟" not in other_college.get("/tasks").get_data(as_text=True)

    review_id = session.scalar(select(HumanTask.id).where(HumanTask.kind == "review", HumanTask.state == "open"))
    assert other_college.get(f"/tasks/{review_id}").status_code == 404
    colleague = login_as("dzxy_reviewer2")
    assert f"/tasks/{review_id}" in colleague.get("/tasks").get_data(as_text=True)
    assert reviewer.post(f"/tasks/{review_id}/claim").status_code == 302
    assert "赵院审" in reviewer.get("/tasks?tab=claimed").get_data(as_text=True)
    # the colleague no longer has it to do, sees who claimed it in the group tab, and cannot act on it
    assert f"/tasks/{review_id}" not in colleague.get("/tasks").get_data(as_text=True)
    group = colleague.get("/tasks?tab=groups").get_data(as_text=True)
    assert f"/tasks/{review_id}" in group and "赵院审" in group
    page = colleague.get(f"/tasks/{review_id}").get_data(as_text=True)
    assert "已被他人签收" in page and 'name="decision"' not in page
    late = colleague.post(f"/tasks/{review_id}", data={"decision": "approve", "comment": ""})
    assert late.status_code == 409 and "赵院审" in late.get_data(as_text=True)

    response = reviewer.post(f"/tasks/{review_id}", data={"decision": "return", "comment": "请补充科研目标"})
    assert response.status_code == 302
    assert the_document(session, task_id).status == "returned"

    inbox = teacher.get("/tasks").get_data(as_text=True)
    again = session.scalar(select(HumanTask.id).where(HumanTask.kind == "edit", HumanTask.state == "open"))
    assert f"/tasks/{again}" in inbox
    page = teacher.get(f"/tasks/{again}").get_data(as_text=True)
    assert "请补充科研目标" in page  # the reviewer's comment is shown to the author

    fields = form_fields(the_document(session, task_id).data)
    fields["action"] = "submit"
    assert teacher.post(f"/tasks/{again}", data=fields).status_code == 302
    second_review = session.scalar(select(HumanTask.id).where(HumanTask.kind == "review", HumanTask.state == "open"))
    assert reviewer.post(f"/tasks/{second_review}", data={"decision": "approve", "comment": "同意"}).status_code == 302

    doc = the_document(session, task_id)
    assert doc.status == "published" and doc.published_version == 1
    page = teacher.get(f"/documents/{doc.id}").get_data(as_text=True)
    assert "指导学生竞赛" in page and "已发布" in page
    assert teacher.get(f"/documents/{doc.id}/versions/1").status_code == 200
    assert other_college.get(f"/documents/{doc.id}").status_code == 404
    done = reviewer.get("/tasks?tab=done").get_data(as_text=True)
    assert "同意" in done or "通过" in done


def test_invalid_submission_shows_errors_and_saves_nothing(login_as, session):
    teacher = login_as("t01")
    task_id = start_target(teacher, session)
    before = the_document(session, task_id).data
    audits = session.scalar(select(func.count()).select_from(AuditEntry))
    fields = form_fields(before)  # every description still empty
    fields["rows-0-cells-remark"] = "x" * 501
    fields["action"] = "submit"
    response = teacher.post(f"/tasks/{task_id}", data=fields)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "请填写“描述”" in page and "最多 500 个字" in page
    assert "is-invalid" in page
    doc = the_document(session, task_id)
    assert doc.data == before and doc.status == "draft"
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == audits
    assert session.get(HumanTask, task_id).state == "open"


def test_review_return_needs_a_comment(login_as, session):
    teacher = login_as("t01")
    task_id = start_target(teacher, session)
    fields = form_fields(filled(the_document(session, task_id).data))
    teacher.post(f"/tasks/{task_id}", data=dict(fields, action="submit"))
    reviewer = login_as("dzxy_reviewer")
    review_id = session.scalar(select(HumanTask.id).where(HumanTask.kind == "review", HumanTask.state == "open"))
    response = reviewer.post(f"/tasks/{review_id}", data={"decision": "return", "comment": ""})
    assert response.status_code == 400
    assert "退回时请填写修改意见" in response.get_data(as_text=True)
    assert session.get(HumanTask, review_id).state == "open"


def test_other_teacher_and_unknown_ids_get_404(login_as, session):
    teacher = login_as("t01")
    task_id = start_target(teacher, session)
    doc_id = the_document(session, task_id).id
    other = login_as("t02")
    assert other.get(f"/tasks/{task_id}").status_code == 404
    assert other.post(f"/tasks/{task_id}", data={"action": "submit"}).status_code == 404
    assert other.post(f"/tasks/{task_id}/claim").status_code == 404
    assert other.get(f"/documents/{doc_id}").status_code == 404
    assert teacher.get("/tasks/999999").status_code == 404
    assert teacher.get("/tasks/abc").status_code == 404
    page = other.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "不存在" in page


def test_starting_a_document_for_someone_elses_subject_is_404(login_as, session):
    other = login_as("t02")
    response = other.post(
        "/my-documents/start", data={"subject_id": own_subject(session, "t01").id, "doc_type": "target"}
    )
    assert response.status_code == 404


def test_crash_in_a_request_leaves_nothing_behind(app, login_as, session, monkeypatch):
    import engine.workflow.runtime

    teacher = login_as("t01")
    task_id = start_target(teacher, session)
    fields = form_fields(filled(the_document(session, task_id).data))
    teacher.post(f"/tasks/{task_id}", data=dict(fields, action="submit"))
    reviewer = login_as("dzxy_reviewer")
    review_id = session.scalar(select(HumanTask.id).where(HumanTask.kind == "review", HumanTask.state == "open"))
    audits = session.scalar(select(func.count()).select_from(AuditEntry))

    def explode(wf):
        raise RuntimeError("disk full")

    monkeypatch.setattr(engine.workflow.runtime, "dump_state", explode)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = reviewer.post(f"/tasks/{review_id}", data={"decision": "approve", "comment": ""})
    assert response.status_code == 500
    assert "操作未生效" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(HumanTask, review_id).state == "open"
    assert the_document(session, task_id).status == "in_review"
    # nothing of the step is left; only the incident is recorded, for the administrators
    new_entries = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id).offset(audits)).all()
    assert new_entries == ["instance.error"]


def test_csrf_is_required_on_forms(connection, clock, session):
    from tests.conftest import make_app

    app = make_app(ZHENGAI_DB_BIND=connection, ZHENGAI_CLOCK=clock, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post("/login", data={"username": "t01", "password": "demo1234"})
    assert response.status_code == 400
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": "t01", "password": "demo1234", "csrf_token": token})
    assert response.status_code == 302


def test_wrong_password_and_rate_limit(connection, clock):
    from tests.conftest import make_app

    app = make_app(ZHENGAI_DB_BIND=connection, ZHENGAI_CLOCK=clock, RATELIMIT_ENABLED=True,
                   ZHENGAI_LOGIN_LIMIT="3 per minute")  # fmt: skip
    client = app.test_client()
    for _ in range(3):
        response = client.post("/login", data={"username": "t01", "password": "wrong"})
        assert response.status_code == 401 and "用户名或密码错误" in response.get_data(as_text=True)
    response = client.post("/login", data={"username": "t01", "password": "demo1234"})
    assert response.status_code == 429


def test_english_is_available(login_as):
    teacher = login_as("t01")
    teacher.post("/lang/en", data={"next": "/tasks"})
    page = teacher.get("/tasks").get_data(as_text=True)
    assert "My tasks" in page and "我的待办" not in page


def test_session_cookie_is_hardened(client):
    response = client.post("/login", data={"username": "t01", "password": "demo1234"})
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_autosave_keeps_half_written_work(login_as, session):
    teacher = login_as("t01")
    task_id = start_target(teacher, session)
    data = the_document(session, task_id).data
    data["rows"][1]["cells"]["description"] = "写了一半"
    response = teacher.post(
        f"/tasks/{task_id}/autosave", data=form_fields(data), headers={"Accept": "application/json"}
    )
    assert response.status_code == 200 and response.get_json()["saved_at"]
    assert the_document(session, task_id).data["rows"][1]["cells"]["description"] == "写了一半"
    other = login_as("t02")
    assert other.post(f"/tasks/{task_id}/autosave", data=form_fields(data)).status_code == 404
