"""The JSON API: same actions, same permission checks, one error format."""

from __future__ import annotations

from sqlalchemy import select

from engine.models import HumanTask
from tests.conftest import filled, own_subject


def start_and_submit(login_as, session):
    teacher = login_as("t01")
    response = teacher.post(
        "/my-documents/start", data={"subject_id": own_subject(session, "t01").id, "doc_type": "target"}
    )
    task_id = int(response.headers["Location"].rsplit("/", 1)[1])
    body = teacher.get(f"/api/v1/tasks/{task_id}").get_json()
    assert body["kind"] == "edit" and body["document"]["status"] == "draft"
    response = teacher.post(f"/api/v1/tasks/{task_id}/complete", json={"document": filled(body["document"]["data"])})
    assert response.status_code == 200, response.get_json()
    return teacher, body["document"]["id"]


def test_list_show_claim_complete(login_as, session):
    _, doc_id = start_and_submit(login_as, session)
    reviewer = login_as("dzxy_reviewer")
    listing = reviewer.get("/api/v1/tasks").get_json()
    assert listing["total"] == 1
    item = listing["items"][0]
    assert item["subject_name"] == "张伟" and item["kind"] == "review" and item["overdue"] is False
    task_id = item["id"]
    assert reviewer.post(f"/api/v1/tasks/{task_id}/claim").get_json()["claimant_id"] is not None
    assert reviewer.get("/api/v1/tasks?tab=claimed").get_json()["total"] == 1
    response = reviewer.post(f"/api/v1/tasks/{task_id}/complete", json={"decision": "approve", "comment": "好"})
    assert response.status_code == 200 and response.get_json()["state"] == "completed"
    document = reviewer.get(f"/api/v1/documents/{doc_id}").get_json()
    assert document["status"] == "published" and [v["version"] for v in document["versions"]] == [1]
    assert reviewer.get(f"/api/v1/documents/{doc_id}?version=1").get_json()["version"] == 1


def test_errors_have_one_shape(login_as, session, client):
    _, doc_id = start_and_submit(login_as, session)
    task_id = session.scalar(select(HumanTask.id).where(HumanTask.kind == "review", HumanTask.state == "open"))

    anonymous = client.get("/api/v1/tasks")
    assert anonymous.status_code == 401 and anonymous.get_json()["error"]["code"] == "unauthorized"

    outsider = login_as("rjxy_reviewer")
    for response in (
        outsider.get(f"/api/v1/tasks/{task_id}"),
        outsider.post(f"/api/v1/tasks/{task_id}/claim"),
        outsider.post(f"/api/v1/tasks/{task_id}/complete", json={"decision": "approve"}),
        outsider.get(f"/api/v1/documents/{doc_id}"),
        outsider.get("/api/v1/tasks/999999"),
    ):
        assert response.status_code == 404
        error = response.get_json()["error"]
        assert error["code"] == "not_found" and error["message"] and error["fields"] == {}

    reviewer = login_as("dzxy_reviewer")
    bad = reviewer.post(f"/api/v1/tasks/{task_id}/complete", json={"decision": "maybe"})
    assert bad.status_code == 400
    assert bad.get_json()["error"]["fields"]["decision"] == ["请选择审核结果"]
    not_json = reviewer.post(f"/api/v1/tasks/{task_id}/complete", data="x", content_type="text/plain")
    assert not_json.status_code == 400 and not_json.get_json()["error"]["code"] == "invalid"
    assert session.get(HumanTask, task_id).state == "open"


def test_second_completion_is_409(login_as, session):
    start_and_submit(login_as, session)
    task_id = session.scalar(select(HumanTask.id).where(HumanTask.kind == "review", HumanTask.state == "open"))
    reviewer = login_as("dzxy_reviewer")
    assert reviewer.post(f"/api/v1/tasks/{task_id}/complete", json={"decision": "approve"}).status_code == 200
    again = reviewer.post(f"/api/v1/tasks/{task_id}/complete", json={"decision": "approve"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"


def test_bearer_token_works_without_csrf(connection, clock, session):
    from flask import Flask  # noqa: F401 - the token is made inside the app context

    from tests.conftest import make_app, user
    from web.db import db
    from web.org.auth import make_api_token

    app = make_app(ZHENGAI_DB_BIND=connection, ZHENGAI_CLOCK=clock, WTF_CSRF_ENABLED=True)
    with app.app_context():
        token = make_api_token(user(session, "dzxy_reviewer"))
        db.session.commit()  # tokens are stored (hashed)
    client = app.test_client()
    response = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert client.get("/api/v1/tasks", headers={"Authorization": "Bearer forged"}).status_code == 401


def test_only_the_team_leader_submits_a_team_document(login_as, session):
    from engine.models import Document, Subject, SubjectMember, User

    major = session.scalar(select(Subject).where(Subject.type == "major", Subject.code == "510102"))
    names = dict(
        session.execute(
            select(SubjectMember.role, User.username)
            .join(User, User.id == SubjectMember.user_id)
            .where(SubjectMember.subject_id == major.id)
        ).all()
    )
    member = login_as(names["member"])
    response = member.post("/my-documents/start", data={"subject_id": major.id, "doc_type": "target"})
    task_id = int(response.headers["Location"].rsplit("/", 1)[1])
    body = member.get(f"/api/v1/tasks/{task_id}").get_json()
    document = {"document": filled(body["document"]["data"])}

    refused = member.post(f"/api/v1/tasks/{task_id}/complete", json=document)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["message"] == "团队成员可以保存草稿，由负责人提交审核"
    assert session.get(HumanTask, task_id).state == "open"
    assert session.get(Document, body["document"]["id"]).status == "draft"

    leader = login_as(names["leader"])
    done = leader.post(f"/api/v1/tasks/{task_id}/complete", json=document)
    assert done.status_code == 200 and done.get_json()["state"] == "completed"
    assert session.get(Document, body["document"]["id"]).status == "in_review"


def test_every_response_carries_the_security_headers_once(login_as, client):
    reviewer = login_as("dzxy_reviewer")
    signed_in = reviewer.get("/api/v1/tasks")
    anonymous = client.get("/login")
    for response in (signed_in, anonymous):
        assert response.headers.getlist("X-Content-Type-Options") == ["nosniff"]
        assert response.headers.getlist("X-Frame-Options") == ["DENY"]
        assert response.headers.getlist("Referrer-Policy") == ["same-origin"]
        assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert signed_in.headers.getlist("Cache-Control") == ["no-store"]
    assert "no-store" not in anonymous.headers.get("Cache-Control", "")


def test_a_client_lists_its_documents_and_starts_one(login_as, session):
    teacher = login_as("t01")
    slots = teacher.get("/api/v1/my-documents").get_json()["items"]
    target = next(s for s in slots if s["doc_type"] == "target" and s["subject_id"] == own_subject(session, "t01").id)
    assert target["template_key"] and target["open_task_id"] is None
    started = teacher.post("/api/v1/documents/start", json={"subject_id": target["subject_id"], "doc_type": "target"})
    assert started.status_code == 201, started.get_json()
    task = started.get_json()
    assert task["kind"] == "edit" and task["state"] == "open" and task["document_id"]
    again = next(s for s in teacher.get("/api/v1/my-documents").get_json()["items"]
                 if s["doc_type"] == "target" and s["subject_id"] == target["subject_id"])  # fmt: skip
    assert again["open_task_id"] == task["id"] and again["document_id"] == task["document_id"]
    twice = teacher.post("/api/v1/documents/start", json={"subject_id": target["subject_id"], "doc_type": "target"})
    assert twice.status_code == 409 and twice.get_json()["error"]["message"]


def test_starting_a_document_refuses_what_is_not_yours(login_as, session):
    other = own_subject(session, "t02").id
    teacher = login_as("t01")
    for body in ({"subject_id": other, "doc_type": "target"}, {"subject_id": 10**30, "doc_type": "target"},
                 {"subject_id": "x", "doc_type": "target"}):  # fmt: skip
        assert teacher.post("/api/v1/documents/start", json=body).status_code == 404
    mine = own_subject(session, "t01").id
    assert teacher.post("/api/v1/documents/start", json={"subject_id": mine, "doc_type": "nope"}).status_code == 404
    assert teacher.post("/api/v1/documents/start", json=[1]).status_code == 400
    assert session.scalar(select(HumanTask.id).where(HumanTask.kind == "edit")) is None
