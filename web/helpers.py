"""Small request helpers shared by the blueprints."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import unquote, urlsplit

from flask import current_app, g
from flask_login import current_user

from engine import org
from engine.core.errors import MAX_ID
from engine.core.settings import Settings

from .clock import now
from .db import db

__all__ = [
    "int_arg",
    "is_local_path",
    "localtime",
    "now",
    "principals",
    "safe_next",
    "settings",
    "today",
    "xlsx_download",
]


def principals() -> list[str]:
    """The current user's principals, computed once per request."""
    if "principals" not in g:
        loaded = g.get("loaded_principals")  # read with the user (web/org/auth.py `load_user`)
        if loaded is not None and loaded[0] == current_user.id:
            g.principals = loaded[1]
        else:
            g.principals = org.principals_of(db.session, current_user.id)
    return g.principals


def _unsafe_char(ch: str) -> bool:
    return ch.isspace() or ord(ch) < 32 or 127 <= ord(ch) < 160


def is_local_path(target) -> bool:
    """True when `target` is a path on this site that no browser can read as another site.

    Refused: anything that does not start with one "/", a backslash anywhere (browsers read it as a slash), any
    control or white-space character (browsers drop a tab or newline, so "/<tab>/evil" becomes "//evil"), a
    scheme or host once parsed, and the same once percent-decoded (a redirect may be decoded more than once)."""
    if not isinstance(target, str) or not target or len(target) > 2048:
        return False
    if "\\" in target or any(_unsafe_char(ch) for ch in target):
        return False
    candidates, decoded = [target], target
    for _round in range(3):  # decoded again and again ("%252F" is "%2F" is "/"), as a chain of redirects might
        decoded = "".join(ch for ch in unquote(decoded) if not _unsafe_char(ch))
        candidates.append(decoded)
    for candidate in candidates:
        if not candidate.startswith("/") or candidate.startswith(("//", "/\\")):
            return False
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return False
    return True


def safe_next(target, default: str) -> str:
    """`target` when it is a local path (is_local_path), else `default`: the one check for every `next`."""
    return target if is_local_path(target) else default


def settings() -> Settings:
    """The app's settings (web/config.py makes them; the request's session carries the same value)."""
    return current_app.config["ZHENGAI_SETTINGS"]


def today() -> date:
    """The school's calendar day now (`ZHENGAI_TIMEZONE`)."""
    return settings().today(now())


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A moment on the school's clock (`ZHENGAI_TIMEZONE`)."""
    if value is None:
        return ""
    return settings().local(value).strftime(fmt)


def int_arg(value, default: int) -> int:
    """A number from the query string or a form, or `default` for anything else (also for a number beyond
    what the database can bind)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if abs(number) <= MAX_ID else default


def xlsx_download(sheet: str, header: list[str], rows, filename: str):
    """A list as an Excel workbook download (one sheet, a bold header row, the columns sized)."""
    from io import BytesIO

    from flask import send_file
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from forms.cells import text_only

    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    for column in ws.columns:
        width = max((len(str(c.value)) for c in column if c.value is not None), default=4)
        ws.column_dimensions[column[0].column_letter].width = min(60, max(8, width * 2))
    text_only(ws)  # user text beginning with "=", "+", "-", "@" stays text
    buf = BytesIO()
    wb.save(buf)
    return send_file(BytesIO(buf.getvalue()), as_attachment=True, download_name=filename,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")  # fmt: skip
