"""`zhengai init`: the demo school with its year by default, the organisation alone with --demo=org."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.core.db import make_engine
from engine.models import CycleInstance, User
from tests.conftest import SETTINGS, fresh_database
from web.cli import main


def init(url: str, *args: str) -> str:
    result = CliRunner().invoke(main, ["init", *args], env={"DATABASE_URL": url}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def loaded(url: str) -> tuple[int, int]:
    """(users, subjects whose year has started)."""
    eng = make_engine(url)
    with Session(eng, info=SETTINGS.session_info()) as s:
        figures = (s.scalar(select(func.count()).select_from(User)),
                   s.scalar(select(func.count()).select_from(CycleInstance)))  # fmt: skip
    eng.dispose()
    return figures


def test_demo_org_loads_the_organisation_alone_and_a_later_init_adds_no_year(tmp_path):
    url = fresh_database(tmp_path, "init_org")
    assert "已载入演示组织" in init(url, "--demo=org")
    users, started = loaded(url)
    assert users > 60 and started == 0
    again = init(url)  # the default loads a year only into the database that gets the organisation now
    assert "演示" not in again and loaded(url) == (users, 0)


@pytest.mark.slow
def test_init_loads_the_demo_school_with_its_year_in_flight_by_default(tmp_path):
    url = fresh_database(tmp_path, "init_year")
    output = init(url)
    assert "年度进行中" in output and "demo1234" in output
    users, started = loaded(url)
    assert users > 60 and started == 100  # 39 of the 教师 level (教师、辅导员、职员) among them
