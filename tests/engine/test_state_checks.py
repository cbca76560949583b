"""The database refuses a state outside its enum (CHECK constraints of migration 0015), on SQLite and on
PostgreSQL alike (the PostgreSQL pass runs this file against a real server), and the migration keeps the
rows, the indexes and the foreign keys of a database that already holds a school's data."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import install
from engine.core.db import make_engine
from engine.core.migrate import alembic_config
from engine.documents import service as documents
from engine.models import (
    Document,
    DocumentStatus,
    HumanTask,
    InstanceStatus,
    ProcessInstance,
    QualityWarning,
    Role,
    RoleAssignment,
    ScopeType,
    TaskState,
    WarningLevel,
    WarningStatus,
)
from engine.warnings import service as warnings
from tests.conftest import NOW, SETTINGS, fresh_database, own_subject, user

COLUMNS = [
    (HumanTask, "state", TaskState),
    (ProcessInstance, "status", InstanceStatus),
    (Document, "status", DocumentStatus),
    (QualityWarning, "status", WarningStatus),
    (QualityWarning, "level", WarningLevel),
    (RoleAssignment, "role", Role),
    (RoleAssignment, "scope_type", ScopeType),
]
TABLES = sorted({model.__tablename__ for model, _, _ in COLUMNS})


def _some_of_each(session) -> None:
    """A chain started (task, instance, document) and a warning raised, besides the demo's positions."""
    documents.start_document(session, user(session, "t01"), own_subject(session, "t01").id, "target", NOW)
    warnings.create(
        session, kind="safety_hazard", level="red", title="消防通道堵塞", description="教学楼", now=NOW,
        org_unit_id=user(session, "t01").org_unit_id, source="manual", reporter=user(session, "t01"), send=False,
    )  # fmt: skip
    session.flush()


@pytest.mark.parametrize("model, column, enum", COLUMNS, ids=[f"{m.__tablename__}.{c}" for m, c, _ in COLUMNS])
def test_the_database_refuses_a_value_outside_the_enum(session, model, column, enum):
    _some_of_each(session)
    row = session.scalar(select(model).order_by(model.id).limit(1))
    assert getattr(row, column) in set(enum)  # what the product writes is valid
    table = model.__tablename__
    with pytest.raises(IntegrityError, match=f"ck_{table}_{column}"):
        with session.begin_nested():
            session.execute(text(f"UPDATE {table} SET {column} = 'bogus' WHERE id = :id"), {"id": row.id})
    with pytest.raises(IntegrityError):  # the ORM's own flush is refused the same way
        with session.begin_nested():
            setattr(row, column, "bogus")
            session.flush()
    session.expire(row)
    assert getattr(row, column) in set(enum)


def test_an_author_is_not_a_position(session):
    with pytest.raises(IntegrityError, match="ck_role_assignment_role"):
        with session.begin_nested():
            session.add(
                RoleAssignment(user_id=user(session, "t01").id, role="author", scope_type="subject", scope_id=1)
            )
            session.flush()


@pytest.fixture
def old_school(tmp_path):
    """A database at revision 0014 with the demo organisation, a started chain and a warning in it.

    Today's code writes the data (at head: the models may have columns 0014 has not), then the database
    goes back to 0014."""
    url = fresh_database(tmp_path, "before_0015")
    cfg = alembic_config(url)
    command.upgrade(cfg, "head")
    engine = make_engine(url)
    with Session(engine, info=SETTINGS.session_info()) as session:
        install.install(session, NOW)
        _some_of_each(session)
        session.commit()
    engine.dispose()
    command.downgrade(cfg, "0014")
    yield url, cfg, engine
    engine.dispose()


def _shape(engine):
    """Per table: its row count, index names and foreign keys (as the database reports them)."""
    insp = inspect(engine)
    with engine.connect() as conn:
        return {
            table: (
                conn.execute(text(f"SELECT count(*) FROM {table}")).scalar(),
                sorted(i["name"] for i in insp.get_indexes(table)),
                sorted((tuple(f["constrained_columns"]), f["referred_table"]) for f in insp.get_foreign_keys(table)),
            )
            for table in [*TABLES, "task_candidate", "document_version", "audit_log"]
        }


def _checks(engine) -> set[str]:
    insp = inspect(engine)
    return {c["name"] for table in TABLES for c in insp.get_check_constraints(table)}


def test_the_migration_keeps_a_school_s_data_and_can_be_undone(old_school):
    url, cfg, engine = old_school
    before = _shape(engine)
    assert before["human_task"][0] and before["task_candidate"][0] and before["quality_warning"][0]
    assert _checks(engine) == set()
    command.upgrade(cfg, "head")
    engine.dispose()  # SQLite: see the rebuilt tables afresh
    assert _shape(engine) == before
    assert _checks(engine) == {f"ck_{model.__tablename__}_{column}" for model, column, _ in COLUMNS}
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # enforcement is back on
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        with pytest.raises(IntegrityError):
            conn.execute(text("UPDATE human_task SET state = 'bogus'"))
        conn.rollback()
    command.downgrade(cfg, "0014")
    engine.dispose()
    assert _shape(engine) == before and _checks(engine) == set()


def test_the_migration_names_values_it_cannot_keep(old_school):
    url, cfg, engine = old_school
    with engine.begin() as conn:
        conn.execute(text("UPDATE human_task SET state = 'withdrawn'"))
    with pytest.raises(RuntimeError, match=r"human_task.state = 'withdrawn' \(1 rows\)"):
        command.upgrade(cfg, "head")
    probe = create_engine(url)
    assert _checks(probe) == set()  # nothing changed
    probe.dispose()
