"""The notification centre (unread count in the header) and the iCalendar feed of one's deadlines."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from engine import notifications

from .db import db, transactional
from .helpers import int_arg, now, principals

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
@login_required
def index():
    page = int_arg(request.args.get("page"), 1)
    rows, total = notifications.list_for(db.session, current_user.id, page)
    return render_template("notifications/index.html", rows=rows, total=total, page=page)


@bp.post("/notifications/<nid>/open")
@login_required
@transactional
def open_one(nid):
    row = notifications.mark_read(db.session, current_user.id, nid, now())
    target = row.link if row.link and row.link.startswith("/") and not row.link.startswith("//") else None
    return redirect(target or url_for("notifications.index"))


@bp.post("/notifications/read-all")
@login_required
@transactional
def read_all():
    notifications.mark_all_read(db.session, current_user.id, now())
    return redirect(url_for("notifications.index"))


@bp.get("/calendar.ics")
def calendar():
    """My deadlines as iCalendar: with the session cookie, or `?token=` (the API token) for subscriptions."""
    from icalendar import Calendar, Event

    from .auth import user_from_token

    user = current_user if current_user.is_authenticated else user_from_token(request.args.get("token", ""))
    if user is None or not getattr(user, "is_authenticated", False):
        abort(401)
    base = request.host_url.rstrip("/")
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
