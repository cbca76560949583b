"""Map domain errors and HTTP errors to one HTML page style and one JSON format."""

from __future__ import annotations

import math

from flask import current_app, jsonify, render_template, request
from flask_babel import gettext
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.core.errors import DomainError, StepFailed

from .clock import now
from .db import db, record_incident
from .extensions import limiter

HTTP_MESSAGES = {
    400: "请求无效",
    401: "请先登录",
    403: "没有权限执行此操作",
    404: "页面或数据不存在，或您无权查看",
    405: "不支持此操作",
    409: "数据已被他人修改，请刷新后重试",
    413: "上传内容过大",
    429: "操作过于频繁，请稍后再试",
    500: "服务器内部错误，操作未生效，请稍后再试",
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def translate(message: str, params: dict | None = None) -> str:
    text = gettext(message)
    if params:
        try:
            text = text % params
        except (KeyError, ValueError, TypeError):
            pass
    return text


def translate_fields(fields: dict) -> dict:
    """Field messages: message ids, or {"message": id, "params": {...}} where the message has parameters."""

    def one(m):
        return translate(m["message"], m.get("params")) if isinstance(m, dict) else translate(m)

    return {k: [one(m) for m in (v if isinstance(v, list) else [v])] for k, v in (fields or {}).items()}


def refused(exc: DomainError, fallback: str) -> dict:
    """A refused change in a view: rolls the request's transaction back (nothing is kept) and gives the field
    messages, translated, for the form shown again with 400: the refusal's fields, else its message at the
    `fallback` field."""
    db.session.rollback()
    fields = getattr(exc, "fields", None)
    return translate_fields(fields) if fields else {fallback: [translate(exc.message, exc.params)]}


def error_response(status: int, code: str, message: str, fields: dict | None = None, headers: dict | None = None):
    if wants_json():
        body = {"error": {"code": code, "message": message, "fields": fields or {}}}
        return jsonify(body), status, headers or {}
    page = render_template("errors/error.html", status=status, message=message, fields=fields or {})
    return page, status, headers or {}


def _retry_after() -> int | None:
    """Seconds until the breached limit's window closes (None when the storage cannot say)."""
    breached = limiter.current_limit
    if breached is None:
        return None
    try:
        return max(1, math.ceil(breached.reset_at - now().timestamp()))
    except Exception:  # noqa: BLE001 - the refusal stands even when its window cannot be read
        current_app.logger.warning("could not read the rate-limit window", exc_info=True)
        return None


def _rate_limit_message(login: bool, seconds: int | None) -> str:
    if seconds is None:
        return gettext("登录尝试次数过多，请稍后再试。") if login else gettext(HTTP_MESSAGES[429])
    if seconds >= 120:
        minutes = math.ceil(seconds / 60)
        if login:
            return gettext("登录尝试次数过多，为保护账号安全，请在 %(n)s 分钟后再试。", n=minutes)
        return gettext("操作过于频繁，请在 %(n)s 分钟后再试。", n=minutes)
    if login:
        return gettext("登录尝试次数过多，为保护账号安全，请在 %(n)s 秒后再试。", n=seconds)
    return gettext("操作过于频繁，请在 %(n)s 秒后再试。", n=seconds)


def rate_limited():
    """429: too many attempts and when to try again (also as Retry-After); anonymous users get the login link."""
    seconds = _retry_after()
    message = _rate_limit_message(request.endpoint == "auth.login", seconds)
    headers = {"Retry-After": str(seconds)} if seconds is not None else {}
    return error_response(429, "too_many_requests", message, headers=headers)


def init_app(app) -> None:
    @app.errorhandler(DomainError)
    def _domain(exc: DomainError):
        return error_response(exc.status, exc.code, translate(exc.message, exc.params), translate_fields(exc.fields))

    @app.errorhandler(StepFailed)
    def _step_failed(exc: StepFailed):
        record_incident(exc)  # a transactional view has recorded it already: this does nothing then
        return error_response(exc.status, exc.code, translate(exc.message, exc.params))

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(exc: RateLimitExceeded):
        return rate_limited()

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return error_response(400, "csrf", gettext("页面已过期或请求来源无效，请刷新页面后重试"))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        message = gettext(HTTP_MESSAGES.get(exc.code, exc.name))
        return error_response(exc.code, exc.name.lower().replace(" ", "_"), message)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        return error_response(500, "internal", gettext(HTTP_MESSAGES[500]))
