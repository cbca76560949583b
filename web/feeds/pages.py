"""过程数据 pages: the records shown back to their 信息源 with a chart, the lead department's feed page (fields,
thresholds, provider, push tokens, records), the upload with a validating preview, and the entry form."""

from __future__ import annotations

import json

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import feeds
from engine.core.errors import N_, InvalidInput, NotFound
from forms.feeds import fields_text, parse_definition

from ..db import db, flash_on_commit, transactional
from ..errors import refused, translate, translate_fields
from ..helpers import now, principals

bp = Blueprint("feeds", __name__, url_prefix="/feeds")


@bp.record_once
def _labels(state) -> None:
    state.app.jinja_env.globals.update(
        FEED_SOURCE_LABELS=feeds.SOURCE_LABELS,
        FEED_DELIVERY_LABELS=feeds.DELIVERY_LABELS,
        FEED_TABLE39=feeds.TABLE39_KEYS,
        managed_feed_count=_managed_count,
    )


def _managed_count() -> int:
    """How many feeds the signed-in user manages (the 质量评价 hub's 平台数据 card links to them)."""
    if not current_user.is_authenticated:
        return 0
    return len(feeds.managed_feeds(db.session, current_user, principals()))


def _errors(errors: list[dict]) -> list[dict]:
    """Batch errors with their messages in the user's language."""
    return [{**e, "text": translate(e["message"], e["params"])} for e in errors]


def _self_entry_feeds() -> list:
    ps = principals()
    return [f for f in feeds.all_feeds(db.session) if f.key in feeds.SELF_ENTRY
            and feeds.entry_sources(db.session, current_user, ps, f)]  # fmt: skip


@bp.get("/")
@login_required
def index():
    """过程数据: what the user is the 信息源 of, over time, and the feeds they manage."""
    ps = principals()
    series = feeds.own_series(db.session, current_user, ps)
    return render_template(
        "feeds/index.html", series=series, charts=json.dumps({"series": series}, ensure_ascii=False),
        records=feeds.records_seen(db.session, current_user, ps, own_only=True, limit=100),
        managed=feeds.managed_feeds(db.session, current_user, ps), entry_feeds=_self_entry_feeds(),
    )  # fmt: skip


def _show(feed, values=None, field_errors=None, new_token=None, status=200):
    ps = principals()
    values = values or {"provider": feed.provider, "fields": fields_text(feed.fields)}
    page = render_template(
        "feeds/show.html", feed=feed, values=values, field_errors=field_errors or {}, new_token=new_token,
        tokens=feeds.tokens_of(db.session, feed), records=feeds.records_seen(db.session, current_user, ps, feed.key),
    )  # fmt: skip
    return page, status


@bp.get("/<feed_key>")
@login_required
def show(feed_key):
    return _show(feeds.managed_feed(db.session, current_user, principals(), feed_key))


@bp.post("/<feed_key>")
@login_required
@transactional
def update(feed_key):
    """Save fields, thresholds and provider; a refused form is shown again as typed, nothing saved."""
    feed = feeds.managed_feed(db.session, current_user, principals(), feed_key)
    clean, errors = parse_definition(request.form)
    if errors:
        flash(_("保存失败：请按提示修改后重试"), "danger")
        return _show(feed, request.form.to_dict(), translate_fields(errors), status=400)
    feeds.update_definition(db.session, current_user, principals(), feed, clean, now())
    flash_on_commit(_("已保存：%(name)s", name=feed.name), "success")
    return redirect(url_for("feeds.show", feed_key=feed.key))


@bp.post("/<feed_key>/tokens")
@login_required
@transactional
def issue_token(feed_key):
    """A new push token, shown on this page once (never stored in the session or a flash)."""
    feed = feeds.managed_feed(db.session, current_user, principals(), feed_key)
    try:
        token = feeds.issue_token(db.session, current_user, feed, request.form.get("label", ""), now())
    except InvalidInput as exc:
        return _show(feed, field_errors=refused(exc, "label"), status=400)
    return _show(feed, new_token=token)


@bp.post("/<feed_key>/tokens/<token_id>/revoke")
@login_required
@transactional
def revoke_token(feed_key, token_id):
    feed = feeds.managed_feed(db.session, current_user, principals(), feed_key)
    row = feeds.revoke_token(db.session, current_user, feed, token_id, now())
    flash_on_commit(_("已撤销令牌 %(hint)s…", hint=row.hint), "success")
    return redirect(url_for("feeds.show", feed_key=feed.key))


@bp.get("/<feed_key>/template.csv")
@login_required
def template(feed_key):
    feed = feeds.managed_feed(db.session, current_user, principals(), feed_key)
    headers = {"Content-Disposition": f"attachment; filename={feed.key}.csv"}
    return "\ufeff" + feeds.template_csv(feed), 200, {"Content-Type": "text/csv; charset=utf-8", **headers}


@bp.route("/<feed_key>/upload", methods=["GET", "POST"])
@login_required
@transactional
def upload(feed_key):
    """Upload an export: the preview validates every row and writes nothing; confirming sends the same rows."""
    feed = feeds.managed_feed(db.session, current_user, principals(), feed_key)
    if request.method == "GET":
        return render_template("feeds/upload.html", feed=feed, preview=None)
    if request.form.get("confirm"):
        try:
            records = json.loads(request.form.get("records") or "[]")
            result = feeds.ingest(db.session, feed, records, "upload", now(), actor_id=current_user.id)
        except (ValueError, InvalidInput) as exc:
            db.session.rollback()
            errors = _errors(getattr(exc, "errors", []))
            flash(_("导入失败：数据已变化，请重新上传"), "danger")
            return render_template("feeds/upload.html", feed=feed, preview=None, errors=errors), 400
        flash_on_commit(_result_text(result), "success")
        return redirect(url_for("feeds.show", feed_key=feed.key))
    file = request.files.get("file")
    try:
        records, notes = feeds.parse_upload(feed, file.filename if file else "", file.read() if file else b"")
        feeds.validate(db.session, feed, records, now().date())
    except feeds.InvalidBatch as exc:
        return render_template("feeds/upload.html", feed=feed, preview=None, errors=_errors(exc.errors)), 400
    except InvalidInput as exc:
        return render_template("feeds/upload.html", feed=feed, preview=None,
                               file_error=translate(exc.message, exc.params)), 400  # fmt: skip
    notes = [translate(n["message"], n["params"]) for n in notes]
    preview = {"records": records, "sample": records[:20], "json": json.dumps(records, ensure_ascii=False)}
    return render_template("feeds/upload.html", feed=feed, preview=preview, notes=notes)


def _result_text(result: dict) -> str:
    if not result["created"] and not result["updated"]:
        return _("这批记录已全部收到过，没有变化（%(n)s 条未变）", n=result["unchanged"])
    return _("已接收：新增 %(created)s 条，更新 %(updated)s 条，未变 %(unchanged)s 条", **result)


@bp.route("/<feed_key>/entry", methods=["GET", "POST"])
@login_required
@transactional
def entry(feed_key):
    """Enter one record by hand: the 学习委员 for their class, a teacher their own, the lead department any."""
    ps = principals()
    feed = next((f for f in feeds.all_feeds(db.session) if f.key == str(feed_key)), None)
    sources = feeds.entry_sources(db.session, current_user, ps, feed) if feed else None
    if sources is None:
        raise NotFound(N_("信息不存在"))
    values = request.form.to_dict() if request.method == "POST" else {"occurred_on": now().date().isoformat()}
    if request.method == "GET":
        return render_template("feeds/entry.html", feed=feed, sources=sources, values=values, field_errors={})
    source = values.get("source", "").strip()
    if sources and source not in {s for s, _label in sources}:
        source = sources[0][0]
    record = {"record_key": values.get("record_key", "").strip() or f"{source}-{values.get('occurred_on', '')}",
              "source": source, "occurred_on": values.get("occurred_on", ""),
              "values": {f["key"]: values.get("v_" + f["key"], "") for f in feed.fields}}  # fmt: skip
    try:
        result = feeds.ingest(db.session, feed, [record], "form", now(), actor_id=current_user.id)
    except feeds.InvalidBatch as exc:
        db.session.rollback()
        field_errors = {}
        for e in _errors(exc.errors):
            name = "v_" + e["field"] if any(f["key"] == e["field"] for f in feed.fields) else e["field"]
            field_errors.setdefault(name, []).append(e["text"])
        flash(_("保存失败：请按提示修改后重试"), "danger")
        ctx = {"feed": feed, "sources": sources, "values": values, "field_errors": field_errors}
        return render_template("feeds/entry.html", **ctx), 400
    flash_on_commit(_result_text(result), "success")
    if sources:
        return redirect(url_for("feeds.index"))
    return redirect(url_for("feeds.show", feed_key=feed.key))
