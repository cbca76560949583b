"""CAS 2.0 / 3.0 ticket validation with the `python-cas` client.

The browser comes back from the CAS server with `?ticket=ST-…`; we ask the server whether the ticket
is good for our service URL (/serviceValidate or /p3/serviceValidate) and read the user and the
released attributes from its XML answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

import requests
from cas import CASClient

from . import CasConfig


class CasError(Exception):
    """The ticket was refused (`unavailable` False) or the CAS server could not be asked (True)."""

    def __init__(self, detail: str, unavailable: bool = False):
        super().__init__(detail)
        self.detail = detail
        self.unavailable = unavailable


@dataclass(frozen=True)
class CasIdentity:
    cas_user: str
    login_name: str  # the 工号 / 学号 the platform knows the person by
    attributes: dict = field(default_factory=dict)


class _TimeoutSession(requests.Session):
    """python-cas calls `session.get` without a timeout; a CAS server that hangs must not hang a worker."""

    def __init__(self, timeout: float):
        super().__init__()
        self.trust_env = False  # a proxy from the environment is not asked for the school's own CAS server
        self._timeout = timeout

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", self._timeout)
        response = super().request(*args, **kwargs)
        response.raise_for_status()  # an error page of a proxy in front of CAS is not a refused ticket
        return response


def client(config: CasConfig, service_url: str) -> CASClient:
    return CASClient(
        version=config.version, server_url=config.server_url, service_url=service_url,
        verify_ssl_certificate=config.verify_tls, session=_TimeoutSession(config.timeout),
    )  # fmt: skip


def login_url(config: CasConfig, service_url: str) -> str:
    return client(config, service_url).get_login_url()


def logout_url(config: CasConfig, return_url: str) -> str:
    return client(config, return_url).get_logout_url(return_url)


def _first(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def validate(config: CasConfig, ticket: str, service_url: str) -> CasIdentity:
    """Who the ticket belongs to; CasError when the server refuses it, answers nonsense or cannot be reached."""
    if not ticket or len(ticket) > 256:
        raise CasError("no ticket")
    cas = client(config, service_url)
    try:
        user, attributes, _pgtiou = cas.verify_ticket(ticket)
    except requests.RequestException as exc:
        raise CasError(f"CAS server unreachable: {exc.__class__.__name__}", unavailable=True) from None
    except (ParseError, IndexError, AttributeError, ValueError) as exc:
        raise CasError(f"unreadable CAS answer: {exc.__class__.__name__}", unavailable=True) from None
    if not user:
        raise CasError("ticket refused")
    attributes = attributes or {}
    login_name = _first(attributes.get(config.user_attribute)) if config.user_attribute else user.strip()
    if not login_name:
        raise CasError(f"attribute {config.user_attribute} not released")
    return CasIdentity(cas_user=user.strip(), login_name=login_name, attributes=attributes)
