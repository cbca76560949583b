"""Fixtures shared by the web tests."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine.core.db import make_engine
from engine.cycle import annual
from engine.models import QualityWarning
from engine.warnings import rules as warning_rules
from tests.conftest import SETTINGS, fresh_database, make_app
from tests.engine.test_warnings import AFTER_DUE, GENERATED, TABLE
from web.cli import main

PASSWORD = "pw-for-tests-1"  # the first administrator's of a new school (new_school)


def cli(url: str, *args: str, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), env={"DATABASE_URL": url}, input=stdin, catch_exceptions=False)


@pytest.fixture
def raised(session, clock):
    """The 2026 table's warnings: 人力资源处's basic standard (red), 工作标准 for every department (yellow)."""
    annual.instantiate(session, 2026, None, GENERATED, TABLE)
    warning_rules.evaluate(session, AFTER_DUE)
    session.flush()
    clock.now = AFTER_DUE
    by_unit = {}
    for w in session.scalars(select(QualityWarning)):
        by_unit.setdefault(w.org_unit.code, {})[w.kind] = w
    return by_unit


@pytest.fixture
def new_school(tmp_path, clock):
    """An empty database after `init --no-demo` and `create-admin`, and the app on it."""
    url = fresh_database(tmp_path, "new_school")
    out = cli(url, "init", "--no-demo")
    assert out.exit_code == 0, out.output
    assert "zhengai create-admin" in out.output and "尚未分配给部门的职能（13 项）" in out.output
    out = cli(url, "create-admin", "chief", "--name", "王管理", "--password-stdin", stdin=PASSWORD + "\n")
    assert out.exit_code == 0 and "已创建管理员 chief" in out.output, out.output
    app = make_app(DATABASE_URL=url, ZHENGAI_CLOCK=clock, ZHENGAI_SETTINGS=SETTINGS)
    eng = make_engine(url)
    yield url, app, eng
    eng.dispose()
    app.extensions["zhengai_db"]["engine"].dispose()
