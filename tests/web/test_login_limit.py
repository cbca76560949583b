"""The login limit per user name and per address, the 429 page, and which storage counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from limits.storage import MemoryStorage
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.db import make_engine
from engine.core.migrate import upgrade
from engine.models import RateLimitCounter
from engine.security.ratelimit import DatabaseStorage
from tests.conftest import NOW, SETTINGS, fresh_database, make_app


def limited_app(connection, clock, **config):
    return make_app(ZHENGAI_DB_BIND=connection, ZHENGAI_CLOCK=clock, RATELIMIT_ENABLED=True, **config)


def attempt(client, username: str, password: str = "wrong", address: str = "127.0.0.1", **headers):
    return client.post(
        "/login", data={"username": username, "password": password}, environ_base={"REMOTE_ADDR": address},
        headers=headers,
    )  # fmt: skip


def test_the_sixth_attempt_for_a_user_name_from_one_address_is_refused_but_not_its_owner_elsewhere(connection, clock):
    client = limited_app(connection, clock).test_client()
    codes = [attempt(client, "t01", address="10.0.0.1").status_code for _ in range(8)]
    assert codes == [401] * 5 + [429] * 3
    # the right password does not get through from that address either
    assert attempt(client, "t01", "demo1234", address="10.0.0.1").status_code == 429
    # the owner at their own desk is not locked out by someone hammering their name elsewhere
    assert attempt(client, "T01", "demo1234", address="10.0.0.2").status_code == 302


def test_a_name_hammered_from_many_addresses_meets_the_higher_per_name_limit(connection, clock):
    client = limited_app(connection, clock, ZHENGAI_LOGIN_NAME_LIMIT="12 per minute").test_client()
    codes = [attempt(client, "t01", address=f"10.0.1.{i}").status_code for i in range(14)]
    assert codes == [401] * 12 + [429] * 2
    assert attempt(client, "t02", "demo1234", address="10.0.1.99").status_code == 302  # other names go on


def _alerts(connection, username):
    from engine.models import Notification, User

    with Session(bind=connection) as s:
        owner = s.scalar(select(User).where(User.username == username))
        return s.scalars(select(Notification).where(Notification.user_id == owner.id,
                                                    Notification.digest_key.like("login-alert:%"))).all()  # fmt: skip


def test_the_owner_is_told_when_their_name_is_hammered_once_an_hour(connection, clock):
    client = limited_app(connection, clock, ZHENGAI_LOGIN_ALERT_AFTER=3).test_client()
    for i in range(2):
        attempt(client, "t01", address=f"10.0.2.{i}")
    assert _alerts(connection, "t01") == []
    for i in range(2, 6):
        attempt(client, "t01", address=f"10.0.2.{i}")
    alerts = _alerts(connection, "t01")
    assert len(alerts) == 1  # one notice, not one per attempt
    assert alerts[0].title == "您的账号多次登录失败" and "3 次" in alerts[0].body
    assert _alerts(connection, "t02") == []
    # the owner sees it in their notifications
    owner = limited_app(connection, clock).test_client()
    assert attempt(owner, "t01", "demo1234", address="10.9.9.9").status_code == 302
    assert "您的账号多次登录失败" in owner.get("/notifications").get_data(as_text=True)
    clock.advance(timedelta(hours=1, minutes=1))
    for i in range(3):
        attempt(client, "t01", address=f"10.0.3.{i}")
    assert len(_alerts(connection, "t01")) == 2  # a new hour, a new notice


def test_the_429_page_says_when_to_retry_and_offers_the_login_page(connection, clock):
    client = limited_app(connection, clock).test_client()
    for _ in range(5):
        attempt(client, "t01")
    clock.advance(timedelta(seconds=20))
    response = attempt(client, "t01")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "41"  # the window opened 20 s ago; reset_at rounds up
    page = response.get_data(as_text=True)
    assert "登录尝试次数过多" in page and "请在 41 秒后再试" in page
    link = re.search(r'<a class="btn btn-primary" href="([^"]+)" data-testid="login-link">返回登录页</a>', page)
    assert link and link.group(1) == "/login"
    assert "返回我的待办" not in page
    assert "用户名" in client.get(link.group(1)).get_data(as_text=True)  # the link leads to the form

    clock.advance(timedelta(seconds=41))  # the window has closed: the user may log in again
    assert attempt(client, "t01", "demo1234").status_code == 302


def test_json_clients_get_the_json_error_and_retry_after(connection, clock):
    client = limited_app(connection, clock, ZHENGAI_LOGIN_LIMIT="2 per minute").test_client()
    for _ in range(2):
        assert attempt(client, "t01", Accept="application/json").status_code == 401
    response = attempt(client, "t01", Accept="application/json")
    assert response.status_code == 429 and response.headers["Retry-After"] == "61"
    error = response.get_json()["error"]
    assert error["code"] == "too_many_requests" and "61 秒后再试" in error["message"] and error["fields"] == {}


def test_long_windows_are_told_in_minutes(connection, clock):
    client = limited_app(connection, clock, ZHENGAI_LOGIN_LIMIT="1 per hour").test_client()
    attempt(client, "t01")
    response = attempt(client, "t01")
    assert response.headers["Retry-After"] == "3601"
    assert "请在 61 分钟后再试" in response.get_data(as_text=True)  # 3601 s rounded up


def test_per_address_limit_counts_every_user_name(connection, clock):
    client = limited_app(connection, clock, ZHENGAI_LOGIN_ADDRESS_LIMIT="4 per minute").test_client()
    codes = [attempt(client, f"nobody{i}", address="10.1.1.1").status_code for i in range(6)]
    assert codes == [401] * 4 + [429] * 2
    assert attempt(client, "nobody9", address="10.1.1.2").status_code == 401  # another address


def test_get_is_not_counted_and_the_disabled_switch_still_disables(connection, clock, monkeypatch):
    client = limited_app(connection, clock, ZHENGAI_LOGIN_LIMIT="1 per minute").test_client()
    for _ in range(5):
        assert client.get("/login").status_code == 200
    assert attempt(client, "t01").status_code == 401

    from web import create_app

    monkeypatch.setenv("ZHENGAI_RATELIMIT_DISABLED", "1")
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "ZHENGAI_DB_BIND": connection,
                      "ZHENGAI_CLOCK": clock, "ZHENGAI_LOGIN_LIMIT": "1 per minute"})  # fmt: skip
    client = app.test_client()
    assert [attempt(client, "t01").status_code for _ in range(4)] == [401] * 4


def test_the_database_is_the_default_storage_and_memory_can_still_be_chosen(connection, clock, monkeypatch):
    from web.extensions import limiter

    monkeypatch.delenv("ZHENGAI_RATELIMIT_STORAGE_URI", raising=False)
    limited_app(connection, clock)
    assert isinstance(limiter.limiter.storage, DatabaseStorage)
    monkeypatch.setenv("ZHENGAI_RATELIMIT_STORAGE_URI", "memory://")
    limited_app(connection, clock)
    assert isinstance(limiter.limiter.storage, MemoryStorage)


@pytest.fixture(scope="module")
def migrated_url(tmp_path_factory):
    url = fresh_database(tmp_path_factory.mktemp("limit"), "limit")
    upgrade(url)
    return url


def test_failed_requests_rolled_back_still_count(migrated_url, monkeypatch):
    """The limiter commits on its own connection: a login request that fails and rolls back still counts."""
    import web.org.auth

    app = make_app(DATABASE_URL=migrated_url, ZHENGAI_CLOCK=lambda: NOW, RATELIMIT_ENABLED=True)

    def broken_audit(*args, **kwargs):
        raise RuntimeError("the database went away mid-request")

    monkeypatch.setattr(web.org.auth.audit, "record", broken_audit)
    client = app.test_client()
    codes = [attempt(client, "ghost").status_code for _ in range(7)]
    assert codes == [500] * 5 + [429] * 2
    eng = make_engine(migrated_url)
    with Session(eng, info=SETTINGS.session_info()) as s:
        counts = dict(s.execute(select(RateLimitCounter.key, RateLimitCounter.count)).all())
    eng.dispose()
    assert any("login:ghost" in key and count == 7 for key, count in counts.items()), counts


def test_behind_a_proxy_each_client_address_is_counted_and_audited(connection, clock, session):
    from dataclasses import replace

    from engine.models import AuditEntry

    behind = limited_app(connection, clock, ZHENGAI_LOGIN_ADDRESS_LIMIT="3 per minute",
                         ZHENGAI_SETTINGS=replace(SETTINGS, proxy_hops=1)).test_client()  # fmt: skip
    proxy = "10.9.9.9"  # every request reaches the app from the proxy's address

    def via_proxy(name, client_address, **kw):
        return attempt(behind, name, address=proxy, **{"X-Forwarded-For": client_address}, **kw)

    assert [via_proxy(f"a{i}", "203.0.113.5").status_code for i in range(4)] == [401] * 3 + [429]
    assert via_proxy("b0", "198.51.100.7").status_code == 401  # another client behind the same proxy: own count
    assert via_proxy("t01", "198.51.100.7", password="demo1234").status_code == 302
    addresses = session.scalars(
        select(AuditEntry.after)
        .where(AuditEntry.action.in_(["auth.login", "auth.login_failed"]))
        .order_by(AuditEntry.id)
    ).all()
    assert [a["address"] for a in addresses][-2:] == ["198.51.100.7", "198.51.100.7"]
    assert "203.0.113.5" in {a["address"] for a in addresses} and proxy not in {a["address"] for a in addresses}

    # without ZHENGAI_PROXY_HOPS the header is not trusted: everyone behind the proxy shares its address
    direct = limited_app(connection, clock, ZHENGAI_LOGIN_ADDRESS_LIMIT="3 per minute").test_client()
    codes = [attempt(direct, f"c{i}", address="10.8.8.8", **{"X-Forwarded-For": f"192.0.2.{i}"}).status_code
             for i in range(4)]  # fmt: skip
    assert codes == [401] * 3 + [429]
