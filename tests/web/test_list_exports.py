"""Every monitoring list exports to Excel with the same filters and the same permissions as the page."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook


def sheet_rows(response) -> list[list]:
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ws = load_workbook(BytesIO(response.data)).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_warnings_export_follows_the_visible_list(login_as, raised):
    everything = sheet_rows(login_as("zlc_admin").get("/warnings.xlsx"))
    assert everything[0][:3] == ["等级", "类型", "事项"]
    departments = {row[3] for row in everything[1:]}
    assert {"电子与物联网学院", "人力资源处"} <= departments

    only_red = sheet_rows(login_as("zlc_admin").get("/warnings.xlsx?level=red"))
    assert len(only_red) > 1 and {row[0] for row in only_red[1:]} == {"红色"}

    teacher = sheet_rows(login_as("t01").get("/warnings.xlsx"))  # a teacher exports only their department's
    assert {row[3] for row in teacher[1:]} == {"电子与物联网学院"}


def test_problems_export_lists_the_errored_instance_and_is_hidden_from_others(login_as, session):
    from sqlalchemy import select

    from engine import workflow
    from engine.models import HumanTask
    from tests.conftest import NOW
    from tests.engine.test_modeling import start_teacher

    task = start_teacher(session)
    workflow.record_failure(session, task.instance_id, RuntimeError("disk full"), NOW)
    session.flush()
    rows = sheet_rows(login_as("zlc_admin").get("/monitor/problems.xlsx"))
    assert rows[0][0] == "实例"
    assert [r[0] for r in rows[1:]] == [task.instance_id] and rows[1][1] == "运行出错"
    assert "disk full" in rows[1][7]
    assert login_as("t01").get("/monitor/problems.xlsx").status_code == 404
    assert session.scalar(select(HumanTask.state).where(HumanTask.id == task.id)) == "open"
