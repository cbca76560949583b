"""A `limits` storage in our own database, so every web worker counts against the same limit.

Flask-Limiter's default `memory://` storage is per process: with two gunicorn workers each one counted
its own five login attempts. `database://` keeps fixed-window counters in `rate_limit_counter`:

- One statement counts: `INSERT ... ON CONFLICT (key) DO UPDATE ... RETURNING count` opens a new window
  when the row is missing or expired and adds to it otherwise. PostgreSQL locks the row for the
  conflicting update and SQLite runs one writer at a time, so two workers hitting the same key at the
  same instant get two different counts (tested with racing threads on both databases).
- Its own transaction: the storage takes an Engine and commits each hit at once on a connection of its
  own, never the request's session, so the request's rollback (a failed login renders, an error page)
  cannot take the attempt back. Tests hand it the test's Connection instead (`bind`), and each hit is
  then a SAVEPOINT inside the test's transaction.
- Bounded table: a row is reused when its key comes back; expired rows are swept at most once per
  `sweep_interval` seconds per process, in a separate statement after the hit has committed (rows
  another transaction holds are skipped on PostgreSQL, so sweeps never wait on or deadlock with hits).
- Time is a parameter: `clock` returns epoch seconds (default `time.time`, which Flask-Limiter also uses).

Only the fixed-window strategy is supported (Flask-Limiter's default); keys longer than the column are
stored as their SHA-256.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from limits.errors import ConfigurationError
from limits.storage import Storage
from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from ..models import RateLimitCounter

log = logging.getLogger(__name__)

KEY_LENGTH = 255
_table = RateLimitCounter.__table__


def storage_key(key: str) -> str:
    """The key as stored: itself when it fits the column, otherwise a digest (user names are free text)."""
    if len(key) <= KEY_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


class DatabaseStorage(Storage):
    """Fixed-window rate-limit counters in the application's database (`database://`)."""

    STORAGE_SCHEME = ["database"]

    def __init__(
        self,
        uri: str | None = None,
        wrap_exceptions: bool = False,
        *,
        bind: Engine | Connection | None = None,
        clock: Callable[[], float] | None = None,
        sweep_interval: float = 60.0,
        **options,
    ):
        if bind is None:
            raise ConfigurationError("database:// needs the application's database (the `bind` option)")
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.bind = bind
        self.clock = clock or time.time
        self.sweep_interval = sweep_interval
        self._next_sweep = 0.0
        self._sweep_lock = threading.Lock()

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        """A transaction of our own that commits on exit (a SAVEPOINT when handed a test's connection)."""
        if isinstance(self.bind, Connection):
            with self.bind.begin_nested():
                yield self.bind
        else:
            with self.bind.begin() as conn:
                yield conn

    def _upsert(self, dialect_name: str, key: str, expiry: float, amount: int, now: float):
        dialect = postgresql if dialect_name == "postgresql" else sqlite
        if dialect_name not in ("postgresql", "sqlite"):
            raise ConfigurationError(f"database:// supports SQLite and PostgreSQL, not {dialect_name}")
        stmt = dialect.insert(_table).values(key=key, count=amount, expires_at=now + expiry)
        # SET expressions read the row as it was before this update, on both databases
        expired = _table.c.expires_at <= now
        return stmt.on_conflict_do_update(
            index_elements=[_table.c.key],
            set_={
                "count": _case(expired, stmt.excluded.count, _table.c.count + stmt.excluded.count),
                "expires_at": _case(expired, stmt.excluded.expires_at, _table.c.expires_at),
            },
        ).returning(_table.c.count)

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Count `amount` hits in the key's window (a new window of `expiry` seconds if none is open)."""
        now = self.clock()
        with self._begin() as conn:
            count = conn.execute(self._upsert(conn.dialect.name, storage_key(key), expiry, amount, now)).scalar_one()
        self._maybe_sweep(now)
        return count

    def get(self, key: str) -> int:
        with self._begin() as conn:
            count = conn.execute(
                select(_table.c.count).where(_table.c.key == storage_key(key), _table.c.expires_at > self.clock())
            ).scalar()
        return count or 0

    def get_expiry(self, key: str) -> float:
        now = self.clock()
        with self._begin() as conn:
            expires_at = conn.execute(
                select(_table.c.expires_at).where(_table.c.key == storage_key(key), _table.c.expires_at > now)
            ).scalar()
        return expires_at if expires_at is not None else now

    def check(self) -> bool:
        try:
            with self._begin() as conn:
                conn.execute(select(_table.c.key).limit(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self._begin() as conn:
            return conn.execute(delete(_table)).rowcount

    def clear(self, key: str) -> None:
        with self._begin() as conn:
            conn.execute(delete(_table).where(_table.c.key == storage_key(key)))

    def sweep(self, now: float | None = None) -> int:
        """Delete expired counters; rows locked by a concurrent hit are left for the next sweep."""
        now = self.clock() if now is None else now
        expired = select(_table.c.key).where(_table.c.expires_at <= now).with_for_update(skip_locked=True)
        with self._begin() as conn:
            return conn.execute(delete(_table).where(_table.c.key.in_(expired))).rowcount

    def _maybe_sweep(self, now: float) -> None:
        if now < self._next_sweep or not self._sweep_lock.acquire(blocking=False):
            return
        try:
            self._next_sweep = now + self.sweep_interval
            self.sweep(now)
        except SQLAlchemyError:  # the hit has counted; a failed sweep is retried at the next interval
            log.warning("could not sweep expired rate-limit counters", exc_info=True)
        finally:
            self._sweep_lock.release()


def _case(condition, then, otherwise):
    return case((condition, then), else_=otherwise)
