"""The providers' push API: `POST /api/v1/feeds/<feed_key>/records` with the feed's own token.

A token belongs to one feed (issued on the feed's page); it signs in no user, so this blueprint is apart from
the user API (web/workflow/api.py). The body is {"records": [...]} of at most API_BATCH_MAX records; the whole
batch is taken or refused (engine/feeds/ingest.py) and the answer says how many were new, updated, unchanged.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import gettext

from engine import feeds

from ..db import db, transactional
from ..errors import error_response, translate
from ..helpers import now

bp = Blueprint("feeds_api", __name__, url_prefix="/api/v1/feeds")

API_BATCH_MAX = 5000


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else ""


@bp.post("/<feed_key>/records")
@transactional
def push(feed_key):
    """Take one batch of a feed's records."""
    feed = feeds.feed_of_token(db.session, _bearer())
    if feed is None:
        return error_response(401, "unauthorized", gettext("数据推送令牌无效或已撤销"))
    if feed.key != feed_key:
        return error_response(403, "forbidden", gettext("此令牌不能向该信息推送数据"))
    if "api" not in (feed.delivery or []):
        return error_response(403, "forbidden", gettext("该信息不接受接口推送"))
    body = request.get_json(silent=True)
    records = body.get("records") if isinstance(body, dict) else None
    if not isinstance(records, list) or not records:
        message = gettext('请求体应为 {"records": [...]}，至少一条记录')
        return error_response(400, "invalid", message, {"records": [message]})
    if len(records) > API_BATCH_MAX:
        message = gettext("一批最多 %(n)s 条记录", n=API_BATCH_MAX)
        return error_response(400, "invalid", message, {"records": [message]})
    try:
        result = feeds.ingest(db.session, feed, records, "api", now())
    except feeds.InvalidBatch as exc:
        db.session.rollback()
        fields: dict[str, list[str]] = {}
        for e in exc.errors:
            fields.setdefault(f"records[{e['row'] - 1}].{e['field']}", []).append(translate(e["message"], e["params"]))
        return error_response(400, "invalid", translate(exc.message, exc.params), fields)
    if not result["created"] and not result["updated"]:
        message = gettext("这批记录已全部收到过，没有变化")
    else:
        message = gettext("已接收")
    return jsonify({**result, "message": message})
