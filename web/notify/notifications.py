"""The notification centre (unread count in the header) and the iCalendar feed of one's deadlines."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.notify import notifications

from ..db import db, flash_on_commit, transactional
from ..helpers import int_arg, is_local_path, now, principals, settings
from ..org.auth import user_from_token

bp = Blueprint("notifications", __name__)


def _filters(source) -> dict:
    """unread / kind / group from the query string (or the posted form), unknown values dropped."""
    kind = source.get("kind")
    return {
        "unread": source.get("unread") == "1",
        "kind": kind if kind in notifications.KINDS else None,
        "group": "kind" if source.get("group") == "kind" else "day",
    }


def _args(filters: dict) -> dict:
    """The filters as query arguments (defaults left out), for links and the pager."""
    return {"unread": "1" if filters["unread"] else None, "kind": filters["kind"],
            "group": "kind" if filters["group"] == "kind" else None}  # fmt: skip


@bp.get("/notifications")
@login_required
def index():
    filters = _filters(request.args)
    page = notifications.list_for(db.session, current_user.id, int_arg(request.args.get("page"), 1), 30, **filters)
    zone = settings().timezone
    counts = notifications.kind_counts(db.session, current_user.id)
    return render_template(
        "notifications/index.html", page=page, filters=filters, args=_args(filters), counts=counts,
        sections=notifications.sections(page.rows, filters["group"], zone, now().astimezone(zone).date()),
        unread_total=sum(u for _, u in counts.values()), total_all=sum(n for n, _ in counts.values()),
        KINDS=notifications.KINDS,
    )  # fmt: skip


def _back() -> str:
    """Where a form of the centre returns to: the centre with its filters (nothing else)."""
    back = request.form.get("back", "")
    return back if back.startswith("/notifications") and "//" not in back else url_for("notifications.index")


@bp.post("/notifications/<nid>/open")
@login_required
@transactional
def open_one(nid):
    row = notifications.mark_read(db.session, current_user.id, nid, now())
    target = row.link if is_local_path(row.link) else None
    return redirect(target or _back())


@bp.post("/notifications/read-all")
@login_required
@transactional
def read_all():
    """Mark every unread notification read, or only those of the kind being filtered."""
    filters = _filters(request.form)
    n = notifications.mark_all_read(db.session, current_user.id, now(), filters["kind"])
    flash_on_commit(_("已将 %(n)s 条通知标为已读", n=n), "success")
    return redirect(url_for("notifications.index", **_args(filters)))


@bp.get("/calendar.ics")
def calendar():
    """My deadlines as iCalendar: with the session cookie, or `?token=` (the API token) for subscriptions."""
    from icalendar import Calendar, Event

    user = current_user if current_user.is_authenticated else user_from_token(request.args.get("token", ""), "calendar")
    if user is None or not getattr(user, "is_authenticated", False):
        abort(401)
    # the configured address, never the Host header (anyone can send one; the links would point there)
    base = current_app.config["ZHENGAI_BASE_URL"].rstrip("/")
    cal = Calendar()
    cal.add("prodid", "-//Zhengai//诊改平台//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"诊改平台 · {user.display_name}")
    stamp = now()
    ps = principals() if current_user.is_authenticated else None
    for item in notifications.my_deadlines(db.session, user, ps):
        event = Event()
        event.add("uid", f"{item['uid']}@zhengai")
        event.add("summary", item["summary"])
        event.add("dtstamp", stamp)
        if item.get("due_at"):
            event.add("dtstart", item["due_at"] - timedelta(minutes=30))
            event.add("dtend", item["due_at"])
        else:
            event.add("dtstart", item["due_date"])
        event.add("url", base + item["link"])
        cal.add_component(event)
    return Response(
        cal.to_ical(), mimetype="text/calendar",
        headers={"Content-Disposition": "attachment; filename=zhengai-deadlines.ics"},
    )  # fmt: skip
