"""Database plumbing shared by the web app, the scheduler and the CLI: no framework, no globals."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker


def make_engine(url: str, *, sqlite_explicit_begin: bool = False, **kwargs) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout so writers queue.

    By default pysqlite opens a transaction at the first write, so reads never pin an old WAL snapshot
    and concurrent writers queue on the busy timeout; the optimistic lock on process instances decides
    races. `sqlite_explicit_begin` (used by the tests) makes BEGIN explicit so SAVEPOINTs nest properly.
    """
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {}).update({"timeout": 30, "check_same_thread": False})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
            if sqlite_explicit_begin:
                dbapi_conn.isolation_level = None

        if sqlite_explicit_begin:

            @event.listens_for(engine, "begin")
            def _begin(conn):
                conn.exec_driver_sql("BEGIN")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def savepoint(session):
    """`session.begin_nested()` that nests inside the request's transaction on every backend.

    pysqlite (in its default mode) only opens a transaction at the first write, so a SAVEPOINT issued
    after reads alone would start the transaction itself and its RELEASE would commit. Open the outer
    transaction first (IMMEDIATE: we are about to write, so queue for the write lock now).
    """
    conn = session.connection()
    if conn.dialect.name == "sqlite" and not conn.connection.dbapi_connection.in_transaction:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    return session.begin_nested()


def make_session_factory(bind, settings) -> sessionmaker:
    """Sessions that carry `settings` (engine/core/settings.py: services read them with `settings.of`)."""
    return sessionmaker(bind=bind, expire_on_commit=False, autoflush=True, info=settings.session_info())


@contextmanager
def autoflush(session, on: bool) -> Iterator[None]:
    """Switch the session's autoflush on or off for a block (`Session.no_autoflush` only switches it off)."""
    before = session.autoflush
    session.autoflush = on
    try:
        yield
    finally:
        session.autoflush = before
