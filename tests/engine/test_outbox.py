"""The outbox: user text never breaks an e-mail header, and one bad message never stops the rest."""

from __future__ import annotations

from email import message_from_bytes, policy

from sqlalchemy import select

from engine import scheduler
from engine.models import Notification
from tests.conftest import NOW, user
from tests.engine.test_scheduler import factory_on


def _note(session, name: str, title: str) -> Notification:
    row = Notification(user_id=user(session, name).id, kind="warning", title=title, body="正文", link="/warnings",
                       created_at=NOW)  # fmt: skip
    session.add(row)
    session.flush()
    return row


def test_a_newline_in_a_title_or_a_refused_address_does_not_stop_the_other_mails(connection, session):
    from aiosmtpd.controller import Controller

    from tests.web.test_notifications import _free_port

    refused = user(session, "t02").email
    received = []

    class Server:
        async def handle_RCPT(self, server, smtp_session, envelope, address, rcpt_options):
            if address == refused:
                return "550 no such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, smtp_session, envelope):
            received.append(message_from_bytes(envelope.content, policy=policy.default))
            return "250 OK"

    session.execute(Notification.__table__.delete())
    injected = _note(session, "t01", "预警：经费\r\nBcc: victim@evil.example")
    bounced = _note(session, "t02", "预警：师资")
    later = _note(session, "t03", "预警：课程")
    session.commit()
    port = _free_port()
    controller = Controller(Server(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        sent = scheduler.send_outbox(factory_on(connection), {"host": "127.0.0.1", "port": port}, NOW)
    finally:
        controller.stop()
    assert sent == 2
    subjects = [m["Subject"] for m in received]
    assert subjects == ["预警：经费 Bcc: victim@evil.example", "预警：课程"]
    assert all(m["Bcc"] is None for m in received)
    session.expire_all()
    assert session.get(Notification, injected.id).emailed_at == NOW
    assert session.get(Notification, later.id).emailed_at == NOW
    failed = session.get(Notification, bounced.id)
    assert failed.emailed_at is None and failed.email_attempts == 1 and "550" in failed.email_error


def test_a_message_that_keeps_failing_is_given_up_after_its_attempts(connection, session, monkeypatch):
    from engine.scheduler import outbox

    session.execute(Notification.__table__.delete())
    row = _note(session, "t01", "预警")
    row.email_attempts = outbox.MAX_ATTEMPTS
    session.commit()

    def no_server(*args, **kwargs):
        raise AssertionError("nothing left to send: the server is not even contacted")

    monkeypatch.setattr(outbox.smtplib, "SMTP", no_server)
    assert scheduler.send_outbox(factory_on(connection), {"host": "127.0.0.1", "port": 1}, NOW) == 0
    assert session.scalar(select(Notification.emailed_at).where(Notification.id == row.id)) is None


def test_header_text_has_no_control_characters():
    from engine.scheduler.outbox import header_text

    assert header_text("a\nb\tc\x00d\u2028e ") == "a b c d e"
    assert header_text(None) == ""
