"""E-mail the notifications not yet e-mailed (after their transaction committed), one commit each."""

from __future__ import annotations

import logging
import re
import smtplib
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import select, update

from ..models import Notification, User

log = logging.getLogger(__name__)

# after this many failed tries a notification is no longer e-mailed (it stays in the app, with its error)
MAX_ATTEMPTS = 5
# what a single message can fail on: building it (bad header text) or the server refusing this one message
MESSAGE_ERRORS = (
    ValueError,
    TypeError,
    UnicodeError,
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPNotSupportedError,
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


def header_text(value, limit: int = 200) -> str:
    """User text made safe as an e-mail header: control characters (newlines, tabs...) become one space."""
    return _CONTROL.sub(" ", str(value or "")).strip()[:limit]


def smtp_config(config: dict) -> dict:
    """The outbox's settings from the application's configuration (ZHENGAI_SMTP_*, sender, link base)."""
    return {
        "host": config.get("ZHENGAI_SMTP_HOST"),
        "port": config.get("ZHENGAI_SMTP_PORT", 25),
        "user": config.get("ZHENGAI_SMTP_USER"),
        "password": config.get("ZHENGAI_SMTP_PASSWORD"),
        "starttls": config.get("ZHENGAI_SMTP_STARTTLS", False),
        "sender": config.get("ZHENGAI_MAIL_FROM", "zhengai@localhost"),
        "base_url": config.get("ZHENGAI_BASE_URL", "http://127.0.0.1:5000"),
    }


def send_outbox(session_factory, smtp: dict, now: datetime, limit: int = 200, lease=None) -> int:
    """E-mail the notifications not yet e-mailed, to users with an address; marks each one sent.

    `lease` (engine/scheduler/lease.py) is renewed between messages: a slow mail server does not let a
    second scheduler take over while this one is still sending.
    """
    if not smtp.get("host"):
        return 0
    sent = 0
    with session_factory() as session:
        rows = session.execute(
            select(
                Notification.id,
                Notification.title,
                Notification.body,
                Notification.link,
                Notification.details,
                User.email,
            )
            .join(User, User.id == Notification.user_id)
            .where(
                Notification.emailed_at.is_(None),
                Notification.email_attempts < MAX_ATTEMPTS,
                User.email.is_not(None),
            )
            .order_by(Notification.id)
            .limit(limit)
        ).all()
        if not rows:
            return 0
        with smtplib.SMTP(smtp["host"], int(smtp.get("port", 25)), timeout=30) as client:
            if smtp.get("starttls"):
                client.starttls()
            if smtp.get("user"):
                client.login(smtp["user"], smtp.get("password", ""))
            for row in rows:
                if lease is not None:
                    lease.renew()
                try:
                    client.send_message(_message(row, smtp))
                except MESSAGE_ERRORS as exc:  # this message only: record it, go on with the rest
                    log.warning("outbox: notification %s not e-mailed: %r", row.id, exc)
                    if isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError):
                        client.rset()  # a refused transaction leaves the session mid-way
                    session.execute(
                        update(Notification)
                        .where(Notification.id == row.id)
                        .values(
                            email_attempts=Notification.email_attempts + 1,
                            email_error=f"{type(exc).__name__}: {exc}"[:500],
                        )
                    )
                    session.commit()
                    continue
                session.execute(update(Notification).where(Notification.id == row.id).values(emailed_at=now))
                session.commit()
                sent += 1
    return sent


def _message(row, smtp: dict) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = header_text(smtp.get("sender", "zhengai@localhost"))
    msg["To"] = header_text(row.email, 320)
    msg["Subject"] = header_text(row.title)
    base = smtp.get("base_url", "").rstrip("/")
    link = (base + row.link) if row.link else ""
    # a digest's other lists (e.g. the annual table's besides the task list)
    for extra in (row.details or {}).get("lists", [])[1:]:
        link += f"\n{extra['label']}：{base}{extra['href']}"
    msg.set_content(f"{row.body}\n\n{link}\n\n—— 诊改平台")
    return msg
