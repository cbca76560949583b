"""LDAP bind against a real OpenLDAP (Debian slapd) started by .ci/with-ldap.sh on loopback with the
directory .ci/ldap-test.ldif; skipped when ZHENGAI_TEST_LDAP_URL is unset (`make test` sets it with
ZHENGAI_TEST_LDAP=1, as .ci/run does)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from engine.models import AuditEntry
from engine.org.sso import LdapConfig, SsoConfig
from engine.org.sso.ldap import LdapResult, authenticate
from tests.conftest import make_app
from tests.web.sso_fixtures import make_person

LDAP_URL = os.environ.get("ZHENGAI_TEST_LDAP_URL")
pytestmark = pytest.mark.skipif(not LDAP_URL, reason="no test LDAP server (run under .ci/with-ldap.sh)")

SUFFIX = "dc=zhengai,dc=test"
DIRECT = {"user_dn": "uid={username},ou=staff," + SUFFIX}
SEARCH = {"base_dn": SUFFIX, "bind_dn": "cn=reader,ou=services," + SUFFIX, "bind_password": "reader-secret"}


@pytest.fixture
def ldap_app(connection, clock):
    def _make(local_login="admins", url=None, **ldap):
        sso = SsoConfig(ldap=LdapConfig(url=url or LDAP_URL, **ldap), local_login=local_login)
        return make_app(ZHENGAI_DB_BIND=connection, ZHENGAI_CLOCK=clock, ZHENGAI_SSO=sso)

    return _make


def post_login(client, username, password):
    return client.post("/login", data={"username": username, "password": password})


def test_the_directory_password_signs_a_teacher_in_and_the_local_one_does_not(session, ldap_app):
    make_person(session, "T20001", "林老师", password="local-pass-1")
    client = ldap_app(**DIRECT).test_client()
    page = client.get("/login").get_data(as_text=True)
    assert "工号 / 学号" in page and "统一身份认证密码" in page

    assert post_login(client, "T20001", "local-pass-1").status_code == 401  # SSO on: only admins keep local ones
    wrong = post_login(client, "T20001", "ldap-pass-wrong")
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.get_data(as_text=True)
    assert post_login(client, "T20001", "ldap-pass-T20001").status_code == 302
    assert "林老师" in client.get("/profile").get_data(as_text=True)
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.login")).all()[-1]
    assert entry.after["method"] == "ldap"


def test_search_mode_finds_students_in_another_branch_and_escapes_the_filter(session, ldap_app):
    make_person(session, "S2024001", "王同学", kind="student")
    make_person(session, "T20002", "钱老师")
    client = ldap_app(**SEARCH).test_client()
    assert post_login(client, "S2024*", "ldap-pass-S2024001").status_code == 401  # no wildcard reaches the filter
    assert post_login(client, "S2024001", "ldap-pass-S2024001").status_code == 302
    assert "王同学" in client.get("/profile").get_data(as_text=True)
    client.post("/logout")
    assert post_login(client, "T20002", "Ldap-密码-T20002").status_code == 302  # a password with Chinese characters
    assert "钱老师" in client.get("/profile").get_data(as_text=True)


def test_a_directory_person_the_platform_does_not_know_is_told_so(session, ldap_app):
    client = ldap_app(**DIRECT).test_client()
    response = post_login(client, "T20099", "ldap-pass-T20099")
    assert response.status_code == 401
    assert "统一身份认证已通过，但该账号尚未在本平台登记或已停用，请联系管理员。" in response.get_data(as_text=True)
    assert client.get("/profile").status_code == 302


def test_an_unreachable_directory_is_reported_and_the_administrator_still_gets_in(session, ldap_app):
    make_person(session, "T20001", "林老师")
    make_person(session, "A0001", "首位管理员", password="admin-pass-1", kind="staff", is_admin=True)
    client = ldap_app(url="ldap://127.0.0.1:9", timeout=2, **DIRECT).test_client()
    response = post_login(client, "T20001", "ldap-pass-T20001")
    assert response.status_code == 401
    assert "统一身份认证服务暂时无法连接，请稍后再试" in response.get_data(as_text=True)
    assert post_login(client, "A0001", "admin-pass-1").status_code == 302


def test_local_passwords_for_everyone_when_the_school_says_so(session, ldap_app):
    make_person(session, "T20001", "林老师", password="local-pass-1")
    client = ldap_app(local_login="all", **DIRECT).test_client()
    assert post_login(client, "T20001", "local-pass-1").status_code == 302


def test_authenticate_against_the_directory():
    direct = LdapConfig(url=LDAP_URL, **DIRECT)
    assert authenticate(direct, "T20001", "ldap-pass-T20001") is LdapResult.OK
    assert authenticate(direct, "T20001", "") is LdapResult.REJECTED  # not an anonymous bind
    assert authenticate(direct, "T20001,ou=services", "x") is LdapResult.REJECTED  # the user name is escaped
    assert authenticate(direct, "nobody", "ldap-pass-T20001") is LdapResult.REJECTED
    bad_reader = LdapConfig(url=LDAP_URL, **{**SEARCH, "bind_password": "wrong"})
    assert authenticate(bad_reader, "T20001", "ldap-pass-T20001") is LdapResult.UNAVAILABLE
    no_tls = LdapConfig(url=LDAP_URL, start_tls=True, **DIRECT)  # the test directory offers no TLS
    assert authenticate(no_tls, "T20001", "ldap-pass-T20001") is LdapResult.UNAVAILABLE
    anonymous = LdapConfig(url=LDAP_URL, base_dn=SUFFIX)  # anonymous search is not allowed by this directory
    assert authenticate(anonymous, "T20001", "ldap-pass-T20001") is LdapResult.REJECTED


def test_the_password_page_says_it_changes_the_local_password_only(session, ldap_app):
    make_person(session, "T20001", "林老师", password="local-pass-1")
    client = ldap_app(local_login="all", **DIRECT).test_client()
    assert post_login(client, "T20001", "ldap-pass-T20001").status_code == 302
    page = client.get("/password").get_data(as_text=True)
    assert "此处修改的是本平台的本地密码，不会改变统一身份认证密码。" in page
