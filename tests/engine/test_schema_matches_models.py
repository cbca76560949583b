"""The migrations build the schema the models describe: a table, column, index, unique constraint or foreign key
added to one and not the other is a failing test here, not an error on a college's server after an upgrade. Runs
on SQLite and, in the PostgreSQL pass, on a real server."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

import engine.models  # noqa: F401 - every model registers its table
from engine.core.migrate import alembic_config
from engine.models.base import Base
from tests.conftest import fresh_database


def _differences(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def test_the_migrated_schema_is_the_models_schema(tmp_path):
    url = fresh_database(tmp_path, "schema")
    command.upgrade(alembic_config(url), "head")
    assert _differences(url) == []


def test_dropping_the_unused_section_table_goes_both_ways(tmp_path):
    """Migration 0035 drops the first schema's `section` table and `app_user.section_id` (sub-units are units of
    the tree); going back restores them, and forward again matches the models."""
    url = fresh_database(tmp_path, "sections")
    cfg = alembic_config(url)
    command.upgrade(cfg, "head")
    command.downgrade(cfg, "0034")
    engine = create_engine(url)
    try:
        names = inspect(engine).get_table_names()
        assert "section" in names
        assert "section_id" in {c["name"] for c in inspect(engine).get_columns("app_user")}
    finally:
        engine.dispose()
    command.upgrade(cfg, "head")
    engine = create_engine(url)
    try:
        assert "section" not in inspect(engine).get_table_names()
        assert "section_id" not in {c["name"] for c in inspect(engine).get_columns("app_user")}
    finally:
        engine.dispose()
    assert _differences(url) == []


def test_upgrading_moves_a_person_s_subject_out_of_a_teaching_section(tmp_path):
    """Migration 0036: a teacher's subject written into a 教研室 by an earlier import moves to the college above."""
    url = fresh_database(tmp_path, "topunit")
    cfg = alembic_config(url)
    command.upgrade(cfg, "0035")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO org_unit (id, code, name, kind, parent_id, active) VALUES "
                              "(1, 'S', '学校', 'school', NULL, TRUE), (2, 'C', '学院', 'college', 1, TRUE), "
                              "(3, 'C1', '教研室', 'teaching_section', 2, TRUE)"))  # fmt: skip
            conn.execute(text("INSERT INTO subject (id, type, code, name, org_unit_id, attrs) VALUES "
                              "(1, 'teacher', 't', '教师', 3, '{}'), (2, 'major', 'm', '专业', 3, '{}')"))  # fmt: skip
        command.upgrade(cfg, "head")
        with engine.connect() as conn:
            units = dict(conn.execute(text("SELECT type, org_unit_id FROM subject")).all())
        assert units == {"teacher": 2, "major": 3}  # only a person's own subject moves
    finally:
        engine.dispose()
