"""Telling people: notification rows written in the caller's transaction, the notification centre, the
daily overdue digests. E-mail goes out from the scheduler's outbox after the commit."""

from . import digests, notifications
from .notifications import arrival, note, send, task_arrived

__all__ = ["arrival", "digests", "note", "notifications", "send", "task_arrived"]
