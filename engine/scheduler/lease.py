"""The scheduler's lease: one row in the database says which process may tick, until when.

A process takes the lease for 90 s at each tick and renews it while it works (between batches of a long
year start, while sending e-mail), so a second scheduler started by mistake stays idle, and takes over
once the first has been gone for 90 s. A holder that finds its lease taken (it was too slow to renew)
stops its work at once (`LeaseLost`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from ..models import SchedulerLease

TTL = timedelta(seconds=90)


def acquire_lease(session: Session, holder: str, now: datetime, ttl: timedelta = TTL) -> bool:
    """Take or renew the scheduler lease; False while another live process holds it."""
    result = session.execute(
        update(SchedulerLease)
        .where(
            SchedulerLease.name == "scheduler",
            or_(SchedulerLease.holder.is_(None), SchedulerLease.holder == holder, SchedulerLease.expires_at < now),
        )
        .values(holder=holder, expires_at=now + ttl)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def release_lease(session: Session, holder: str) -> None:
    session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == "scheduler", SchedulerLease.holder == holder)
        .values(holder=None, expires_at=None)
    )


class LeaseLost(RuntimeError):
    """Another scheduler holds the lease now: whatever this one was doing stops."""


class Lease:
    """One holder's lease, taken and renewed in transactions of their own (`clock` gives the time)."""

    def __init__(self, session_factory, holder: str, clock: Callable[[], datetime], ttl: timedelta = TTL):
        self.session_factory, self.holder, self.clock, self.ttl = session_factory, holder, clock, ttl
        self.renewed_at: datetime | None = None

    def _take(self) -> bool:
        now = self.clock()
        with self.session_factory() as session:
            taken = acquire_lease(session, self.holder, now, self.ttl)
            session.commit()
        if taken:
            self.renewed_at = now
        return taken

    def acquire(self) -> bool:
        """Take the lease (or renew it); False while another process holds it."""
        return self._take()

    def renew(self) -> None:
        """Keep the lease while working: renewed once a third of its time has gone; LeaseLost if taken."""
        if self.renewed_at is not None and self.clock() - self.renewed_at < self.ttl / 3:
            return
        if not self._take():
            raise LeaseLost(self.holder)

    def release(self) -> None:
        with self.session_factory() as session:
            release_lease(session, self.holder)
            session.commit()
