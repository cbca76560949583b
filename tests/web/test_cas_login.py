"""CAS 2.0 / 3.0 login against a fake CAS server on loopback: the redirect, ticket validation at the
protocol level (/serviceValidate, /p3/serviceValidate), mapping the CAS user to 工号 / 学号, failures."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from engine.models import AuditEntry
from engine.org.sso import CasConfig, SsoConfig
from tests.conftest import make_app
from tests.web.sso_fixtures import FakeCas, make_person

BASE = "http://zhengai.test"


@pytest.fixture(scope="module")
def fake_cas():
    server = FakeCas()
    yield server
    server.close()


@pytest.fixture
def cas_app(connection, clock, fake_cas):
    fake_cas.broken = False
    fake_cas.requests.clear()

    def _make(config=None, **cas):
        sso = SsoConfig(cas=CasConfig(server_url=fake_cas.url, **cas), local_login="admins")
        return make_app(ZHENGAI_DB_BIND=connection, ZHENGAI_CLOCK=clock, ZHENGAI_SSO=sso, ZHENGAI_BASE_URL=BASE,
                        **(config or {}))  # fmt: skip

    return _make


def to_cas(client, fake_cas, url="/login/cas"):
    """Follow our redirect to the CAS server; returns the service URL the CAS server would send the user back to."""
    response = client.get(url)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(fake_cas.url + "login?")
    [service] = parse_qs(urlsplit(location).query)["service"]
    assert service.startswith(BASE + "/login/cas")
    return service


def back_from_cas(client, service, ticket):
    parts = urlsplit(service)
    sep = "&" if parts.query else "?"
    return client.get(parts.path + (("?" + parts.query) if parts.query else "") + f"{sep}ticket={ticket}")


def test_cas3_login_maps_the_cas_user_to_the_staff_number(session, cas_app, fake_cas):
    make_person(session, "T20001", "林老师")
    client = cas_app().test_client()
    page = client.get("/login").get_data(as_text=True)
    assert "统一身份认证登录" in page and 'href="/login/cas"' in page

    service = to_cas(client, fake_cas, "/login/cas?next=/profile")
    ticket = fake_cas.issue(service, "t20001", {"cn": "林老师", "mail": "t20001@college.test"})  # case differs
    response = back_from_cas(client, service, ticket)
    assert response.status_code == 302 and response.headers["Location"] == "/profile"
    assert fake_cas.requests[-1][0] == "/cas/p3/serviceValidate"
    assert fake_cas.requests[-1][1] == {"ticket": ticket, "service": service}

    profile = client.get("/profile").get_data(as_text=True)
    assert "林老师" in profile and "T20001" in profile
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "auth.login").order_by(AuditEntry.id.desc())
    ).first()
    assert entry.after["method"] == "cas"


def test_a_released_attribute_can_carry_the_student_number(session, cas_app, fake_cas):
    make_person(session, "S2024001", "王同学", kind="student")
    client = cas_app(user_attribute="employeeNumber").test_client()
    service = to_cas(client, fake_cas)
    ticket = fake_cas.issue(service, "110101200601011234", {"employeeNumber": "S2024001", "cn": "王同学"})
    response = back_from_cas(client, service, ticket)
    assert response.status_code == 302
    assert "王同学" in client.get("/profile").get_data(as_text=True)


def test_cas2_validates_at_service_validate(session, cas_app, fake_cas):
    make_person(session, "T20001", "林老师")
    client = cas_app(version=2).test_client()
    service = to_cas(client, fake_cas)
    response = back_from_cas(client, service, fake_cas.issue(service, "T20001"))
    assert response.status_code == 302
    assert fake_cas.requests[-1][0] == "/cas/serviceValidate"
    assert "林老师" in client.get("/profile").get_data(as_text=True)


def test_a_used_or_foreign_ticket_is_refused_and_nobody_is_signed_in(session, cas_app, fake_cas):
    make_person(session, "T20001", "林老师")
    client = cas_app().test_client()
    service = to_cas(client, fake_cas)
    ticket = fake_cas.issue(service, "T20001")
    assert back_from_cas(client, service, ticket).status_code == 302
    client.post("/logout")

    other = cas_app().test_client()
    replay = back_from_cas(other, service, ticket)  # the CAS server answers INVALID_TICKET the second time
    assert replay.status_code == 401
    assert "统一身份认证票据无效或已过期，请重新登录。" in replay.get_data(as_text=True)
    assert other.get("/profile").status_code == 302  # still signed out

    # a ticket issued for another service (another application of the school) is refused as well
    stolen = fake_cas.issue("http://library.college.test/", "T20001")
    assert back_from_cas(other, service, stolen).status_code == 401
    assert other.get("/profile").status_code == 302


def test_a_person_the_platform_does_not_know_is_told_so(session, cas_app, fake_cas):
    make_person(session, "T20050", "离职老师", active=False)
    client = cas_app().test_client()
    for cas_user in ("T20099", "T20050"):
        service = to_cas(client, fake_cas)
        response = back_from_cas(client, service, fake_cas.issue(service, cas_user))
        assert response.status_code == 403
        assert f"统一身份认证账号 {cas_user} 尚未在本平台登记或已停用，请联系管理员。" in response.get_data(
            as_text=True
        )
        assert client.get("/profile").status_code == 302
    failed = session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.login_failed")).all()
    assert {e.object_id for e in failed} >= {"T20099", "T20050"}


def test_a_broken_or_unreachable_cas_server_gets_a_clear_message(session, cas_app, fake_cas, connection, clock):
    make_person(session, "T20001", "林老师")
    client = cas_app().test_client()
    service = to_cas(client, fake_cas)
    ticket = fake_cas.issue(service, "T20001")
    fake_cas.broken = True
    response = back_from_cas(client, service, ticket)
    assert response.status_code == 503
    assert "统一身份认证服务暂时无法连接" in response.get_data(as_text=True)

    closed = FakeCas()
    closed.close()  # nothing listens on its port any more
    sso = SsoConfig(cas=CasConfig(server_url=closed.url, timeout=2))
    down = make_app(ZHENGAI_DB_BIND=connection, ZHENGAI_CLOCK=clock, ZHENGAI_SSO=sso, ZHENGAI_BASE_URL=BASE)
    response = down.test_client().get("/login/cas?ticket=ST-1-fake")
    assert response.status_code == 503 and "统一身份认证服务暂时无法连接" in response.get_data(as_text=True)


def test_logout_after_cas_also_ends_the_cas_session(session, cas_app, fake_cas):
    make_person(session, "T20001", "林老师")
    client = cas_app().test_client()
    service = to_cas(client, fake_cas)
    back_from_cas(client, service, fake_cas.issue(service, "T20001"))
    response = client.post("/logout")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(fake_cas.url + "logout?")
    assert parse_qs(urlsplit(location).query)["service"] == [BASE + "/login"]
    assert client.get("/profile").status_code == 302


def test_with_sso_only_administrators_keep_local_passwords(session, cas_app):
    make_person(session, "T20001", "林老师", password="local-pass-1")
    make_person(session, "A0001", "首位管理员", password="admin-pass-1", kind="staff", is_admin=True)
    client = cas_app().test_client()
    refused = client.post("/login", data={"username": "T20001", "password": "local-pass-1"})
    assert refused.status_code == 401 and "用户名或密码错误" in refused.get_data(as_text=True)
    page = client.get("/login").get_data(as_text=True)
    assert "管理员可使用本平台账号登录" in page
    admin = client.post("/login", data={"username": "A0001", "password": "admin-pass-1"})
    assert admin.status_code == 302
    assert client.post("/logout").headers["Location"] == "/login"  # a local login does not go to CAS


def test_without_cas_there_is_no_cas_login(client):
    assert client.get("/login/cas").status_code == 404
    assert "统一身份认证登录" not in client.get("/login").get_data(as_text=True)


def test_next_may_only_lead_inside_the_platform(session, cas_app, fake_cas):
    make_person(session, "T20001", "林老师")
    client = cas_app().test_client()
    service = to_cas(client, fake_cas, "/login/cas?next=//evil.example/")
    assert "evil" not in service
    response = back_from_cas(client, service, fake_cas.issue(service, "T20001"))
    assert response.status_code == 302 and "evil" not in response.headers["Location"]


def test_only_tickets_count_against_the_address_limit(session, cas_app, fake_cas):
    make_person(session, "T20001", "林老师")
    client = cas_app({"RATELIMIT_ENABLED": True, "ZHENGAI_LOGIN_ADDRESS_LIMIT": "2 per minute"}).test_client()
    services = [to_cas(client, fake_cas) for _ in range(5)]  # a campus behind one address going to CAS
    assert back_from_cas(client, services[0], "ST-bad-1").status_code == 401
    assert back_from_cas(client, services[0], "ST-bad-2").status_code == 401
    assert back_from_cas(client, services[0], fake_cas.issue(services[0], "T20001")).status_code == 429
