"""Configuration from ZHENGAI_* environment variables (and DATABASE_URL).

The engine's knobs are one `Settings` value (engine/core/settings.py) under `ZHENGAI_SETTINGS`; the app's
sessions carry it to the services, and `settings()` gives it to views and templates.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from engine.core.settings import Settings
from engine.org.sso import SsoConfig


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.lower() in ("1", "true", "yes", "on")


def _secret_key(instance_path: Path) -> str:
    if os.environ.get("ZHENGAI_SECRET_KEY"):
        return os.environ["ZHENGAI_SECRET_KEY"]
    path = instance_path / "secret_key"
    if not path.exists():
        private_dir(path.parent)
        # created 0600, never readable by others even for a moment
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    elif path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return path.read_text().strip()


def listen_address() -> tuple[str, int]:
    """Where `zhengai serve` listens (ZHENGAI_HOST / ZHENGAI_PORT); `serve` exports both to its workers."""
    return os.environ.get("ZHENGAI_HOST") or "127.0.0.1", int(os.environ.get("ZHENGAI_PORT") or "5000")


def private_dir(path: Path) -> None:
    """`path` exists and only its owner can enter it (the database and secret_key live there)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)


def from_environment(instance_path: Path) -> dict:
    private_dir(instance_path)
    host, port = listen_address()
    link_host = "127.0.0.1" if host in ("0.0.0.0", "::") else (f"[{host}]" if ":" in host else host)
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'zhengai.db'}",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag("ZHENGAI_SECURE_COOKIES"),
        # browsers send a host's cookies to every port: two instances side by side keep separate sessions
        "SESSION_COOKIE_NAME": f"zhengai_session_{port}",
        "REMEMBER_COOKIE_NAME": f"zhengai_remember_{port}",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _flag("ZHENGAI_SECURE_COOKIES"),
        "REMEMBER_COOKIE_DURATION": timedelta(days=7),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=int(os.environ.get("ZHENGAI_SESSION_HOURS", "8"))),
        "MAX_CONTENT_LENGTH": int(float(os.environ.get("ZHENGAI_MAX_UPLOAD_MB", "2")) * 1024 * 1024),
        # database:// counts in our own database, shared by every worker (engine/security/ratelimit.py)
        "RATELIMIT_STORAGE_URI": os.environ.get("ZHENGAI_RATELIMIT_STORAGE_URI") or "database://",
        "RATELIMIT_STRATEGY": "fixed-window",
        "RATELIMIT_ENABLED": not _flag("ZHENGAI_RATELIMIT_DISABLED"),
        "ZHENGAI_LOGIN_LIMIT": os.environ.get("ZHENGAI_LOGIN_LIMIT", "5 per minute"),
        "ZHENGAI_LOGIN_ADDRESS_LIMIT": os.environ.get("ZHENGAI_LOGIN_ADDRESS_LIMIT", "30 per minute"),
        # one name from every address: looser than ZHENGAI_LOGIN_LIMIT (one name from one address)
        "ZHENGAI_LOGIN_NAME_LIMIT": os.environ.get("ZHENGAI_LOGIN_NAME_LIMIT", "20 per minute"),
        "ZHENGAI_LOGIN_ALERT_AFTER": int(os.environ.get("ZHENGAI_LOGIN_ALERT_AFTER", "10")),
        "ZHENGAI_API_TOKEN_DAYS": int(os.environ.get("ZHENGAI_API_TOKEN_DAYS", "30")),
        "ZHENGAI_NODE_MODULES": os.environ.get(
            "ZHENGAI_NODE_MODULES", str(Path(__file__).resolve().parent.parent / "node_modules")
        ),
        # the engine's knobs (time zone, base year, deadlines, proxy hops): one frozen value, made here only
        "ZHENGAI_SETTINGS": Settings.from_env(os.environ),
        # single sign-on: CAS (ZHENGAI_CAS_*) and LDAP (ZHENGAI_LDAP_*), and who keeps a local password
        "ZHENGAI_SSO": SsoConfig.from_env(os.environ),
        "ZHENGAI_SMTP_HOST": os.environ.get("ZHENGAI_SMTP_HOST"),
        "ZHENGAI_SMTP_PORT": int(os.environ.get("ZHENGAI_SMTP_PORT", "25")),
        "ZHENGAI_SMTP_USER": os.environ.get("ZHENGAI_SMTP_USER"),
        "ZHENGAI_SMTP_PASSWORD": os.environ.get("ZHENGAI_SMTP_PASSWORD"),
        "ZHENGAI_SMTP_STARTTLS": _flag("ZHENGAI_SMTP_STARTTLS"),
        "ZHENGAI_MAIL_FROM": os.environ.get("ZHENGAI_MAIL_FROM", "zhengai@localhost"),
        # /metrics for a scraper: `Authorization: Bearer <token>` (unset: only monitors who are logged in)
        # log lines (access log, scheduler ticks): "json" (one JSON object a line) or "text"
        "ZHENGAI_LOG_FORMAT": (os.environ.get("ZHENGAI_LOG_FORMAT") or "text").strip().lower(),
        "ZHENGAI_METRICS_TOKEN": os.environ.get("ZHENGAI_METRICS_TOKEN") or None,
        "ZHENGAI_BASE_URL": os.environ.get("ZHENGAI_BASE_URL") or f"http://{link_host}:{port}",
        "BABEL_DEFAULT_LOCALE": "zh",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent / "translations"),
        "WTF_CSRF_CHECK_DEFAULT": False,  # checked in a before_request hook, except for bearer-token calls
        "WTF_CSRF_TIME_LIMIT": None,
    }
