"""The settings: one value built from the environment, carried by the session; no module globals."""

from __future__ import annotations

import ast
from dataclasses import FrozenInstanceError
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from engine.core import periods, settings
from engine.core.settings import Settings

ENGINE = Path(__file__).resolve().parents[2] / "engine"


def test_the_defaults_are_the_seed_s_school():
    s = Settings.from_env({})
    assert s == Settings()
    assert (s.timezone.key, s.cycle_base_year, s.reminder_days, s.escalate_after, s.digest_hour, s.proxy_hops) == (
        "Asia/Shanghai", 2016, (7, 1), timedelta(hours=24), 8, 0
    )  # fmt: skip
    with pytest.raises(FrozenInstanceError):
        s.digest_hour = 9


def test_the_environment_sets_every_knob_and_bad_values_are_named():
    s = Settings.from_env({
        "ZHENGAI_TIMEZONE": "Europe/Berlin", "ZHENGAI_CYCLE_BASE_YEAR": "2017", "ZHENGAI_REMINDER_DAYS": "1, 3,0",
        "ZHENGAI_ESCALATE_AFTER_HOURS": "36", "ZHENGAI_DIGEST_HOUR": "7", "ZHENGAI_PROXY_HOPS": "1",
    })  # fmt: skip
    assert s == Settings(ZoneInfo("Europe/Berlin"), 2017, (3, 1), timedelta(hours=36), 7, 1)
    for name, value in [("ZHENGAI_TIMEZONE", "Mars/Olympus"), ("ZHENGAI_CYCLE_BASE_YEAR", "二〇一六"),
                        ("ZHENGAI_DIGEST_HOUR", "24"), ("ZHENGAI_PROXY_HOPS", "-1")]:  # fmt: skip
        with pytest.raises(ValueError, match=name):
            Settings.from_env({name: value})


def test_the_school_s_calendar():
    berlin = Settings(timezone=ZoneInfo("Europe/Berlin"), cycle_base_year=2017)
    eve = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # 00:30 on New Year's Day in Berlin
    assert berlin.today(eve) == date(2027, 1, 1) and Settings().today(eve) == date(2027, 1, 1)
    assert (
        periods.period_for("target", eve, berlin) == "2026-2028" and periods.period_for("plan", eve, berlin) == "2027"
    )
    assert periods.period_for("target", eve, Settings()) == "2025-2027"
    assert berlin.end_of_day(date(2027, 3, 31)).astimezone(UTC) == datetime(2027, 3, 31, 21, 59, 59, tzinfo=UTC)
    assert berlin.digest_slot(eve) == datetime(2027, 1, 1, 7, 0, tzinfo=UTC)  # 08:00 Berlin


def test_a_session_without_settings_is_refused(connection):
    with Session(bind=connection) as plain, pytest.raises(RuntimeError, match="Settings"):
        settings.of(plain)


def test_the_engine_has_no_module_globals_to_configure_and_no_zone_of_its_own():
    for path in ENGINE.rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            assert not isinstance(node, ast.Global), f"{path}:{node.lineno}: a module global set at run time"
            if path.name != "settings.py" and isinstance(node, ast.Call) and getattr(node.func, "id", "") == "ZoneInfo":
                pytest.fail(f"{path}:{node.lineno}: a time zone written into the engine")
