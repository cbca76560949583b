"""The OpenAPI description of /api/v1: it names every route (and no other), their errors and their auth; it is
public; 个人设置 links to its Swagger UI page; responses the fuzzing rarely reaches match it too."""

from __future__ import annotations

import re

import schemathesis

from engine.models import HumanTask
from tests.conftest import make_app
from tests.engine.test_deadlines import submit_target
from tests.web.test_task_history import administer

APP = make_app()


def _description(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def _api_rules() -> set[tuple[str, str]]:
    out = set()
    for rule in APP.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            out |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return out


def test_every_api_route_is_described_and_nothing_else(client):
    description = _description(client)
    described = {(path, method) for path, ops in description["paths"].items() for method in ops}
    assert described == _api_rules()
    assert len(described) == 12


def test_every_operation_names_its_errors_and_its_auth(client):
    description = _description(client)
    assert description["openapi"].startswith("3.")
    schemes = description["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["bearerAuth"]["description"],
    }
    assert (
        schemes["sessionCookie"]["in"] == "cookie"
        and schemes["sessionCookie"]["name"] == APP.config["SESSION_COOKIE_NAME"]
    )
    assert schemes["csrfToken"] == {**schemes["csrfToken"], "in": "header", "name": "X-CSRFToken"}
    for path, ops in description["paths"].items():
        for method, op in ops.items():
            codes = set(op["responses"])
            if path.endswith("/openapi.json"):
                assert op["security"] == [] and "401" not in codes
                continue
            if path == "/api/v1/feeds/{feed_key}/records":  # a provider's feed token, never a user's session
                assert op["security"] == [{"feedToken": []}] and {"400", "401", "403", "429"} <= codes
                continue
            assert {"401", "429"} <= codes, (path, method)
            if "{" in path:
                assert "404" in codes
            if method == "post":
                assert {"400", "409"} <= codes and {"sessionCookie": [], "csrfToken": []} in op["security"]
                assert {"bearerAuth": []} in op["security"]
            for code, response in op["responses"].items():
                if code >= "400":
                    ref = response["$ref"].rsplit("/", 1)[1]
                    error = description["components"]["responses"][ref]["content"]["application/json"]
                    assert error["schema"] == {"$ref": "#/components/schemas/Error"}
    bodies = {
        p: ops["post"]["requestBody"] for p, ops in description["paths"].items() if "requestBody" in ops.get("post", {})
    }
    assert set(bodies) == {
        "/api/v1/tasks/{task_id}/complete", "/api/v1/tasks/{task_id}/draft", "/api/v1/tasks/batch-complete",
        "/api/v1/documents/start", "/api/v1/feeds/{feed_key}/records",
    }  # fmt: skip
    batch = description["components"]["schemas"]["BatchBody"]
    assert batch["required"] == ["task_ids"] and batch["properties"]["task_ids"]["maxItems"] == 200


def test_the_description_is_public_and_the_rest_is_not(client):
    assert _description(client)["info"]["title"] == "诊改平台 API"
    refused = client.get("/api/v1/tasks")
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "unauthorized"


def test_profile_links_to_the_api_docs_page(login_as, client):
    teacher = login_as("t01")
    profile = teacher.get("/profile").get_data(as_text=True)
    link = re.search(r'href="([^"]+)" data-testid="api-docs-link">API 文档<', profile).group(1)
    page = teacher.get(link)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<h1 class="h4">API 文档</h1>' in html
    spec_url = re.search(r'data-spec-url="([^"]+)"', html).group(1)
    assert _description(teacher) == teacher.get(spec_url).get_json()
    for asset in re.findall(r'(?:src|href)="(/(?:vendor|static)/[^"]+)"', html):
        assert teacher.get(asset).status_code == 200, asset
    assert "swagger-ui-bundle.js" in html and "api_docs.js" in html
    assert client.get(link).status_code == 302  # signed out: the login page


def test_batch_takes_the_described_ids_only(login_as, session):
    """task_ids are positive integers as described, so each result's id is the task's integer id."""
    reviewer = login_as("dzxy_reviewer")
    for body in ({"task_ids": ["1"]}, {"task_ids": [True]}, {"task_ids": [0]}, {"task_ids": [1], "comment": 5}):
        response = reviewer.post("/api/v1/tasks/batch-complete", json=body)
        assert response.status_code == 400, body
        assert set(response.get_json()["error"]["fields"]) == ({"comment"} if "comment" in body else {"task_ids"})
    unknown = reviewer.post("/api/v1/tasks/batch-complete", json={"task_ids": [987654]}).get_json()["results"]
    assert unknown == [
        {"id": 987654, "ok": False, "name": "", "title": "", "subject": "", "message": "无权办理或不存在的任务"}
    ]


def test_a_task_with_administrators_events_matches_the_description(login_as, session, client):
    """The fuzzing never reassigns: the timeline of a reassigned, extended, reminded task is checked here."""
    review = submit_target(session, "t01")
    administer(session, review)
    schema = schemathesis.openapi.from_dict(_description(client))
    response = login_as("dzxy_reviewer2").get(f"/api/v1/tasks/{review.id}")
    body = response.get_json()
    events = body["history"][-1]["events"]
    assert [e["kind"] for e in events] == ["remind", "extend", "reassign"]
    assert events[1]["due_at"] == "2026-12-15T15:59:59+00:00" and events[0]["at"].startswith("2026-11-24T02:00:00")
    schema["/api/v1/tasks/{task_id}"]["GET"].validate_response(response)


def test_a_nul_character_anywhere_is_a_400_and_changes_nothing(login_as, session):
    """What the fuzzing found on PostgreSQL (which stores no NUL in text or JSON): a clear 400, not a 500."""
    review = submit_target(session, "t01")
    reviewer = login_as("dzxy_reviewer")
    for response in (
        reviewer.get("/api/v1/tasks?q=a%00b"),
        reviewer.get(f"/api/v1/documents/{review.document_id}?version=%00"),
        reviewer.post(f"/api/v1/tasks/{review.id}/complete", json={"decision": "return", "comment": "退\x00回"}),
        reviewer.post("/api/v1/tasks/batch-complete", json={"task_ids": [review.id], "comment": "同意\x00"}),
    ):
        assert response.status_code == 400
        assert response.get_json()["error"]["message"] == "请求中含有不允许的空字符（NUL）"
    page = reviewer.get("/tasks?q=%00")
    assert page.status_code == 400 and "请求中含有不允许的空字符（NUL）" in page.get_data(as_text=True)
    form = reviewer.post(f"/tasks/{review.id}", data={"decision": "return", "comment": "\x00"})
    assert form.status_code == 400 and "请求中含有不允许的空字符（NUL）" in form.get_data(as_text=True)
    session.expire_all()
    assert session.get(HumanTask, review.id).state == "open"


def test_an_id_beyond_the_id_columns_is_a_404(login_as):
    """Ids are INTEGER columns: on PostgreSQL a larger number bound to one was a 500."""
    reviewer = login_as("dzxy_reviewer")
    for path in ("/api/v1/tasks/2147483648", "/api/v1/documents/9223372036854775806", "/tasks/2147483648"):
        assert reviewer.get(path).status_code == 404, path
    claim = reviewer.post("/api/v1/tasks/2147483648/claim")
    assert claim.status_code == 404 and claim.get_json()["error"]["code"] == "not_found"
