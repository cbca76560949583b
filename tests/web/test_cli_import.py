"""`zhengai import`: a roster from the command line, checked row by row, then written; --dry-run writes nothing."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.core.db import make_engine
from engine.models import OrgUnit
from tests.conftest import SETTINGS, fresh_database
from web.cli import main

COLLEGE = Path(__file__).resolve().parent.parent / "fixtures" / "college"


def run(url: str, *args: str):
    return CliRunner().invoke(main, list(args), env={"DATABASE_URL": url}, catch_exceptions=False)


def units(url: str) -> int:
    eng = make_engine(url)
    with Session(eng, info=SETTINGS.session_info()) as s:
        n = s.scalar(select(func.count()).select_from(OrgUnit).where(OrgUnit.code.like("JT%")))
    eng.dispose()
    return n


def test_import_from_the_command_line(tmp_path):
    url = fresh_database(tmp_path, "cli_import")
    assert run(url, "init", "--demo=org").exit_code == 0
    dry = run(url, "import", "units", str(COLLEGE / "units.csv"), "--dry-run")
    assert dry.exit_code == 0 and "共 11 行：新增 11" in dry.output and units(url) == 0
    done = run(url, "import", "units", str(COLLEGE / "units.csv"))
    assert done.exit_code == 0 and "已导入：新增 11" in done.output and units(url) == 11
    again = run(url, "import", "units", str(COLLEGE / "units.csv"))
    assert "新增 0，更新 0，未变 11" in again.output
    bad = tmp_path / "staff.csv"
    bad.write_text("工号,姓名,单位代码,人员类别\nq1,甲,NOPE,教师\n", encoding="utf-8")
    refused = run(url, "import", "staff", str(bad))
    assert refused.exit_code == 1 and "第 2 行：未知单位“NOPE”" in refused.output
