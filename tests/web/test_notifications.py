"""The notification centre, the iCalendar feed and e-mail through a local SMTP server."""

from __future__ import annotations

import socket
from datetime import timedelta
from email import message_from_bytes, policy

from sqlalchemy import select

from engine import scheduler
from engine.models import Notification, User
from tests.engine.test_deadlines import submit_target


def test_unread_count_list_and_open(login_as, session):
    review = submit_target(session)  # the reviewers are told the task arrived
    scheduler.tick(session, review.due_at - timedelta(hours=20))  # and reminded a day before it is due
    session.flush()
    reviewer = login_as("dzxy_reviewer")
    page = reviewer.get("/tasks").get_data(as_text=True)
    assert 'data-testid="unread-count">2<' in page
    listing = reviewer.get("/notifications").get_data(as_text=True)
    assert "1天后到期" in listing and "二级学院审定" in listing and "【新任务】" in listing
    mine = select(Notification.id).join(User, User.id == Notification.user_id).where(User.username == "dzxy_reviewer")
    nid = session.scalar(mine.where(Notification.kind == "remind"))
    assert login_as("t01").post(f"/notifications/{nid}/open").status_code == 404  # not yours
    response = reviewer.post(f"/notifications/{nid}/open")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/tasks/{review.id}")
    assert 'data-testid="unread-count">1<' in reviewer.get("/tasks").get_data(as_text=True)
    reviewer.post(f"/notifications/{session.scalar(mine.where(Notification.kind == 'task'))}/open")
    assert 'data-testid="unread-count"' not in reviewer.get("/tasks").get_data(as_text=True)


def test_ical_feed_of_own_deadlines(app, login_as, session):
    review = submit_target(session)
    reviewer = login_as("dzxy_reviewer")
    body = reviewer.get("/calendar.ics").get_data(as_text=True)
    assert body.startswith("BEGIN:VCALENDAR") and "二级学院审定" in body and f"/tasks/{review.id}" in body
    assert "二级学院审定" not in login_as("rjxy_reviewer").get("/calendar.ics").get_data(as_text=True)
    from web.db import db
    from web.org.auth import make_api_token

    with app.app_context():
        token = make_api_token(session.scalar(select(User).where(User.username == "dzxy_reviewer2")), "calendar")
        db.session.commit()  # tokens are stored (hashed)
    anonymous = app.test_client()
    assert "二级学院审定" in anonymous.get(f"/calendar.ics?token={token}").get_data(as_text=True)
    assert anonymous.get("/calendar.ics?token=forged").status_code == 401


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_email_through_local_smtp(session):
    from aiosmtpd.controller import Controller

    from engine.scheduler import send_outbox

    received = []

    class Handler:
        async def handle_DATA(self, server, smtp_session, envelope):
            received.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
            return "250 OK"

    port = _free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        review = submit_target(session)
        scheduler.tick(session, review.due_at + timedelta(days=2))
        session.flush()
        count = session.query(Notification).count()
        sent = send_outbox(
            lambda: _Same(session), {"host": "127.0.0.1", "port": port, "base_url": "http://x"}, review.due_at
        )
    finally:
        controller.stop()
    assert sent == count == len(received)
    recipients = sorted(r[0][0] for r in received)
    assert "dzxy_reviewer@demo.zhengai.local" in recipients and "zlc_admin@demo.zhengai.local" in recipients
    own = next(m for _, m in received if m["Subject"].startswith("【已逾期"))
    assert f"http://x/tasks/{review.id}" in own.get_content()
    digest = next(m for r, m in received if r == ["zlc_admin@demo.zhengai.local"] and "逾期汇总" in m["Subject"])
    assert "http://x/monitor" in digest.get_content() and "电子与物联网学院：任务1项" in digest.get_content()
    assert all(n.emailed_at is not None for n in session.scalars(select(Notification)))


class _Same:
    """Hands the test's session to code that opens its own (commits become savepoints)."""

    def __init__(self, session):
        self.session = session

    def __enter__(self):
        return self.session

    def __exit__(self, *exc):
        return False


def test_ical_links_use_the_configured_address_not_the_host_header(app, session):
    from web.db import db
    from web.org.auth import make_api_token

    review = submit_target(session)
    app.config["ZHENGAI_BASE_URL"] = "https://zhengai.school.example/"
    with app.app_context():
        token = make_api_token(session.scalar(select(User).where(User.username == "dzxy_reviewer")), "calendar")
        db.session.commit()  # tokens are stored (hashed)
    response = app.test_client().get(f"/calendar.ics?token={token}", headers={"Host": "evil.example"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "BEGIN:VCALENDAR" in body
    assert f"https://zhengai.school.example/tasks/{review.id}" in body.replace("\r\n ", "")
    assert "evil.example" not in body
