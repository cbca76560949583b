"""系统管理 › 职能 (/admin/functions): which unit holds each function of the organisation (诊改办公室, the lead
departments, 保卫处, ...), and the set-up notice administrators see until every function is held."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from engine.core.errors import N_, InvalidInput, NotFound
from engine.models import FunctionKey, OrgUnit
from engine.org import functions

from ..db import db, flash_on_commit, transactional
from ..errors import translate, translate_fields
from ..helpers import now

bp = Blueprint("functions", __name__)

UNITS_PAGE = "/admin/units"  # 系统管理 › 组织机构 (web/orgadmin)


def _admin_only() -> None:
    if not current_user.is_admin:
        raise NotFound(N_("页面不存在"))


def _units() -> list[OrgUnit]:
    return list(
        db.session.scalars(select(OrgUnit).order_by(OrgUnit.parent_id.is_not(None), OrgUnit.kind, OrgUnit.code))
    )


def _page(values: dict | None = None, errors: dict | None = None, status: int = 200):
    rows = functions.overview(db.session)
    chosen = values or {r["key"]: str(r["unit"].id) if r["unit"] else "" for r in rows}
    return render_template(
        "admin/functions.html", rows=rows, units=_units(), values=chosen, errors=errors or {}, units_page=UNITS_PAGE,
    ), status  # fmt: skip


@bp.get("/admin/functions")
@login_required
def index():
    _admin_only()
    return _page()


@bp.post("/admin/functions")
@login_required
@transactional
def save():
    """Every function's unit in one change: bad input changes nothing and shows the choices again."""
    _admin_only()
    values = {k: (request.form.get(k) or "").strip() for k in FunctionKey}
    choices, errors = {}, {}
    for key, value in values.items():
        if value and not value.isdigit():
            errors[key] = [_("请选择部门")]
        else:
            choices[key] = int(value) if value else None
    try:
        if errors:
            raise InvalidInput(N_("职能分配有误，未保存"))
        changed = functions.assign(db.session, current_user, now(), choices)
    except InvalidInput as exc:
        db.session.rollback()
        flash(translate(exc.message, exc.params), "danger")
        return _page(values, errors or translate_fields(exc.fields), 400)
    if changed:
        flash_on_commit(_("已保存职能分配（%(n)s 项有变化）", n=len(changed)), "success")
    else:
        flash_on_commit(_("职能分配没有变化"), "info")
    return redirect(url_for("functions.index"))


@bp.app_context_processor
def _setup_notice():
    """Administrators are told which functions no unit holds yet (every page but this one)."""
    if not getattr(current_user, "is_authenticated", False) or not current_user.is_admin:
        return {}
    if request.path.startswith(("/api/", "/admin/functions")):
        return {}
    missing = functions.missing(db.session)
    return {"functions_missing": [_(functions.LABELS[k]) for k in missing]} if missing else {}
