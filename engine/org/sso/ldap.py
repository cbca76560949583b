"""Password check against the school's LDAP directory with `ldap3` (a simple bind as the user)."""

from __future__ import annotations

import enum
import ssl

from ldap3 import NONE, SUBTREE, Connection, Server, Tls
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import escape_rdn

from . import LdapConfig


class LdapResult(enum.Enum):
    OK = "ok"
    REJECTED = "rejected"  # unknown user or wrong password
    UNAVAILABLE = "unavailable"  # the directory could not be reached or refused our search account


def _connection(config: LdapConfig, user: str | None, password: str | None) -> Connection:
    seconds = max(1, int(config.timeout))  # ldap3 packs the receive timeout as a whole number of seconds
    # ldap3 would accept any certificate by default; ldaps:// and StartTLS check it against the system's CAs
    # or ZHENGAI_LDAP_CA_FILE
    tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=config.ca_file)
    server = Server(config.url, get_info=NONE, connect_timeout=seconds, tls=tls)
    return Connection(server, user=user, password=password, receive_timeout=seconds, raise_exceptions=False,
                      auto_referrals=False, read_only=True)  # fmt: skip


def _open(conn: Connection, config: LdapConfig) -> None:
    conn.open()
    if config.start_tls and not conn.start_tls():
        raise LDAPException(f"StartTLS refused: {conn.result.get('description') if conn.result else ''}")


def _find_dn(config: LdapConfig, username: str) -> str | None:
    """The entry of `username` under base_dn, or None when there is not exactly one. Raises LDAPException."""
    conn = _connection(config, config.bind_dn, config.bind_password)
    try:
        _open(conn, config)
        if config.bind_dn and not conn.bind():
            raise LDAPException(f"search account refused: {conn.result.get('description')}")
        search_filter = config.user_filter.replace("{username}", escape_filter_chars(username))
        conn.search(config.base_dn, search_filter, search_scope=SUBTREE, attributes=[], size_limit=2)
        entries = [e for e in conn.response or [] if e.get("type") == "searchResEntry"]
        return entries[0]["dn"] if len(entries) == 1 else None
    finally:
        conn.unbind()


def authenticate(config: LdapConfig, username: str, password: str) -> LdapResult:
    """Whether the directory accepts `password` for `username` (工号 / 学号)."""
    if not username or not password:  # an empty password would be an anonymous bind that "succeeds"
        return LdapResult.REJECTED
    try:
        if config.user_dn:
            dn = config.user_dn.replace("{username}", escape_rdn(username))
        else:
            dn = _find_dn(config, username)
            if dn is None:
                return LdapResult.REJECTED
        conn = _connection(config, dn, password)
        try:
            _open(conn, config)
            ok = conn.bind()
        finally:
            conn.unbind()
    except LDAPException:
        return LdapResult.UNAVAILABLE
    return LdapResult.OK if ok else LdapResult.REJECTED
