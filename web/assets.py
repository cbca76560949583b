"""Static assets: versioned URLs, long cache lifetimes and compression.

Every `url_for('static' | 'vendor', filename=...)` carries `v=<version of the file>` (its size and modification
time), so a changed file gets a new URL and a versioned URL can be cached for a year (`immutable`). Responses
of the text types (HTML, CSS, JS, JSON, SVG) are compressed with Brotli or gzip (Flask-Compress); a static
file is compressed once per version and kept in memory, a page on every request.
"""

from __future__ import annotations

import os
from pathlib import Path
from threading import Lock

from flask import Flask, abort, redirect, request, send_from_directory, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_compress import Compress

YEAR = 365 * 24 * 3600
ASSET_ENDPOINTS = frozenset({"static", "vendor", "favicon"})
VENDOR_ALLOWED = ("bootstrap/dist/", "bpmn-js/dist/", "echarts/dist/", "swagger-ui-dist/swagger-ui")
TEXT_TYPES = [
    "text/html", "text/css", "text/plain", "text/xml", "text/csv", "text/calendar", "application/json",
    "application/javascript", "text/javascript", "application/xml", "image/svg+xml",
]  # fmt: skip


def version(folder: str, filename: str) -> str | None:
    """The file's version: its size and modification time, or None when there is no such file."""
    try:
        st = os.stat(Path(folder) / filename)
    except (OSError, ValueError):
        return None
    return f"{st.st_mtime_ns:x}{st.st_size:x}"[-12:]


class CompressedAssets:
    """Flask-Compress's cache: only versioned static files (the key is empty for everything else)."""

    LIMIT = 200

    def __init__(self):
        self._items: dict[str, bytes] = {}
        self._lock = Lock()

    def get(self, key: str):
        return None if key.endswith(";") else self._items.get(key)

    def set(self, key: str, value: bytes) -> None:
        if key.endswith(";"):
            return
        with self._lock:
            if len(self._items) >= self.LIMIT:
                self._items.pop(next(iter(self._items)))
            self._items[key] = value


def cache_key(req) -> str:
    if req.endpoint in ("static", "vendor") and req.args.get("v"):
        return f"{req.path}?v={req.args['v']}"
    return ""


def _send(folder: str, filename: str):
    response = send_from_directory(folder, filename, max_age=3600)
    if response.status_code == 200:
        response.direct_passthrough = False
        response.make_sequence()  # in memory, so it is compressed once and cached (not streamed)
    if request.args.get("v"):
        response.cache_control.max_age = YEAR
        response.cache_control.public = True
        response.cache_control.immutable = True
    return response


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, except that an asset's answer carries no cookie and does not vary by it.

    A signed-in session is permanent and refreshed on every request, so each stylesheet, script and icon
    answered with the session cookie while saying `Cache-Control: public, immutable`: a shared cache could
    keep one user's cookie for the next, and a browser that had just signed out got its old session back
    from a late icon. Pages still refresh the session (its lifetime counts from the last page).
    """

    def save_session(self, app, session, response) -> None:
        if request.endpoint in ASSET_ENDPOINTS:
            return  # no Set-Cookie, no "Vary: Cookie"
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    app.config.setdefault("COMPRESS_MIMETYPES", TEXT_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_STREAMS", False)  # downloads streamed from disk go out as they are
    app.config.setdefault("COMPRESS_CACHE_BACKEND", CompressedAssets)
    app.config.setdefault("COMPRESS_CACHE_KEY", cache_key)
    Compress(app)
    node_modules = app.config["ZHENGAI_NODE_MODULES"]

    def static(filename: str):
        return _send(app.static_folder, filename)

    app.view_functions["static"] = static

    @app.get("/vendor/<path:filename>")
    def vendor(filename: str):
        if not filename.startswith(VENDOR_ALLOWED):
            abort(404)
        return _send(node_modules, filename)

    @app.get("/favicon.ico")
    def favicon():  # asked for by pages without the icon link (a file opened from a download, old browsers)
        return redirect(url_for("static", filename="favicon.svg"), 301)

    @app.url_defaults
    def _versioned(endpoint, values):
        if endpoint in ("static", "vendor") and "filename" in values and "v" not in values:
            folder = app.static_folder if endpoint == "static" else node_modules
            v = version(folder, values["filename"])
            if v:
                values["v"] = v
