"""The overdue dashboard against a hand-counted fixture, its permissions, and /metrics."""

from __future__ import annotations

from datetime import timedelta

from engine.oversight import monitoring
from tests.conftest import NOW
from tests.engine.test_deadlines import submit_target


def three_reviews(session):
    for name in ("t01", "t02", "t06"):  # two teachers of 电子与物联网学院, one of 软件与信息技术学院
        submit_target(session, name)


def test_aggregates_match_the_fixture(session):
    three_reviews(session)
    before = monitoring.overdue_dashboard(session, NOW)
    assert (before["open"], before["overdue"]) == (3, 0)
    later = NOW + timedelta(days=10)  # the reviews were due after 7 days: 3 days late
    data = monitoring.overdue_dashboard(session, later)
    assert (data["open"], data["overdue"]) == (3, 3)
    assert data["buckets"] == {"due_soon": 0, "late_1_7": 3, "late_8_30": 0, "late_30_plus": 0}
    assert sorted(data["by_department"]) == [("电子与物联网学院", 2, 2), ("软件与信息技术学院", 1, 1)]
    assert data["by_step"] == [("教师发展目标、标准、诊改计划审核上传流程", "二级学院审定", 3, 3)]
    much_later = monitoring.overdue_dashboard(session, NOW + timedelta(days=40))
    assert much_later["buckets"]["late_30_plus"] == 3


def test_heads_see_their_department_only(login_as, session, clock):
    three_reviews(session)
    clock.advance(timedelta(days=10))
    head = login_as("dzxy_reviewer").get("/monitor").get_data(as_text=True)
    assert 'data-testid="overdue-total">2<' in head and "软件与信息技术学院" not in head
    office = login_as("zlc_admin").get("/monitor").get_data(as_text=True)
    assert 'data-testid="overdue-total">3<' in office
    assert login_as("t01").get("/monitor").status_code == 404


def test_metrics_for_operators_only(app, login_as, session, clock):
    three_reviews(session)
    clock.advance(timedelta(days=10))
    assert login_as("t01").get("/metrics").status_code == 404
    body = login_as("zlc_admin").get("/metrics").get_data(as_text=True)
    assert "zhengai_open_tasks 3" in body and "zhengai_overdue_tasks 3" in body
    assert 'zhengai_instances{status="running"} 3' in body


def test_metrics_for_a_scraper_need_the_token_not_a_loopback_address(app):
    loopback = {"REMOTE_ADDR": "127.0.0.1"}  # behind a reverse proxy every request comes from here
    client = app.test_client()
    assert client.get("/metrics", environ_base=loopback).status_code == 404
    app.config["ZHENGAI_METRICS_TOKEN"] = "s3cret-token"
    assert client.get("/metrics", environ_base=loopback).status_code == 404
    wrong = {"Authorization": "Bearer guessed"}
    assert client.get("/metrics", headers=wrong, environ_base=loopback).status_code == 404
    right = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
    assert right.status_code == 200 and "zhengai_open_tasks" in right.get_data(as_text=True)


def test_drill_down_and_export(login_as, session, clock):
    from io import BytesIO

    from openpyxl import load_workbook

    three_reviews(session)
    clock.advance(timedelta(days=10))
    office = login_as("zlc_admin")
    page = office.get("/monitor/tasks?department=电子与物联网学院").get_data(as_text=True)
    assert page.count("二级学院审定</a>") == 2 and "杨磊" not in page
    assert office.get("/monitor/tasks?bucket=late_1_7").get_data(as_text=True).count("二级学院审定</a>") == 3
    ws = load_workbook(BytesIO(office.get("/monitor/tasks.xlsx?department=软件与信息技术学院").data)).active
    assert [c.value for c in ws[1]][:2] == ["任务", "文档"] and ws.max_row == 2 and ws.cell(2, 8).value == 3
    head = login_as("dzxy_reviewer")
    assert "杨磊" not in head.get("/monitor/tasks").get_data(as_text=True)  # another college's task
