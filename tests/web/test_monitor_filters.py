"""任务清单 filters: department, process, step, overdue only, assignee and paging, kept in every link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import BytesIO
from urllib.parse import parse_qs, urlsplit

from openpyxl import load_workbook

from engine.oversight import task_admin
from engine.workflow import runtime
from tests.conftest import NOW, user
from tests.engine.test_deadlines import submit_target

PROCESS = "教师发展目标、标准、诊改计划审核上传流程"


def tasks_shown(page: str) -> int:
    return page.count('data-testid="select-task"')


def fixture(session, clock):
    """张伟 (claimed by 吴院审) and 王芳 of 电子与物联网学院, 杨磊 of 软件与信息技术学院 (due later): ten days on."""
    r1, r2, r6 = (submit_target(session, n) for n in ("t01", "t02", "t06"))
    runtime.claim_task(session, user(session, "dzxy_reviewer2"), r1.id, NOW)
    later = datetime(2026, 12, 31, 15, 59, tzinfo=UTC)
    params = {"due_at": later, "reason": "外出培训"}
    task_admin.batch(session, user(session, "zlc_admin"), "extend", [r6.id], params, NOW)
    session.flush()
    clock.advance(timedelta(days=10))
    return r1, r2, r6


def test_each_filter_narrows_the_list(login_as, session, clock):
    r1, r2, r6 = fixture(session, clock)
    office = login_as("zlc_admin")

    def page(**query):
        response = office.get("/monitor/tasks", query_string=query)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    everything = page()
    assert tasks_shown(everything) == 3 and 'data-testid="task-filters"' in everything
    assert "data-autosubmit" not in everything and 'data-testid="apply-filters"' in everything
    assert tasks_shown(page(department="电子与物联网学院")) == 2
    assert tasks_shown(page(department="软件与信息技术学院")) == 1
    assert tasks_shown(page(process=PROCESS, step="二级学院审定")) == 3
    assert tasks_shown(page(process="专业建设目标、标准、诊改计划审核上传流程")) == 0
    assert tasks_shown(page(step="学校审定")) == 0

    overdue = page(overdue="1")
    assert tasks_shown(overdue) == 2 and f'data-task-id="{r6.id}"' not in overdue  # 杨磊's task was extended
    assert 'name="overdue" value="1" checked' in overdue

    mine = page(assignee="dzxy_reviewer")  # by user name: 王芳's task waits for the college's reviewers
    assert tasks_shown(mine) == 1 and f'data-task-id="{r2.id}"' in mine
    colleague = page(assignee="吴院审")  # by display name: the task 吴院审 claimed, and the group's open one
    assert tasks_shown(colleague) == 2 and f'data-task-id="{r1.id}"' in colleague
    assert tasks_shown(page(assignee="rjxy_reviewer", overdue="1")) == 0

    unknown = office.get("/monitor/tasks?assignee=nobody")
    body = unknown.get_data(as_text=True)
    assert unknown.status_code == 400 and 'data-testid="error-assignee"' in body and "找不到该用户" in body
    assert 'value="nobody"' in body and tasks_shown(body) == 0


def test_filter_choices_follow_the_scope(login_as, session, clock):
    fixture(session, clock)
    head = login_as("dzxy_reviewer").get("/monitor/tasks").get_data(as_text=True)
    choices = head.split('name="department"')[1].split("</select>")[0]
    assert "电子与物联网学院" in choices and "软件与信息技术学院" not in choices
    assert f"<option>{PROCESS}</option>" in head and "<option>二级学院审定</option>" in head
    office = login_as("zlc_admin").get("/monitor/tasks").get_data(as_text=True)
    assert "软件与信息技术学院</option>" in office.split('name="department"')[1].split("</select>")[0]


def test_paging_keeps_the_filters(login_as, session, clock, monkeypatch):
    from web.oversight import monitor

    fixture(session, clock)
    monkeypatch.setattr(monitor, "PER_PAGE", 2)
    office = login_as("zlc_admin")
    first = office.get("/monitor/tasks", query_string={"process": PROCESS}).get_data(as_text=True)
    assert tasks_shown(first) == 2 and 'data-testid="task-total">3<' in first
    link = next(part.split('"')[0] for part in first.split('href="')[1:] if "page=2" in part.split('"')[0])
    query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
    assert query == {"page": ["2"], "process": [PROCESS]}
    second = office.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert tasks_shown(second) == 1 and '<input type="hidden" name="page" value="2">' in second


def test_export_and_drill_down_carry_the_filters(login_as, session, clock):
    fixture(session, clock)
    office = login_as("zlc_admin")
    page = office.get("/monitor/tasks", query_string={"overdue": "1", "department": "电子与物联网学院"})
    html = page.get_data(as_text=True)
    export = html.split('data-testid="export"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert parse_qs(urlsplit(export).query) == {"overdue": ["1"], "department": ["电子与物联网学院"]}
    ws = load_workbook(BytesIO(office.get(export).data)).active
    assert ws.max_row == 3 and {ws.cell(r, 4).value for r in (2, 3)} == {"张伟", "王芳"}

    dashboard = office.get("/monitor").get_data(as_text=True)
    drill = "/monitor/tasks?department=%E7%94%B5%E5%AD%90%E4%B8%8E%E7%89%A9%E8%81%94%E7%BD%91%E5%AD%A6%E9%99%A2"
    assert drill in dashboard
    landed = office.get(drill).get_data(as_text=True)
    assert "<option selected>电子与物联网学院</option>" in landed and tasks_shown(landed) == 2
    step = office.get("/monitor/tasks", query_string={"process": PROCESS, "step": "二级学院审定"}).get_data(
        as_text=True
    )
    assert "<option selected>二级学院审定</option>" in step and f"<option selected>{PROCESS}</option>" in step
