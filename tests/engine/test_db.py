"""Savepoints nest inside the request's transaction on the production SQLite setup too."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from engine.core.db import make_engine, savepoint
from tests.conftest import SETTINGS


def test_a_released_savepoint_is_undone_with_its_transaction(tmp_path):
    # the production engine: pysqlite's own transaction handling, no test-only explicit BEGIN
    eng = make_engine(f"sqlite:///{tmp_path / 'sp.db'}")
    with eng.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    with Session(eng, info=SETTINGS.session_info()) as session:
        session.execute(text("SELECT count(*) FROM t")).scalar()  # reads only: no transaction yet
        with savepoint(session):
            session.execute(text("INSERT INTO t VALUES (1)"))
        nested = savepoint(session)
        session.execute(text("INSERT INTO t VALUES (2)"))
        nested.rollback()
        session.rollback()  # the request fails after the savepoints were released
    with eng.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0
    with Session(eng, info=SETTINGS.session_info()) as session:
        with savepoint(session):
            session.execute(text("INSERT INTO t VALUES (3)"))
        session.commit()
    with eng.connect() as conn:
        assert conn.exec_driver_sql("SELECT x FROM t").scalars().all() == [3]
    eng.dispose()
