"""Service requests (table 38) through the engine: both paths of the process, the service-level escalation by
the clock, the permission rules, bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import org, servicedesk, workflow
from engine.core.errors import InvalidInput, NotAllowed, NotFound
from engine.models import HumanTask, Notification, OrgUnit, ProcessInstance, ServiceRequest
from engine.servicedesk import catalogue
from tests.conftest import NOW, user

NETWORK = {"service": "network", "description": "教室 A201 无线网络无法连接", "place": "教学楼 A201",
           "contact": "13800000000"}  # fmt: skip


def ask(session, username="t01", payload=NETWORK, now=NOW) -> ServiceRequest:
    return servicedesk.submit(session, user(session, username), dict(payload), now)


def step_of(session, request) -> HumanTask:
    return session.scalar(
        select(HumanTask).where(HumanTask.instance_id == request.instance_id, HumanTask.state == "open")
    )


def act(session, username, request, decision=None, comment="", now=NOW) -> HumanTask:
    ht = step_of(session, request)
    payload = {"comment": comment} | ({"decision": decision} if decision else {})
    workflow.complete_task(session, user(session, username), ht.id, payload, now)
    session.refresh(request)
    return ht


def test_a_request_goes_to_the_provider_and_closes_on_confirmation(session):
    request = ask(session)
    xxh = session.scalar(select(OrgUnit).where(OrgUnit.name == "信息化处"))
    assert (request.provider_unit_id, request.status, request.service_hours) == (xxh.id, "new", 4)
    assert request.due_at == NOW + timedelta(hours=4)
    ht = step_of(session, request)
    assert ht.name == "服务办理与结束反馈" and ht.due_at == request.due_at
    assert "信息化处" in ht.candidates_label
    with pytest.raises((NotFound, NotAllowed)):  # the requester does not work on the provider's step
        workflow.complete_task(session, user(session, "t01"), ht.id, {"comment": "x"}, NOW)
    workflow.claim_task(session, user(session, "xxh_staff"), ht.id, NOW)
    act(session, "xxh_staff", request, comment="已更换无线接入点", now=NOW + timedelta(hours=1))
    assert request.status == "feedback"
    assert step_of(session, request).name == "确认服务是否落实"
    act(session, "t01", request, "resolved", now=NOW + timedelta(hours=2))
    assert (request.status, request.closed_at) == ("resolved", NOW + timedelta(hours=2))
    assert session.get(ProcessInstance, request.instance_id).status == "completed"


def test_an_unresolved_service_goes_to_the_party_office_back_to_the_provider_and_is_closed(session):
    request = ask(session)
    act(session, "xxh_staff", request, comment="已重启交换机")
    with pytest.raises(InvalidInput) as refused:  # 服务未落实 needs the reason
        act(session, "t01", request, "unresolved")
    assert "comment" in refused.value.fields
    act(session, "t01", request, "unresolved", "仍然无法连接", now=NOW + timedelta(hours=3))
    assert (request.status, request.unresolved_at) == ("unresolved", NOW + timedelta(hours=3))
    assert [r.id for r in servicedesk.unresolved(session)] == [request.id]
    forward = step_of(session, request)
    assert forward.name == "服务未落实：反馈服务提供方"
    act(session, "dzb_staff", request, "forward", "请信息化处现场排查", now=NOW + timedelta(hours=4))
    assert request.status == "returned" and request.due_at == NOW + timedelta(hours=8)
    redo = step_of(session, request)
    assert redo.name == "按反馈再次办理与结束反馈" and redo.due_at == request.due_at
    assert "信息化处" in redo.candidates_label
    act(session, "xxh_staff", request, comment="已现场更换网线", now=NOW + timedelta(hours=5))
    assert request.status == "review"
    act(session, "dzb_staff", request, "forward", "需求方反映仍不稳定", now=NOW + timedelta(hours=6))
    assert request.status == "returned" and step_of(session, request).bpmn_id == "provider_redo"
    act(session, "xxh_staff", request, comment="已更换交换机端口")
    act(session, "dzb_staff", request, "close", "经回访已落实")
    assert request.status == "closed" and servicedesk.unresolved(session) == []
    history = session.scalars(
        select(HumanTask.bpmn_id).where(HumanTask.instance_id == request.instance_id).order_by(HumanTask.id)
    ).all()
    assert history == ["provider_feedback", "requester_confirm", "office_forward", "provider_redo", "office_close",
                       "provider_redo", "office_close"]  # fmt: skip


def test_the_service_level_timer_escalates_to_the_provider_head_and_the_party_office(session):
    request = ask(session)
    instance = session.get(ProcessInstance, request.instance_id)
    assert instance.next_timer_at == request.due_at
    assert workflow.wake_instance(session, instance.id, NOW + timedelta(hours=3)) == "sent"
    assert request.escalated_at is None  # not due yet
    workflow.wake_instance(session, instance.id, NOW + timedelta(hours=4, minutes=1))
    session.refresh(request)
    assert request.escalated_at == NOW + timedelta(hours=4, minutes=1)
    told = set(session.scalars(select(Notification.user_id).where(Notification.link == f"/services/{request.id}")))
    names = {user(session, n).id: n for n in ("xxh_admin", "dzb_staff", "dzb_reviewer")}
    assert set(names) <= told and user(session, "t01").id not in told
    assert step_of(session, request).bpmn_id == "provider_feedback"  # non-interrupting: still at the provider


def test_the_due_time_is_the_catalogue_entry_s_or_the_default(session):
    entries = catalogue.by_key(session)
    assert catalogue.hours_of(entries["dormitory_repair"]) == 48
    entries["dormitory_repair"].service_hours = 6
    request = ask(session, "s01", NETWORK | {"service": "dormitory_repair"})
    assert request.service_hours == 6 and request.due_at == NOW + timedelta(hours=6)


@pytest.mark.parametrize(
    "change, field",
    [({"service": "nope"}, "service"), ({"description": "  "}, "description"), ({"place": ""}, "place"),
     ({"contact": "1" * 101}, "contact")],
)  # fmt: skip
def test_bad_input_is_refused_and_changes_nothing(session, change, field):
    before = session.scalar(select(ServiceRequest.id).order_by(ServiceRequest.id.desc()))
    with pytest.raises(InvalidInput) as refused:
        ask(session, payload=NETWORK | change)
    assert field in refused.value.fields
    assert session.scalar(select(ServiceRequest.id).order_by(ServiceRequest.id.desc())) == before


def visible(session, username, request):
    u = user(session, username)
    try:
        servicedesk.get_request(session, u, org.principals_of(session, u.id), request.id)
    except NotFound:
        return False
    return True


def test_who_sees_a_request(session):
    request = ask(session)
    seen = {
        name: visible(session, name, request)
        for name in (
            "t01",
            "xxh_staff",
            "xxh_admin",
            "dzb_staff",
            "zlc_admin",
            "t02",
            "s01",
            "jwc_staff",
            "dzxy_reviewer",
        )
    }
    assert seen == {"t01": True, "xxh_staff": True, "xxh_admin": True, "dzb_staff": True, "zlc_admin": True,
                    "t02": False, "s01": False, "jwc_staff": False, "dzxy_reviewer": False}  # fmt: skip
    queue_of = {n: servicedesk.queue_units(session, user(session, n), org.principals_of(session, user(session, n).id))
                for n in ("xxh_staff", "t01", "s01")}  # fmt: skip
    assert request.provider_unit_id in queue_of["xxh_staff"] and queue_of["t01"] == [] == queue_of["s01"]
