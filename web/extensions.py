"""Extension objects: inert until `init_app`."""

from __future__ import annotations

import time

from flask import session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

LOCALES = ("zh", "en")

login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def init_limiter(app, bind) -> None:
    """Start the limiter; `database://` (the default) counts on `bind`, the application's database.

    Every gunicorn worker then counts against the same rows, so "5 per minute" means five in all; the
    storage commits each hit on its own connection, outside the request's transaction.
    """
    if app.config.get("RATELIMIT_STORAGE_URI", "").startswith("database://"):
        import engine.security.ratelimit  # noqa: F401 - registers the database:// scheme with `limits`

        clock = app.config.get("ZHENGAI_CLOCK")
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {
            "bind": bind,
            "clock": (lambda: clock().timestamp()) if clock else time.time,
        }
    limiter.init_app(app)


def select_locale() -> str:
    from flask_login import current_user

    lang = session.get("lang")
    if lang in LOCALES:
        return lang
    if getattr(current_user, "is_authenticated", False) and current_user.locale in LOCALES:
        return current_user.locale
    return "zh"  # Chinese first: English only when the user picks it (the button in the header)


babel = Babel()
