"""Issue #14, accounts: logout ends the session on the server, scoped and revocable tokens, no open redirect,
no token in the access log, separation of duties on reviews."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine import org
from engine.models import AuditEntry, HumanTask, TaskCandidate
from engine.workflow import runtime
from engine.workflow.readmodel import set_candidates
from tests.conftest import NOW, login, make_app, user
from tests.engine.test_deadlines import submit_target

# -- no open redirect ----------------------------------------------------------------------------------

OFF_SITE = [
    "//evil.example",
    "/\\evil.example",
    "/%09/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/ /evil.example",
    "/\x00/evil.example",
    "/\x7f/evil.example",
    "/\u3000/evil.example",  # an ideographic space
    "/%2F/evil.example",  # "//" once decoded
    "/%5Cevil.example",  # "/\" once decoded
    "/%252F%252Fevil.example",
    "https:evil.example",
    "https://evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "\\\\evil.example",
    "evil.example",
    "",
    None,
    "/" + "a" * 3000,
]
LOCAL = ["/", "/tasks", "/tasks/5?tab=history", "/documents?q=%E8%AF%8A%E6%94%B9", "/a/b#frag", "/search?q=a%20b"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_no_next_leaves_the_site(target):
    from web.helpers import is_local_path

    assert not is_local_path(target)


@pytest.mark.parametrize("target", LOCAL)
def test_local_paths_are_kept(target):
    from web.helpers import is_local_path

    assert is_local_path(target)


@pytest.mark.parametrize("target", ["/%09/evil.example", "//evil.example", "/\\evil", "https:evil.example",
                                    "/%0d%0a/evil.example"])  # fmt: skip
def test_login_and_language_switch_stay_on_the_site(app, target):
    client = app.test_client()
    response = client.post(
        "/login?next=" + target.replace("\\", "%5C"), data={"username": "t01", "password": "demo1234"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"
    switched = client.post("/lang/en", data={"next": target})
    assert switched.status_code == 302 and switched.headers["Location"] == "/"


def test_a_local_next_is_followed(app):
    response = app.test_client().post("/login?next=/notifications", data={"username": "t01", "password": "demo1234"})
    assert response.headers["Location"] == "/notifications"


# -- logout ends the session on the server ------------------------------------------------------------


def test_logout_ends_the_old_session_cookie_and_the_remember_cookie(app, session):
    client = app.test_client()
    client.post("/login", data={"username": "t01", "password": "demo1234", "remember": "1"})
    assert client.get("/profile").status_code == 200
    jar = {c.key: c.value for c in client._cookies.values()}
    assert app.config["REMEMBER_COOKIE_NAME"] in jar

    assert client.post("/logout").status_code == 302
    assert client.get("/profile").status_code == 302

    thief = app.test_client()  # someone who copied both cookies before the logout
    for name, value in jar.items():
        thief.set_cookie(name, value)
    assert thief.get("/profile").status_code == 302
    thief = app.test_client()
    thief.set_cookie(app.config["REMEMBER_COOKIE_NAME"], jar[app.config["REMEMBER_COOKIE_NAME"]])
    assert thief.get("/profile").status_code == 302
    assert session.scalars(select(AuditEntry.action).where(AuditEntry.action == "auth.logout")).all() == ["auth.logout"]

    again = login(app.test_client(), "t01")  # logging in again works
    assert again.get("/profile").status_code == 200


# -- tokens: scopes, storage, listing, revoking -------------------------------------------------------


def _issue(client, scope: str, revoke_old: bool = True) -> str:
    data = {"scope": scope, **({"revoke_old": "1"} if revoke_old else {})}
    page = client.post("/profile", data=data).get_data(as_text=True)
    testid = "calendar-url" if scope == "calendar" else "api-token"
    value = re.search(rf'data-testid="{testid}">([^<]+)<', page).group(1)
    return value.split("token=")[1] if scope == "calendar" else value


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_each_token_works_only_in_its_scope(app, session):
    from engine.models import ApiToken

    client = login(app.test_client(), "dzxy_reviewer")
    api_token, calendar_token = _issue(client, "api"), _issue(client, "calendar")
    anonymous = app.test_client()
    assert anonymous.get("/api/v1/tasks", headers=_bearer(api_token)).status_code == 200
    assert anonymous.get("/api/v1/tasks", headers=_bearer(calendar_token)).status_code == 401
    assert anonymous.get(f"/calendar.ics?token={calendar_token}").status_code == 200
    assert anonymous.get(f"/calendar.ics?token={api_token}").status_code == 401
    # an API token never signs anyone in on a page
    assert anonymous.get("/profile", headers=_bearer(api_token)).status_code == 302
    assert anonymous.get("/tasks", headers=_bearer(api_token)).status_code == 302
    # the database holds digests, never the tokens
    stored = session.scalars(select(ApiToken.token_hash)).all()
    assert len(stored) == 2 and api_token not in stored and calendar_token not in stored


def test_an_authorization_header_does_not_switch_off_csrf_on_pages(connection, clock):
    app = make_app(ZHENGAI_DB_BIND=connection, ZHENGAI_CLOCK=clock, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "t01", "password": "demo1234", "csrf_token": csrf})
    # a forged cross-site form with any bearer header must still be refused
    response = client.post("/lang/en", data={"next": "/"}, headers=_bearer("anything"))
    assert response.status_code == 400
    assert client.post("/logout", headers=_bearer("anything")).status_code == 400
    assert client.get("/profile").status_code == 200  # still signed in: the forged logout did nothing
    # on the API a bearer header is the only credential: the session cookie beside a forged token counts for nothing
    assert client.get("/api/v1/tasks").status_code == 200
    assert client.get("/api/v1/tasks", headers=_bearer("forged")).status_code == 401


def test_tokens_are_listed_revoked_and_replaced(app, session):
    from engine.models import ApiToken

    client = login(app.test_client(), "dzxy_reviewer")
    assert 'data-testid="no-tokens"' in client.get("/profile").get_data(as_text=True)
    first = _issue(client, "api")
    kept = _issue(client, "api", revoke_old=False)  # a second one alongside
    anonymous = app.test_client()
    assert anonymous.get("/api/v1/tasks", headers=_bearer(first)).status_code == 200
    assert anonymous.get("/api/v1/tasks", headers=_bearer(kept)).status_code == 200

    page = client.get("/profile").get_data(as_text=True)
    assert page.count('data-testid="token-row"') == 2 and f"{first[:6]}…" in page and first not in page
    newest = session.scalars(select(ApiToken).order_by(ApiToken.id.desc())).first()
    assert client.post(f"/profile/tokens/{newest.id}/revoke").status_code == 302
    assert anonymous.get("/api/v1/tasks", headers=_bearer(kept)).status_code == 401
    assert anonymous.get("/api/v1/tasks", headers=_bearer(first)).status_code == 200
    page = client.get("/profile").get_data(as_text=True)
    assert "已撤销" in page and page.count('data-testid="revoke-token"') == 1

    third = _issue(client, "api")  # "revoke the old ones" is ticked by default
    assert anonymous.get("/api/v1/tasks", headers=_bearer(first)).status_code == 401
    assert anonymous.get("/api/v1/tasks", headers=_bearer(third)).status_code == 200

    # another user's token cannot be revoked by guessing its id, nor a token that does not exist
    other = login(app.test_client(), "t01")
    mine = session.scalars(select(ApiToken).order_by(ApiToken.id.desc())).first()
    assert other.post(f"/profile/tokens/{mine.id}/revoke").status_code == 404
    assert other.post("/profile/tokens/99999999999999999999/revoke").status_code == 404
    assert anonymous.get("/api/v1/tasks", headers=_bearer(third)).status_code == 200


def test_serve_leaves_gunicorns_access_log_off(monkeypatch, tmp_path):
    """Our access log (web/access_log.py, no query strings: tests/web/test_structured_logs.py) is the only one:
    gunicorn's, which would log `%(r)s` with a calendar token in it, is not switched on."""
    from click.testing import CliRunner

    from web import cli

    argv = []
    monkeypatch.chdir(tmp_path)
    for name in ("ZHENGAI_HOST", "ZHENGAI_PORT"):  # serve sets them for its workers: restored after the test
        monkeypatch.setenv(name, "")
    monkeypatch.setattr(cli.os, "execvp", lambda _exe, args: argv.extend(args))
    result = CliRunner().invoke(cli.main, ["serve", "--port", "5099", "--control-socket", "off"])
    assert result.exit_code == 0, result.output
    assert "gunicorn" in argv and "web.wsgi:app" in argv
    assert not [a for a in argv if a.startswith("--access-log")]


# -- separation of duties -----------------------------------------------------------------------------


def _batch(client, **data):
    response = client.post("/monitor/tasks/batch", data=data)
    return client.get(response.headers["Location"]) if response.status_code == 302 else response


def test_the_author_cannot_be_given_their_own_review(login_as, session):
    review = submit_target(session, "t01")
    office = login_as("zlc_admin")
    result = _batch(office, action="reassign", task_ids=[review.id], username="t01", reassign_reason="")
    body = result.get_data(as_text=True)
    assert "批量转办：成功 0 项，失败 1 项" in body and "是该文档的编写人，不能转办其审核任务" in body
    candidates = session.scalars(select(TaskCandidate.principal).where(TaskCandidate.task_id == review.id)).all()
    assert candidates and org.user_principal(user(session, "t01").id) not in candidates
    moved = _batch(office, action="reassign", task_ids=[review.id], username="t02", reassign_reason="")
    assert "批量转办：成功 1 项" in moved.get_data(as_text=True)  # someone else may take it


def test_the_author_can_neither_claim_nor_complete_their_own_review_however_it_reached_them(login_as, session):
    review = submit_target(session, "t01")
    author = user(session, "t01")
    set_candidates(session, review, [org.user_principal(author.id)], author.display_name)  # e.g. an old data fix
    session.flush()
    client = login_as("t01")
    claim = client.post(f"/tasks/{review.id}/claim")
    assert claim.status_code == 403 and "不能审核自己的文档" in claim.get_data(as_text=True)
    done = client.post(f"/tasks/{review.id}", data={"decision": "approve", "comment": ""})
    assert done.status_code == 403 and "不能审核自己的文档" in done.get_data(as_text=True)
    api = client.post(f"/api/v1/tasks/{review.id}/complete", json={"decision": "approve"})
    assert api.status_code == 403 and "不能审核自己的文档" in api.get_json()["error"]["message"]
    session.expire_all()
    assert session.get(HumanTask, review.id).state == "open"
    with pytest.raises(Exception, match="不能审核自己的文档|forbidden"):
        runtime.complete_task(session, author, review.id, {"decision": "approve"}, NOW)
