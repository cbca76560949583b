"""Service requests (table 38, figure 11): a teacher or student requests a service of the catalogue; the
provider department's staff claim it, act and close it with a 服务结束反馈; the requester confirms 服务已落实
or reports 服务未落实 with the reason, which goes to 党政办公室; 党政办公室 feeds it back to the provider and follows
it up until it closes the case. The steps run as the `service_request` process (workflows/service_request.bpmn);
this module starts it, keeps the `service_request` row that the lists read in step with it (the `service` task
kind), and escalates a request whose service-level due time passed (the BPMN timer's service).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.servicedesk import validate_request, validate_step

from .. import org, workflow
from ..core import audit, settings
from ..core.errors import N_, InvalidInput, NotFound, object_id
from ..models import FunctionKey, HumanTask, Role, ServiceRequest, Subject, User
from ..notify import note, send
from ..org import functions, policy
from ..workflow import readmodel
from . import catalogue

PROCESS = "service_request"
STATUSES = {
    "new": N_("待办理"),
    "feedback": N_("待确认"),
    "resolved": N_("服务已落实"),
    "unresolved": N_("服务未落实，党政办公室处理中"),
    "returned": N_("已反馈服务提供方，再次办理中"),
    "review": N_("党政办公室跟踪中"),
    "closed": N_("已结案"),
}
AT_PROVIDER = ("new", "returned")
OPEN = ("new", "feedback", "unresolved", "returned", "review")
UNRESOLVED = ("unresolved", "returned", "review")  # 服务未落实, not yet closed by 党政办公室
# The step's decision moves the request to: (task id, decision) -> status
MOVES = {
    ("provider_feedback", "done"): "feedback",
    ("requester_confirm", "resolved"): "resolved",
    ("requester_confirm", "unresolved"): "unresolved",
    ("office_forward", "forward"): "returned",
    ("provider_redo", "done"): "review",
    ("office_close", "close"): "closed",
    ("office_close", "forward"): "returned",
}
OFFICE_ROLES = (Role.HEAD, Role.REVIEWER, Role.OFFICE_STAFF)  # 党政办公室's people told of an escalation


def personal_subject(session: Session, user: User) -> Subject | None:
    """The requester's own subject (every teacher, student and staff member has one: staff are `teacher`-type),
    whose member answers the requester's steps."""
    return session.scalar(
        select(Subject).where(Subject.user_id == user.id, Subject.type.in_(("teacher", "student"))).order_by(Subject.id)
    )


def may_request(session: Session, user: User) -> bool:
    return personal_subject(session, user) is not None


def submit(session: Session, user: User, payload: dict, now: datetime) -> ServiceRequest:
    """A new request: validated against the catalogue, written, and its process started (the provider's task
    due at the service's due time). Bad input is InvalidInput with the fields' messages; nothing is written."""
    subject = personal_subject(session, user)
    if subject is None:
        raise InvalidInput(N_("没有个人诊改主体的账号不能提交服务申请"))
    offered = catalogue.by_key(session)
    try:
        clean = validate_request(payload, offered)
    except ValueError as exc:
        raise InvalidInput(N_("请检查填写的内容"), fields=exc.args[0]) from None
    entry = offered[clean["service"]]
    hours = catalogue.hours_of(entry)
    request = ServiceRequest(
        entry_id=entry.id, service_key=entry.key, service_title=entry.title, provider_unit_id=entry.lead_unit_id,
        requester_id=user.id, description=clean["description"], place=clean["place"], contact=clean["contact"],
        status="new", service_hours=hours, created_at=now, due_at=now + timedelta(hours=hours),
    )  # fmt: skip
    session.add(request)
    session.flush()
    instance = workflow.start_instance(
        session, process_key=PROCESS, actor=user, now=now, subject=subject,
        data={"request_id": request.id, "provider_unit_id": entry.lead_unit_id, "service_key": entry.key,
              "provider_due": request.due_at.isoformat()},
    )  # fmt: skip
    request.instance_id = instance.id
    audit.record(
        session, actor_id=user.id, action="service_request.submit", object_type="service_request",
        object_id=request.id, instance_id=instance.id, now=now,
        after={"service": entry.key, "due_at": request.due_at.isoformat()},
    )  # fmt: skip
    return request


# -- the `service` task kind and the escalation service (registered in engine/servicedesk/__init__.py) -----


def take_step(session: Session, ht: HumanTask, user: User, payload: dict, now: datetime) -> dict:
    """A step of the request: its decision and note recorded on the task, the request's status moved; a step
    that sends the request back to the provider gives the provider a fresh due time."""
    try:
        clean = validate_step(ht.bpmn_id, payload)
    except ValueError as exc:
        raise InvalidInput(N_("请检查填写的内容"), fields=exc.args[0]) from None
    readmodel.record_outcome(ht, decision=clean["decision"], comment=clean["comment"])
    request = session.scalar(select(ServiceRequest).where(ServiceRequest.instance_id == ht.instance_id))
    data = {"service_decision": clean["decision"]}
    if request is None:  # a process started by hand in the modeler: nothing to keep in step
        return data
    status = MOVES.get((ht.bpmn_id, clean["decision"]), request.status)
    if status == "unresolved" and request.unresolved_at is None:
        request.unresolved_at = now
    if status in ("resolved", "closed"):
        request.closed_at = now
    if status == "returned":
        request.due_at = now + timedelta(hours=request.service_hours)
        request.escalated_at = None
        data["redo_due"] = request.due_at.isoformat()
    request.status = status
    return data


def escalate(step: workflow.Step, params: dict, data: dict) -> dict:
    """The provider's due time passed (the BPMN timer): tell the provider department's head and 党政办公室."""
    session = step.session
    request = session.scalar(select(ServiceRequest).where(ServiceRequest.instance_id == step.instance.id))
    if request is None or request.status not in AT_PROVIDER:
        return {"escalated": False}
    request.escalated_at = step.now
    principals = [org.group_principal(Role.HEAD, "unit", request.provider_unit_id)]
    office = functions.holder_id(session, FunctionKey.PARTY_OFFICE)
    if office is not None:
        principals += [org.group_principal(r, "unit", office) for r in OFFICE_ROLES]
    people = sorted({uid for users in org.users_behind(session, principals).values() for uid in users})
    title = f"服务申请超时未办结：{request.service_title}（#{request.id}）"
    due = request.due_at.astimezone(settings.of(session).timezone)
    body = f"服务地点：{request.place}；应于 {due:%Y-%m-%d %H:%M} 前办结。"
    send(session, [note(uid, "escalation", title, body, f"/services/{request.id}", None, step.now) for uid in people])
    audit.record(
        session, actor_id=None, action="service_request.escalate", object_type="service_request",
        object_id=request.id, instance_id=step.instance.id, now=step.now, after={"notified": people},
    )  # fmt: skip
    return {"escalated": True}


# -- reading -----------------------------------------------------------------------------------------------


def get_request(session: Session, user: User, principals, request_id) -> ServiceRequest:
    """A request the user may see, or NotFound."""
    v = policy.viewer(user, principals)
    stmt = select(ServiceRequest).where(ServiceRequest.id == object_id(request_id, N_("服务申请不存在")))
    cond = policy.service_request_visible(v, ServiceRequest)
    if cond is not None:
        stmt = stmt.where(cond)
    request = session.scalar(stmt)
    if request is None:
        raise NotFound(N_("服务申请不存在"))
    return request


def mine(session: Session, user: User) -> list[ServiceRequest]:
    stmt = select(ServiceRequest).where(ServiceRequest.requester_id == user.id)
    return list(session.scalars(stmt.order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc())))


def queue_units(session: Session, user: User, principals) -> list[int]:
    """The provider departments whose queue the user sees (all of them for 党政办公室 and monitors); the
    units that provide no service are left out."""
    v = policy.viewer(user, principals)
    providing = {e.lead_unit_id for e in catalogue.offered(session)}
    if policy.sees_all_service_requests(v):
        return sorted(providing)
    return sorted(providing & policy.service_provider_units(v))


def queue(session: Session, unit_ids: list[int]) -> list[ServiceRequest]:
    """The open requests of the departments, oldest first."""
    stmt = select(ServiceRequest).where(
        ServiceRequest.provider_unit_id.in_(unit_ids or [-1]), ServiceRequest.status.in_(OPEN)
    )
    return list(session.scalars(stmt.order_by(ServiceRequest.created_at, ServiceRequest.id)))


def unresolved(session: Session) -> list[ServiceRequest]:
    """The 服务未落实 cases not closed yet, the oldest report first (党政办公室's list)."""
    stmt = select(ServiceRequest).where(ServiceRequest.status.in_(UNRESOLVED))
    return list(session.scalars(stmt.order_by(ServiceRequest.unresolved_at, ServiceRequest.id)))


def open_tasks(session: Session, requests: list[ServiceRequest]) -> dict[int, HumanTask]:
    """Each request's open step, by request id."""
    ids = {r.instance_id: r.id for r in requests if r.instance_id}
    rows = session.scalars(
        select(HumanTask).where(HumanTask.instance_id.in_(list(ids) or [-1]), HumanTask.state == "open")
    )
    return {ids[t.instance_id]: t for t in rows}


def is_overdue(request: ServiceRequest, now: datetime) -> bool:
    return request.status in AT_PROVIDER and request.due_at <= now
