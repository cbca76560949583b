"""`zhengai backup` of a running demo school and `zhengai restore` into an empty database: every document,
task and workflow state is there and the work goes on (a counselor approves after the restore)."""

from __future__ import annotations

import os
import re
import stat

import pytest
from sqlalchemy import text

from engine.core.db import make_engine
from tests.conftest import SETTINGS, fresh_database, login, make_app
from tests.web.conftest import cli

TABLES = {
    "document": "id, status, title, published_version",
    "document_version": "document_id, version",
    "human_task": "id, state, name, instance_id, claimant_id",
    "process_instance": "id, status, lock_version, state_json, next_timer_at",
}


def snapshot(url: str) -> dict[str, list]:
    eng = make_engine(url)
    try:
        with eng.connect() as conn:
            return {
                table: [tuple(r) for r in conn.execute(text(f"SELECT {cols} FROM {table} ORDER BY 1, 2"))]
                for table, cols in TABLES.items()
            }
    finally:
        eng.dispose()


@pytest.mark.slow
def test_backup_of_a_running_demo_restores_into_an_empty_database_and_runs(
    demo_year_url, demo_year_engine, tmp_path, clock
):
    with demo_year_engine.connect() as running:  # the app is running: a connection is open while we back up
        running.execute(text("SELECT count(*) FROM human_task")).scalar()
        file = tmp_path / "zhengai.backup"
        out = cli(demo_year_url, "backup", str(file))
    assert out.exit_code == 0 and "已备份到" in out.output, out.output
    assert stat.S_IMODE(os.stat(file).st_mode) == 0o600

    empty = fresh_database(tmp_path, "restored")
    out = cli(empty, "restore", str(file))
    assert out.exit_code == 0 and "已从" in out.output, out.output
    before, after = snapshot(demo_year_url), snapshot(empty)
    assert before == after and all(before.values())

    again = cli(empty, "restore", str(file))  # a database with data is not overwritten by accident
    assert again.exit_code != 0 and "不是空的" in again.output

    app = make_app(DATABASE_URL=empty, ZHENGAI_CLOCK=clock, ZHENGAI_SETTINGS=SETTINGS)
    try:
        client = login(app.test_client(), "c01")
        inbox = client.get("/tasks").get_data(as_text=True)
        ids = re.findall(r'name="task_ids" value="(\d+)"', inbox)
        assert len(ids) == 5
        done = client.post("/tasks/batch", data={"task_ids": ids, "comment": "同意"}, follow_redirects=True)
        assert done.status_code == 200
        assert not re.findall(r'name="task_ids"', client.get("/tasks").get_data(as_text=True))
    finally:
        app.extensions["zhengai_db"]["engine"].dispose()
    completed = {row[0] for row in snapshot(empty)["human_task"] if row[1] == "completed"}
    assert {int(i) for i in ids} <= completed
    assert snapshot(demo_year_url) == before  # the source is untouched


def test_a_backup_of_the_wrong_kind_or_a_broken_file_is_refused(tmp_path):
    empty = fresh_database(tmp_path, "target")
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"PGDMP" + b"\0" * 100 if empty.startswith("sqlite") else b"SQLite format 3\0" + b"\0" * 100)
    out = cli(empty, "restore", str(junk))
    assert out.exit_code != 0 and "不是" in out.output
    out = cli(empty, "backup", str(tmp_path))
    assert out.exit_code != 0  # a directory is no backup file
