"""Extension objects: inert until `init_app`."""

from __future__ import annotations

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


def select_locale() -> str:
    from flask_login import current_user

    lang = session.get("lang")
    if lang in LOCALES:
        return lang
    if getattr(current_user, "is_authenticated", False) and current_user.locale in LOCALES:
        return current_user.locale
    return "zh"  # Chinese first: English only when the user picks it (the button in the header)


babel = Babel()
