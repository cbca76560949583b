"""Database plumbing shared by the web app, the scheduler and the CLI: no framework, no globals."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from sqlalchemy import bindparam, create_engine, event, inspect, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapper, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError


def make_engine(url: str, *, sqlite_explicit_begin: bool = False, **kwargs) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout so writers queue.

    By default pysqlite opens a transaction at the first write, so reads never pin an old WAL snapshot
    and concurrent writers queue on the busy timeout; the optimistic lock on process instances decides
    races. `sqlite_explicit_begin` (used by the tests) makes BEGIN explicit so SAVEPOINTs nest properly.
    """
    if url.startswith("sqlite"):
        _private_sqlite_file(url)
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


def _private_sqlite_file(url: str) -> None:
    """The database file is the owner's only (0600); SQLite gives its -wal and -shm files the same mode."""
    from sqlalchemy.engine import make_url

    path = make_url(url).database
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return  # the directory is missing or not ours: SQLite reports it on connect
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


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


def write_row(session, obj, values: dict) -> None:
    """Write `values` (attribute -> value) to a persistent ORM object's row with one Core UPDATE, as a flush
    would but without the unit of work (it costs more than the statement on the completion path), and set
    them on the object as committed, so the object stays clean and the identity map right.

    A mapper with a version column (the instance's optimistic lock) gets the flush's check: the UPDATE only
    matches the version that was loaded, and advances it; no match is StaleDataError, as from a flush.
    Changes made to the object by attribute assignment stay pending for the next flush (which then checks
    the advanced version). The object is not dirty, so a rollback to a savepoint does not expire it: whoever
    goes on after one expires the session (engine/workflow/batch.py); a full rollback expires everything.
    """
    state = inspect(obj)
    mapper = state.mapper
    statement = _update_statement(mapper, tuple(values))
    params = {f"new_{key}": value for key, value in values.items()}
    params["pk"] = state.identity[0]
    version = mapper.version_id_col
    if version is not None:
        version_key = mapper.get_property_by_column(version).key
        committed = state.committed_state
        current = committed[version_key] if version_key in committed else getattr(obj, version_key)
        params["version"], params["new_version"] = current, current + 1
    if session.connection().execute(statement, params).rowcount != 1:
        raise StaleDataError(f"{mapper.class_.__name__} {params['pk']}: the row changed or is gone")
    for key, value in values.items():
        set_committed_value(obj, key, value)
    if version is not None:
        set_committed_value(obj, version_key, params["new_version"])
    held = session.info.get(_HELD)
    if held is not None:
        held.append(obj)


_HELD = "zhengai_held_rows"  # the session.info key of `holding`'s list


@contextmanager
def holding(session) -> Iterator[None]:
    """Keep the objects `write_row` writes inside the block referenced until it ends. The identity map holds
    clean objects weakly; the ORM holds a dirty one until its flush, so the rest of a step finds it with
    `session.get` and no query: this does the same for rows written with Core."""
    outer = session.info.get(_HELD)
    session.info[_HELD] = [] if outer is None else outer
    try:
        yield
    finally:
        if outer is None:
            del session.info[_HELD]


@cache
def _update_statement(mapper: Mapper, keys: tuple[str, ...]):
    """UPDATE of the given attributes by primary key (and version), built once per shape."""
    table = mapper.local_table
    (pk,) = mapper.primary_key
    columns = {mapper.get_property(key).columns[0].key: bindparam(f"new_{key}") for key in keys}
    statement = update(table).where(pk == bindparam("pk"))
    if mapper.version_id_col is not None:
        statement = statement.where(mapper.version_id_col == bindparam("version"))
        columns[mapper.version_id_col.key] = bindparam("new_version")
    return statement.values(columns)


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
