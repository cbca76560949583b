"""People: search and filter by unit and kind, a person's page with positions and their history,
deactivate / reactivate, reset a password."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.core.errors import N_, InvalidInput, object_id
from engine.core.paging import Page
from engine.models import OrgUnit, SchoolClass
from engine.org import people as people_service
from engine.org import positions as position_service
from engine.org import units as unit_service

from ..db import db, flash_on_commit, transactional
from ..helpers import int_arg, now
from .blueprint import bp
from .positions import scope_names

PER_PAGE = 50


@bp.get("/people")
@login_required
def people():
    q = request.args.get("q", "").strip()[:64]
    unit_id = int_arg(request.args.get("unit"), 0) or None
    kind = request.args.get("kind") or None
    state = request.args.get("state", "active")
    active = {"active": True, "inactive": False}.get(state)
    page = max(1, int_arg(request.args.get("page"), 1))
    rows, total = people_service.search(db.session, q, unit_id, kind, active, page, PER_PAGE)
    units = list(unit_service.flatten(unit_service.tree(db.session)))
    args = {k: v for k, v in {"q": q, "unit": unit_id, "kind": kind, "state": state}.items() if v}
    return render_template(
        "orgadmin/people.html", page=Page(rows, total, page, PER_PAGE), args=args, units=units,
        kinds=people_service.KIND_LABELS, q=q, unit_id=unit_id, kind=kind, state=state,
    )  # fmt: skip


@bp.get("/people/<user_id>")
@login_required
def person(user_id):
    p = people_service.get(db.session, object_id(user_id, N_("人员不存在")))
    terms = position_service.terms_of(db.session, [p.id])
    klass = db.session.get(SchoolClass, p.class_id) if p.class_id else None
    return render_template(
        "orgadmin/person.html", p=p, terms=terms, names=scope_names(db.session, terms), klass=klass,
        kinds=people_service.KIND_LABELS, labels=position_service.POSITION_LABELS,
        new_password=None, today=position_service.today_of(db.session, now()),
    )  # fmt: skip


@bp.post("/people/<user_id>/active")
@login_required
@transactional
def set_active(user_id):
    uid = object_id(user_id, N_("人员不存在"))
    p = people_service.get(db.session, uid)
    if request.form.get("active") == "yes":
        people_service.reactivate(db.session, current_user, uid, now())
        flash_on_commit(_("已恢复“%(name)s”的账号", name=p.display_name), "success")
    else:
        if uid == current_user.id:
            raise InvalidInput(N_("不能停用自己的账号"))
        people_service.deactivate(db.session, current_user, [uid], now())
        flash_on_commit(_("已停用“%(name)s”：其岗位已于今天结束，其领取的待办已退回岗位", name=p.display_name),
                        "success")  # fmt: skip
    return redirect(url_for("orgadmin.person", user_id=uid))


@bp.post("/people/<user_id>/password")
@login_required
@transactional
def reset_password(user_id):
    uid = object_id(user_id, N_("人员不存在"))
    password = people_service.reset_password(db.session, current_user, uid, now())
    p = people_service.get(db.session, uid)
    # the page with the password is sent only if the request's commit succeeds (web/db.py)
    terms = position_service.terms_of(db.session, [p.id])
    klass = db.session.get(SchoolClass, p.class_id) if p.class_id else None
    return render_template(
        "orgadmin/person.html", p=p, terms=terms, names=scope_names(db.session, terms), klass=klass,
        kinds=people_service.KIND_LABELS, labels=position_service.POSITION_LABELS, new_password=password,
        today=position_service.today_of(db.session, now()),
    )  # fmt: skip


def unit_name(unit_id) -> str:
    unit = db.session.get(OrgUnit, unit_id) if unit_id else None
    return unit.name if unit else ""
