"""Structured logs: one access line per request (request id, user id, route, status, duration), the id sent
back as X-Request-ID, no query string (tokens) in it; the scheduler logs each tick with what it fired."""

from __future__ import annotations

import io
import json
import logging

import pytest

from engine.core import logs
from tests.conftest import user


def access_lines(caplog) -> list[dict]:
    fmt = logs.JsonFormatter()
    return [json.loads(fmt.format(r)) for r in caplog.records if r.name == "zhengai.access"]


def test_every_request_logs_a_json_line_with_its_id_user_route_status_and_duration(login_as, session, caplog):
    client = login_as("t01")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="zhengai.access"):
        page = client.get("/tasks", headers={"X-Request-ID": "proxy-42.a"})
        missing = client.get("/documents/999999999")
        forged = client.get("/tasks", headers={"X-Request-ID": "bad id <script>"})
    assert page.headers["X-Request-ID"] == "proxy-42.a"
    first, second, third = access_lines(caplog)
    assert first["request_id"] == "proxy-42.a" and first["user_id"] == user(session, "t01").id
    assert first["route"] == "/tasks" and first["path"] == "/tasks" and first["method"] == "GET"
    assert first["status"] == 200 and first["duration_ms"] >= 0 and first["logger"] == "zhengai.access"
    assert second["status"] == missing.status_code == 404 and second["route"] == "/documents/<doc_id>"
    assert len(second["request_id"]) == 32 and second["request_id"] != first["request_id"]
    assert forged.headers["X-Request-ID"] == third["request_id"] and third["request_id"] != "bad id <script>"


def test_the_access_log_has_no_query_string(app, caplog):
    with caplog.at_level(logging.INFO, logger="zhengai.access"):
        response = app.test_client().get("/calendar.ics?token=s3cret-calendar-token")
    (line,) = access_lines(caplog)
    assert line["status"] == response.status_code == 401 and line["user_id"] is None
    assert "s3cret" not in json.dumps(line) and line["route"] == "/calendar.ics"


def test_the_scheduler_logs_each_tick_with_what_it_fired_and_how_long(connection, clock, caplog):
    from engine.scheduler.loop import logged_tick
    from tests.engine.test_scheduler import factory_on

    ticks = iter([10.0, 10.25])
    with caplog.at_level(logging.INFO, logger="zhengai.scheduler"):
        result = logged_tick(factory_on(connection), "host:1", clock, timer=lambda: next(ticks))
    (record,) = [r for r in caplog.records if getattr(r, "event", None) == "scheduler.tick"]
    line = json.loads(logs.JsonFormatter().format(record))
    assert line["duration_ms"] == 250.0 and line["holder"] == "host:1"
    assert line["fired"] == json.loads(json.dumps(result, default=str)) and "warnings" in line["fired"]


def test_a_failed_tick_is_logged_and_the_loop_goes_on(caplog):
    from engine.scheduler.loop import logged_tick

    def broken_factory():
        raise RuntimeError("database is gone")

    with caplog.at_level(logging.INFO, logger="zhengai.scheduler"):
        assert logged_tick(broken_factory, "host:1", lambda: None, timer=iter([1.0, 1.5]).__next__) is None
    (record,) = caplog.records
    assert record.levelname == "ERROR" and record.duration_ms == 500.0 and "database is gone" in record.error


@pytest.fixture
def root_handlers():
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    yield
    root.handlers[:], root.level = before, level


def test_log_format_json_or_text(root_handlers):
    out = io.StringIO()
    logs.configure("json", stream=out)
    logging.getLogger("zhengai.test").info("hello %s", "诊改", extra={"request_id": "r1", "status": 200})
    line = json.loads(out.getvalue().splitlines()[-1])
    assert line["message"] == "hello 诊改" and line["request_id"] == "r1" and line["status"] == 200
    logs.configure("text", stream=out)  # replaces the JSON handler, does not add a second one
    logging.getLogger("zhengai.test").info("plain", extra={"status": 404})
    assert out.getvalue().splitlines()[-1].endswith("INFO zhengai.test plain status=404")
    assert sum(1 for h in logging.getLogger().handlers if getattr(h, "_zhengai_handler", False)) == 1
    with pytest.raises(ValueError, match="ZHENGAI_LOG_FORMAT"):
        logs.configure("yaml")
