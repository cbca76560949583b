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


HOSTILE = ("=HYPERLINK(\"http://evil.example\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1+1")


def assert_text_cell(ws, value: str) -> None:
    """The cell holding `value` is plain text (quote-prefixed), never a formula Excel would run."""
    cells = [c for row in ws.iter_rows() for c in row if c.value == value]
    assert cells, f"{value!r} not exported"
    for cell in cells:
        assert cell.data_type == "s" and cell.quotePrefix, (value, cell.data_type)


def workbook(response):
    assert response.status_code == 200
    return load_workbook(BytesIO(response.data))


def test_warnings_export_keeps_formula_text_as_text(login_as, session, raised):
    warnings = [w for kinds in raised.values() for w in kinds.values()]
    for w, text in zip(warnings, HOSTILE, strict=False):
        w.title = text
    session.flush()
    ws = workbook(login_as("zlc_admin").get("/warnings.xlsx")).active
    for text in HOSTILE[: len(warnings)]:
        assert_text_cell(ws, text)


def test_problems_export_keeps_a_subject_name_as_text(login_as, session):
    from engine import workflow
    from engine.models import Subject
    from tests.conftest import NOW
    from tests.engine.test_modeling import start_teacher

    task = start_teacher(session)
    workflow.record_failure(session, task.instance_id, RuntimeError("disk full"), NOW)
    session.query(Subject).update({"name": "=cmd|' /C calc'!A0"})
    session.flush()
    ws = workbook(login_as("zlc_admin").get("/monitor/problems.xlsx")).active
    assert_text_cell(ws, "=cmd|' /C calc'!A0")


def test_overdue_tasks_export_keeps_a_task_name_as_text(login_as, session, clock):
    from datetime import timedelta

    from engine.models import HumanTask
    from tests.web.test_monitor import three_reviews

    three_reviews(session)
    clock.advance(timedelta(days=10))
    session.query(HumanTask).filter(HumanTask.state == "open").update({"name": "@SUM(1+1)"})
    session.flush()
    ws = workbook(login_as("zlc_admin").get("/monitor/tasks.xlsx")).active
    assert_text_cell(ws, "@SUM(1+1)")


def test_subject_progress_export_keeps_a_subject_name_as_text(login_as, session):
    from sqlalchemy import select

    from engine.models import Subject
    from tests.web.test_cycle_pages import start_everything

    admin = login_as("zlc_admin")
    start_everything(session, admin)
    subject = session.scalars(select(Subject).where(Subject.type == "teacher")).first()
    subject.name = "=1+1"
    session.flush()
    ws = workbook(admin.get("/cycle/progress/subjects.xlsx?year=2026&level=person")).active
    assert_text_cell(ws, "=1+1")


def test_document_export_keeps_its_title_as_text(login_as, session):
    from tests.web.test_documents import publish

    doc = publish(session)
    doc.title = "-1+2 目标"
    session.flush()
    ws = workbook(login_as("t01").get(f"/documents/{doc.id}/export.xlsx")).active
    assert_text_cell(ws, "-1+2 目标")

