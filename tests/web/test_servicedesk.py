"""服务 pages: a teacher requests a service, the provider department finds it in its queue and works it through the
task page, the teacher confirms or reports 服务未落实, 党政办公室 follows it up; who sees which page; bad input."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.models import ServiceRequest
from tests.conftest import NOW, page

FORM = {"service": "network", "description": "机房 B305 整排电脑无法上网", "place": "实训楼 B305",
        "contact": "分机 6305"}  # fmt: skip


def link(html: str, testid: str) -> str:
    found = re.search(rf'href="([^"]+)"[^>]*data-testid="{testid}"', html)
    assert found, testid
    return found.group(1)


def request_(client, form=FORM) -> str:
    """Submit the form as the client's user; the request's page."""
    html = page(client, "/services/")
    assert 'data-testid="request-form"' in html and "网络服务" in html
    response = client.post("/services/", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response.headers["Location"]


def work(client, request_url: str, data: dict, claim: bool = False) -> str:
    """Open the request's current step from its page and complete it; the request's page after."""
    step_url = link(page(client, request_url), "open-step")
    if claim:
        assert client.post(step_url + "/claim").status_code == 302
    html = page(client, step_url)
    assert 'data-testid="service-form"' in html and 'data-testid="request-details"' in html
    response = client.post(step_url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return page(client, request_url)


def test_a_request_walked_to_confirmation(login_as, session):
    teacher, staff = login_as("t01"), login_as("xxh_staff")
    url = request_(teacher)
    html = page(teacher, url)
    assert "机房 B305 整排电脑无法上网" in html and "待办理" in html and 'data-testid="open-step"' not in html
    queue = page(staff, "/services/queue")
    assert "网络服务" in queue and url in queue
    html = work(staff, url, {"comment": "已更换交换机"}, claim=True)
    assert "待确认" in html and "已更换交换机" in html
    html = work(teacher, url, {"decision": "resolved"})
    assert "服务已落实" in html and 'data-testid="open-step"' not in html
    assert url not in page(staff, "/services/queue")  # no longer open
    assert "服务已落实" in page(teacher, "/services/")


def test_an_unresolved_request_goes_through_the_party_office_and_is_closed(login_as, session):
    teacher, staff, office = login_as("t01"), login_as("xxh_staff"), login_as("dzb_staff")
    url = request_(teacher)
    work(staff, url, {"comment": "已重启"}, claim=True)
    step_url = link(page(teacher, url), "open-step")
    refused = teacher.post(step_url, data={"decision": "unresolved", "comment": " "})
    assert refused.status_code == 400 and "请说明服务未落实的原因" in refused.get_data(as_text=True)
    html = work(teacher, url, {"decision": "unresolved", "comment": "仍无法上网"})
    assert "服务未落实，党政办公室处理中" in html
    listing = page(office, "/services/unresolved")
    assert url in listing and 'data-testid="age"' in listing
    work(office, url, {"decision": "forward", "comment": "请到现场排查"})
    html = work(staff, url, {"comment": "已更换网线"})
    assert "党政办公室跟踪中" in html
    html = work(office, url, {"decision": "close", "comment": "回访已落实"})
    assert "已结案" in html and "回访已落实" in html and "请到现场排查" in html
    assert url not in page(office, "/services/unresolved")


def test_an_overdue_request_shows_its_escalation(login_as, session, clock, app):
    teacher = login_as("t01")
    url = request_(teacher)
    clock.advance(timedelta(hours=5))
    from engine import workflow

    found = session.scalar(select(ServiceRequest).order_by(ServiceRequest.id.desc()))
    workflow.wake_instance(session, found.instance_id, NOW + timedelta(hours=5))
    html = page(login_as("xxh_admin"), url)
    assert "已超时" in html and "已督办" in html
    assert "服务申请超时未办结" in page(login_as("dzb_staff"), "/notifications")


@pytest.mark.parametrize(
    "change, field, message",
    [({"service": ""}, "service", "请选择服务项目"), ({"service": "x"}, "service", "请选择服务项目"),
     ({"description": ""}, "description", "请填写需求描述"), ({"place": " "}, "place", "请填写服务地点"),
     ({"contact": ""}, "contact", "请填写联系方式"), ({"description": "字" * 2001}, "description", "最多 2000 个字")],
)  # fmt: skip
def test_bad_input_gets_a_message_at_the_field_and_changes_nothing(login_as, session, change, field, message):
    teacher = login_as("t01")
    before = session.scalar(select(ServiceRequest.id).order_by(ServiceRequest.id.desc()))
    response = teacher.post("/services/", data=FORM | change)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'data-testid="{field}-error"' in html and message in html
    assert session.scalar(select(ServiceRequest.id).order_by(ServiceRequest.id.desc())) == before


def test_who_sees_which_page(login_as, session):
    url = request_(login_as("t01"))
    seen = {}
    for name in ("t01", "t02", "s01", "xxh_staff", "jwc_staff", "dzb_staff", "zlc_admin"):
        client = login_as(name)
        seen[name] = tuple(client.get(u).status_code for u in (url, "/services/queue", "/services/unresolved"))
        assert page(client, "/services/")  # everybody has 我的服务申请
    assert seen == {
        "t01": (200, 404, 404), "t02": (404, 404, 404), "s01": (404, 404, 404), "xxh_staff": (200, 200, 404),
        "jwc_staff": (404, 200, 404), "dzb_staff": (200, 200, 200), "zlc_admin": (200, 200, 200),
    }  # fmt: skip
    assert url not in page(login_as("jwc_staff"), "/services/queue")  # 教务处's queue: not 信息化处's request
    assert page(login_as("t02"), "/services/abc", 404) and page(login_as("t01"), "/services/99999999", 404)


def test_the_menu_leads_to_the_tabs(login_as, session):
    html = page(login_as("xxh_staff"), "/services/")
    assert link(html, "services-menu") == "/services/"
    assert link(html, "tab-queue") == "/services/queue" and 'data-testid="tab-unresolved"' not in html
    html = page(login_as("dzb_staff"), "/services/")
    assert link(html, "tab-unresolved") == "/services/unresolved"


def test_the_demo_year_has_a_request_in_every_state(demo_year_app, demo_year_session):
    statuses = set(demo_year_session.scalars(select(ServiceRequest.status)))
    assert statuses == {"new", "feedback", "resolved", "unresolved", "returned", "closed"}
    office = demo_year_app.test_client()
    from tests.conftest import login

    login(office, "dzb_staff")
    html = page(office, "/services/unresolved")
    assert html.count('data-testid="request-row"') == 2  # at 党政办公室, and sent back to 信息化处
    queue = page(login(demo_year_app.test_client(), "xxh_staff"), "/services/queue")
    assert 'data-testid="claimed"' in queue and "已督办" in queue
    assert "待确认" in page(login(demo_year_app.test_client(), "t04"), "/services/")


def test_the_lead_department_sets_a_service_s_due_time(login_as, session):
    from engine.models import RegistryEntry

    entry = session.scalar(select(RegistryEntry).where(RegistryEntry.kind == "service", RegistryEntry.key == "network"))
    staff = login_as("xxh_staff")  # 信息化处 leads 网络服务
    edit = f"/registries/entry/{entry.id}/edit"
    assert 'data-testid="service-hours"' in page(staff, edit)
    form = {"lead_unit_id": str(entry.lead_unit_id), "status": "planned", "service_hours": "abc"}
    refused = staff.post(edit, data=form)
    assert refused.status_code == 400 and 'data-testid="error-service_hours"' in refused.get_data(as_text=True)
    assert staff.post(edit, data=form | {"service_hours": "2"}).status_code == 302
    html = page(login_as("t01"), "/services/")
    assert "2 小时内办结" in html
    html = page(login_as("t01"), request_(login_as("t01")))
    assert "（2 小时）" in html
