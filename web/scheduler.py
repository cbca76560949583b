"""The scheduler process (`zhengai scheduler`): one per installation, never inside a web worker.

Every tick takes the database lease, fires what is due in one transaction, then sends the e-mail
outbox. APScheduler only provides the heartbeat; what is due and what has fired lives in the database,
so a restart after downtime catches up and a second process started by mistake stays idle.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
from datetime import UTC, datetime
from email.message import EmailMessage

from sqlalchemy import select, update

from engine import deadlines, warning_rules
from engine.models import Notification, User

log = logging.getLogger("zhengai.scheduler")


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_tick(session_factory, holder: str, now: datetime) -> dict | None:
    """One heartbeat: None if another process holds the lease, else what fired."""
    with session_factory() as session:
        if not deadlines.acquire_lease(session, holder, now):
            session.rollback()
            return None
        session.commit()
    with session_factory() as session:
        result = deadlines.tick(session, now)
        result["warnings"] = warning_rules.evaluate(session, now)
        session.commit()  # the notifications and the fired marks, together
    result["cycle_batches"] = run_cycle_batches(session_factory, now)
    return result


def run_cycle_batches(session_factory, now: datetime, batch: int = 500) -> int:
    """Start pending annual cycles batch by batch, one transaction per batch (progress is visible)."""
    from engine import cycle
    from engine.models import CycleRun

    batches = 0
    with session_factory() as session:
        pending = session.scalars(select(CycleRun.id).where(CycleRun.status != "finished")).all()
    for run_id in pending:
        while True:
            with session_factory() as session:
                run = cycle.process_run(session, run_id, now, batch=batch)
                finished = run is None or run.status == "finished"
                session.commit()
                batches += 1
                if finished:
                    break
    return batches


def send_outbox(session_factory, smtp: dict, now: datetime, limit: int = 200) -> int:
    """E-mail the notifications not yet e-mailed, to users with an address; marks each one sent."""
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
            .where(Notification.emailed_at.is_(None), User.email.is_not(None))
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
                msg = EmailMessage()
                msg["From"] = smtp.get("sender", "zhengai@localhost")
                msg["To"] = row.email
                msg["Subject"] = row.title
                base = smtp.get("base_url", "").rstrip("/")
                link = (base + row.link) if row.link else ""
                # a digest's other lists (e.g. the annual table's besides the task list)
                for extra in (row.details or {}).get("lists", [])[1:]:
                    link += f"\n{extra['label']}：{base}{extra['href']}"
                msg.set_content(f"{row.body}\n\n{link}\n\n—— 诊改平台")
                client.send_message(msg)
                session.execute(update(Notification).where(Notification.id == row.id).values(emailed_at=now))
                session.commit()
                sent += 1
    return sent


def smtp_config(config: dict) -> dict:
    return {
        "host": config.get("ZHENGAI_SMTP_HOST"),
        "port": config.get("ZHENGAI_SMTP_PORT", 25),
        "user": config.get("ZHENGAI_SMTP_USER"),
        "password": config.get("ZHENGAI_SMTP_PASSWORD"),
        "starttls": config.get("ZHENGAI_SMTP_STARTTLS", False),
        "sender": config.get("ZHENGAI_MAIL_FROM", "zhengai@localhost"),
        "base_url": config.get("ZHENGAI_BASE_URL", "http://127.0.0.1:5000"),
    }


def serve(app, interval_seconds: int = 30) -> None:
    """Block forever: a tick every `interval_seconds` (APScheduler, one job, no overlap)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    factory = app.extensions["zhengai_db"]["factory"]
    holder = holder_name()
    smtp = smtp_config(app.config)

    def job():
        now = datetime.now(UTC)
        try:
            result = run_tick(factory, holder, now)
            if result:
                log.info("tick %s", result)
                send_outbox(factory, smtp, now)
        except Exception:  # noqa: BLE001 - a failed tick is retried at the next one
            log.exception("scheduler tick failed")

    scheduler = BlockingScheduler(timezone="UTC")
    scheduler.add_job(job, "interval", seconds=interval_seconds, max_instances=1, coalesce=True,
                      next_run_time=datetime.now(UTC))  # fmt: skip
    log.info("scheduler %s started, tick every %s s", holder, interval_seconds)
    try:
        scheduler.start()
    finally:
        with factory() as session:
            deadlines.release_lease(session, holder)
            session.commit()
