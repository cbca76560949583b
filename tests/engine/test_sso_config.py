"""Single sign-on configuration from ZHENGAI_* environment variables."""

from __future__ import annotations

import pytest

from engine.org.sso import LOCAL_ADMINS, LOCAL_ALL, SsoConfig


def test_without_sso_everyone_keeps_a_local_password():
    config = SsoConfig.from_env({})
    assert (config.cas, config.ldap, config.enabled, config.local_login) == (None, None, False, LOCAL_ALL)


def test_cas_and_ldap_from_the_environment():
    config = SsoConfig.from_env({
        "ZHENGAI_CAS_URL": "https://cas.college.edu.cn/cas", "ZHENGAI_CAS_VERSION": "2",
        "ZHENGAI_CAS_USER_ATTRIBUTE": "employeeNumber", "ZHENGAI_CAS_LOGOUT": "0",
        "ZHENGAI_LDAP_URL": "ldaps://ldap.college.edu.cn", "ZHENGAI_LDAP_BASE_DN": "dc=college,dc=edu,dc=cn",
        "ZHENGAI_LDAP_USER_FILTER": "(employeeNumber={username})", "ZHENGAI_LDAP_BIND_DN": "cn=reader",
        "ZHENGAI_LDAP_BIND_PASSWORD": "secret",
    })  # fmt: skip
    assert config.cas.server_url == "https://cas.college.edu.cn/cas/"  # the protocol paths are joined to it
    assert (config.cas.version, config.cas.user_attribute, config.cas.single_logout) == (2, "employeeNumber", False)
    assert config.ldap.user_filter == "(employeeNumber={username})" and config.ldap.bind_password == "secret"
    assert config.local_login == LOCAL_ADMINS  # SSO on: local passwords for administrators only by default
    assert (
        SsoConfig.from_env({"ZHENGAI_CAS_URL": "https://cas/", "ZHENGAI_LOCAL_LOGIN": "all"}).local_login == LOCAL_ALL
    )


@pytest.mark.parametrize(
    "environ",
    [
        {"ZHENGAI_CAS_URL": "https://cas/", "ZHENGAI_CAS_VERSION": "1"},
        {"ZHENGAI_LDAP_URL": "ldap://ldap"},  # neither a DN template nor a search base
        {"ZHENGAI_LOCAL_LOGIN": "nobody"},
    ],
)
def test_a_wrong_setting_stops_the_start(environ):
    with pytest.raises(ValueError):
        SsoConfig.from_env(environ)
