"""Small request helpers shared by the blueprints."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app, g
from flask_login import current_user

from engine import org
from engine.core.errors import MAX_ID
from engine.core.settings import Settings

from .clock import now
from .db import db

__all__ = ["int_arg", "localtime", "now", "principals", "settings", "today", "xlsx_download"]


def principals() -> list[str]:
    """The current user's principals, computed once per request."""
    if "principals" not in g:
        loaded = g.get("loaded_principals")  # read with the user (web/org/auth.py `load_user`)
        if loaded is not None and loaded[0] == current_user.id:
            g.principals = loaded[1]
        else:
            g.principals = org.principals_of(db.session, current_user.id)
    return g.principals


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
