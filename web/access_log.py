"""One access-log line per request (logger "zhengai.access"): request id, user id, route, status, duration.

The request id is the proxy's X-Request-ID when it sent a sane one, else a new one; it goes back to the
client as X-Request-ID. The line carries the route's rule and the path, never the query string (where a
calendar subscription carries its token).
"""

from __future__ import annotations

import logging
import os
import re
import time
import uuid

from flask import g, request

log = logging.getLogger("zhengai.access")
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id() -> str:
    """This request's id (for log lines of the views and services it calls)."""
    return getattr(g, "request_id", "")


def init_app(app) -> None:
    @app.before_request
    def _start():
        sent = request.headers.get("X-Request-ID", "")
        g.request_id = sent if _SANE_ID.fullmatch(sent) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _log(response):
        rid = getattr(g, "request_id", None) or uuid.uuid4().hex
        response.headers["X-Request-ID"] = rid
        started = getattr(g, "request_started", None)
        user = g.get("_login_user")  # only when the request loaded its user: logging never queries for it
        log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": rid,
                "pid": os.getpid(),  # the worker that answered
                "user_id": getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None,
                "method": request.method,
                "route": request.url_rule.rule if request.url_rule is not None else None,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            },
        )
        return response
