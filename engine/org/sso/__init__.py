"""Single sign-on: CAS (the school's 统一身份认证) and LDAP bind, configured by ZHENGAI_* variables.

Both only say who someone is; the person must already be on the platform (imported or created by an
administrator) under a user name equal to their 工号 / 学号. Nothing here imports Flask.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

LOCAL_ALL, LOCAL_ADMINS = "all", "admins"


def _flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    value = environ.get(name)
    return default if value is None or value == "" else value.lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class CasConfig:
    """A CAS server: `server_url` is the CAS base (…/cas/), `version` 2 (/serviceValidate) or 3
    (/p3/serviceValidate); `user_attribute` names the released attribute that carries the 工号 / 学号
    when the CAS user name is something else (an ID card number, a mail address)."""

    server_url: str
    version: int = 3
    user_attribute: str | None = None
    verify_tls: bool = True
    timeout: float = 10.0
    single_logout: bool = True

    def __post_init__(self):
        if not self.server_url.endswith("/"):
            object.__setattr__(self, "server_url", self.server_url + "/")
        if self.version not in (2, 3):
            raise ValueError("ZHENGAI_CAS_VERSION must be 2 or 3")


@dataclass(frozen=True)
class LdapConfig:
    """An LDAP directory. Either `user_dn` is a template ("uid={username},ou=people,dc=…") bound directly,
    or the user's entry is found under `base_dn` with `user_filter` ("(uid={username})"), searching as
    `bind_dn` / `bind_password` (anonymously when unset), and then bound with the user's password."""

    url: str
    user_dn: str | None = None
    base_dn: str | None = None
    user_filter: str = "(uid={username})"
    bind_dn: str | None = None
    bind_password: str | None = None
    start_tls: bool = False
    ca_file: str | None = None  # the CA certificates that sign the directory's certificate (PEM)
    timeout: float = 5.0

    def __post_init__(self):
        if not self.user_dn and not self.base_dn:
            raise ValueError("LDAP needs ZHENGAI_LDAP_USER_DN or ZHENGAI_LDAP_BASE_DN")


@dataclass(frozen=True)
class SsoConfig:
    cas: CasConfig | None = None
    ldap: LdapConfig | None = None
    # who may still log in with a local password: everyone, or only administrators (default when SSO is on)
    local_login: str = LOCAL_ALL

    @property
    def enabled(self) -> bool:
        return self.cas is not None or self.ldap is not None

    def local_password_allowed(self, user) -> bool:
        return self.local_login == LOCAL_ALL or bool(user.is_admin)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SsoConfig:
        cas = ldap = None
        if environ.get("ZHENGAI_CAS_URL"):
            cas = CasConfig(
                server_url=environ["ZHENGAI_CAS_URL"],
                version=int(environ.get("ZHENGAI_CAS_VERSION") or 3),
                user_attribute=environ.get("ZHENGAI_CAS_USER_ATTRIBUTE") or None,
                verify_tls=_flag(environ, "ZHENGAI_CAS_VERIFY_TLS", True),
                timeout=float(environ.get("ZHENGAI_CAS_TIMEOUT") or 10),
                single_logout=_flag(environ, "ZHENGAI_CAS_LOGOUT", True),
            )
        if environ.get("ZHENGAI_LDAP_URL"):
            ldap = LdapConfig(
                url=environ["ZHENGAI_LDAP_URL"],
                user_dn=environ.get("ZHENGAI_LDAP_USER_DN") or None,
                base_dn=environ.get("ZHENGAI_LDAP_BASE_DN") or None,
                user_filter=environ.get("ZHENGAI_LDAP_USER_FILTER") or "(uid={username})",
                bind_dn=environ.get("ZHENGAI_LDAP_BIND_DN") or None,
                bind_password=environ.get("ZHENGAI_LDAP_BIND_PASSWORD") or None,
                start_tls=_flag(environ, "ZHENGAI_LDAP_STARTTLS", False),
                ca_file=environ.get("ZHENGAI_LDAP_CA_FILE") or None,
                timeout=float(environ.get("ZHENGAI_LDAP_TIMEOUT") or 5),
            )
        default_local = LOCAL_ADMINS if (cas or ldap) else LOCAL_ALL
        local = (environ.get("ZHENGAI_LOCAL_LOGIN") or default_local).strip().lower()
        if local not in (LOCAL_ALL, LOCAL_ADMINS):
            raise ValueError("ZHENGAI_LOCAL_LOGIN must be 'all' or 'admins'")
        return cls(cas=cas, ldap=ldap, local_login=local)
