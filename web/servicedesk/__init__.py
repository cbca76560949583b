"""服务: service requests (table 38). 我的服务申请 (the form and the requester's requests), 服务队列 (the provider
department's open requests), 未落实服务 (党政办公室's unresolved cases), a request's page. The steps themselves
are worked on the normal task page (web/workflow/tasks.py, the `servicedesk/_task.html` block)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from engine import servicedesk
from engine.core.errors import N_, InvalidInput, NotFound
from engine.models import OrgUnit, ServiceRequest, User
from engine.org import policy
from engine.workflow import tasks
from forms.servicedesk import DECISION_LABELS, LIMITS, STEPS

from ..db import db, flash_on_commit, transactional
from ..errors import refused
from ..helpers import now, principals

bp = Blueprint("services", __name__, url_prefix="/services")


def _names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    return dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids or [-1]))).all())


def _units(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    return dict(db.session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ids or [-1]))).all())


def _tabs() -> dict:
    """Which tabs the user has: the queue (a provider department's people), 未落实服务 (党政办公室, monitors)."""
    ps = principals()
    return {
        "has_queue": bool(servicedesk.queue_units(db.session, current_user, ps)),
        "sees_unresolved": policy.sees_all_service_requests(policy.viewer(current_user, ps)),
    }


def _rows(rows: list[ServiceRequest]) -> dict:
    return {
        "rows": rows, "steps": servicedesk.open_tasks(db.session, rows),
        "units": _units(r.provider_unit_id for r in rows), "names": _names(r.requester_id for r in rows), "now": now(),
    }  # fmt: skip


def _index(form=None, errors=None, status=200):
    rows = servicedesk.mine(db.session, current_user)
    return render_template(
        "servicedesk/index.html", services=servicedesk.catalogue.offered(db.session), form=form or {},
        field_errors=errors or {}, may_request=servicedesk.may_request(db.session, current_user), limits=LIMITS,
        hours_of=servicedesk.catalogue.hours_of, active="mine", **_rows(rows), **_tabs(),
    ), status  # fmt: skip


@bp.get("/")
@login_required
def index():
    return _index()


@bp.post("/")
@login_required
@transactional
def submit():
    form = {k: request.form.get(k, "") for k in ("service", "description", "place", "contact")}
    try:
        made = servicedesk.submit(db.session, current_user, form, now())
    except InvalidInput as exc:
        errors = refused(exc, "service")
        return _index(form, errors, 400)
    flash_on_commit(_("服务申请已提交：%(title)s", title=made.service_title), "success")
    return redirect(url_for("services.show", request_id=made.id))


@bp.get("/queue")
@login_required
def queue():
    units = servicedesk.queue_units(db.session, current_user, principals())
    if not units:
        raise NotFound(N_("页面不存在"))
    rows = servicedesk.queue(db.session, units)
    return render_template("servicedesk/queue.html", active="queue", **_rows(rows), **_tabs())


@bp.get("/unresolved")
@login_required
def unresolved():
    if not policy.sees_all_service_requests(policy.viewer(current_user, principals())):
        raise NotFound(N_("页面不存在"))
    rows = servicedesk.unresolved(db.session)
    return render_template("servicedesk/unresolved.html", active="unresolved", **_rows(rows), **_tabs())


@bp.get("/<request_id>")
@login_required
def show(request_id):
    found = servicedesk.get_request(db.session, current_user, principals(), request_id)
    step = servicedesk.open_tasks(db.session, [found]).get(found.id)
    may_open = step is not None and tasks.is_candidate(db.session, step.id, principals())
    return render_template(
        "servicedesk/show.html", r=found, step=step, may_open=may_open or (step is not None and
                                                                             step.claimant_id == current_user.id),
        history=tasks.history(db.session, found.instance_id) if found.instance_id else [],
        units=_units([found.provider_unit_id]), names=_names([found.requester_id]), now=now(), **_tabs(),
    )  # fmt: skip


@bp.app_template_global()
def service_request_of(task):
    """The request a `service` step is about (the task page shows it above the step's form)."""
    if task is None or task.kind != "service":
        return None
    return db.session.scalar(select(ServiceRequest).where(ServiceRequest.instance_id == task.instance_id))


@bp.app_context_processor
def _labels() -> dict:
    return {"SERVICE_STATUSES": servicedesk.STATUSES, "SERVICE_STEPS": STEPS, "SERVICE_DECISIONS": DECISION_LABELS}
