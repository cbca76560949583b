"""Warnings (预警): the list, the manual report form, a warning's page with its history and actions."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.core.errors import N_, Conflict, InvalidInput, NotFound
from engine.diagnosis import prescriptive
from engine.org import policy
from engine.warnings import accidents, catalogue, table39
from engine.warnings import service as warnings

from ..db import db, flash_on_commit, transactional
from ..errors import translate, translate_fields
from ..helpers import int_arg, localtime, now, principals, xlsx_download

bp = Blueprint("warnings", __name__)

FILTERS = ("status", "level", "kind", "unit", "type")


def _filters() -> dict:
    out = {k: (request.args.get(k) or None) for k in FILTERS}
    out["status"] = out["status"] or "open"
    return out


@bp.get("/warnings")
@login_required
def index():
    f = _filters()
    ps = principals()
    page = warnings.list_warnings(
        db.session, current_user, ps, status=f["status"], level=f["level"], kind=f["kind"], unit_id=f["unit"],
        page=int_arg(request.args.get("page"), 1), type_key=f["type"],
    )  # fmt: skip
    sees_all = warnings.sees_all(current_user, ps)
    return render_template(
        "warnings/index.html", page=page, filters=f, sees_all=sees_all,
        units=warnings.units_for_form(db.session) if sees_all else [],
        can_report=bool(warnings.reportable_kinds(current_user, ps)), wtype=table39.BY_KEY.get(f["type"] or ""),
        types=table39.BY_KEY,
        reads_types=policy.reads_warning_types(policy.viewer(current_user, ps)),
    )  # fmt: skip


@bp.get("/warnings.xlsx")
@login_required
def index_xlsx():
    """The list as filtered on the page, every page of it (up to 10,000 warnings)."""
    f = _filters()
    ps = principals()
    rows = []
    for number in range(1, 51):
        page = warnings.list_warnings(
            db.session, current_user, ps, status=f["status"], level=f["level"], kind=f["kind"], unit_id=f["unit"],
            page=number, per_page=200, type_key=f["type"],
        )  # fmt: skip
        rows += page.rows
        if number >= page.pages:
            break
    header = [_("等级"), _("类型"), _("事项"), _("责任部门"), _("状态"), _("起始时间"), _("来源"), _("情况说明")]
    return xlsx_download(_("预警"), header, (
        [_(warnings.LEVELS[w.level]), _(warnings.KINDS[w.kind]), w.title, w.org_unit.name if w.org_unit else "",
         _(warnings.STATUSES[w.status]), localtime(w.since_at), _("规则") if w.source == "rule" else _("人工报告"),
         w.description or ""] for w in rows
    ), "warnings.xlsx")  # fmt: skip


def _form(values: dict, errors: dict | None = None, status: int = 200):
    return render_template(
        "warnings/new.html", values=values, errors=errors or {}, units=warnings.units_for_form(db.session),
        kinds=warnings.reportable_kinds(current_user, principals()), concerns=table39.CONCERNS,
    ), status  # fmt: skip


@bp.get("/warnings/new")
@login_required
def new():
    kinds = warnings.reportable_kinds(current_user, principals())
    if not kinds:
        raise NotFound(N_("页面不存在"))
    return _form({"kind": request.args.get("kind") or kinds[0], "level": "yellow"})


@bp.post("/warnings/new")
@login_required
@transactional
def create():
    try:
        w = warnings.report(db.session, current_user, principals(), request.form, now())
    except InvalidInput as exc:
        db.session.rollback()
        flash(translate(exc.message, exc.params), "danger")
        return _form(request.form.to_dict(), translate_fields(exc.fields), 400)
    flash_on_commit(_("已报告预警：%(title)s", title=w.title), "success")
    return redirect(url_for("warnings.show", warning_id=w.id))


def _show(warning_id, errors: dict | None = None, action: str | None = None, status: int = 200):
    ps = principals()
    w = warnings.get_warning(db.session, current_user, ps, warning_id)
    history = [{**n, "at": datetime.fromisoformat(n["at"])} for n in w.notes or []]
    return render_template(
        "warnings/show.html", w=w, history=history, can_act=warnings.may_act(current_user, ps, w), errors=errors or {},
        failed_action=action, note=request.form.get("note", "") if errors else "",
        diagnosis=prescriptive.behind_warning(db.session, current_user, ps, w),
        wtype=table39.BY_KEY.get(w.type_key or ""), procedure=accidents.procedure(w),
        steps=accidents.allowed_steps(db.session, current_user, ps, w), grades=accidents.GRADES,
        stages=accidents.STAGES, concerns=table39.CONCERNS, grade=request.form.get("grade", "") if errors else "",
    ), status  # fmt: skip


@bp.get("/warnings/<warning_id>")
@login_required
def show(warning_id):
    return _show(warning_id)


ACTIONS = {"acknowledge": warnings.acknowledge, "resolve": warnings.resolve, "note": warnings.add_note}


@bp.post("/warnings/<warning_id>/<any(acknowledge, resolve, note):action>")
@login_required
@transactional
def act(warning_id, action):
    """Acknowledge, resolve or add a note: one commit; bad input changes nothing and shows the page again."""
    try:
        w = ACTIONS[action](db.session, current_user, principals(), warning_id, request.form.get("note", ""), now())
    except InvalidInput as exc:
        db.session.rollback()
        flash(translate(exc.message, exc.params), "danger")
        return _show(warning_id, translate_fields(exc.fields), action, 400)
    except Conflict as exc:  # e.g. an accident resolved before its handling is recorded
        db.session.rollback()
        flash(translate(exc.message, exc.params), "danger")
        return _show(warning_id, status=409)
    done = {"acknowledge": _("已确认预警"), "resolve": _("已解除预警"), "note": _("已添加说明")}
    flash_on_commit(done[action], "success")
    return redirect(url_for("warnings.show", warning_id=w.id))


@bp.post("/warnings/<warning_id>/accident/<any(propose, decide, record):step>")
@login_required
@transactional
def accident(warning_id, step):
    """One step of a quality accident's 认定与处理: one commit; out of order or bad input changes nothing."""
    try:
        w = accidents.step(db.session, current_user, principals(), warning_id, step, request.form, now())
    except InvalidInput as exc:
        db.session.rollback()
        flash(translate(exc.message, exc.params), "danger")
        return _show(warning_id, translate_fields(exc.fields), step, 400)
    except Conflict as exc:  # out of order, or not this user's step: the page again with the reason
        db.session.rollback()
        flash(translate(exc.message, exc.params), "danger")
        return _show(warning_id, status=409)
    done = {"propose": _("已提出等级认定建议"), "decide": _("已认定事故等级"), "record": _("已记录处理结果")}
    flash_on_commit(done[step], "success")
    return redirect(url_for("warnings.show", warning_id=w.id))


def _types_page(errors: dict | None = None, status: int = 200):
    ps = principals()
    rows = catalogue.type_rows(db.session, current_user, ps)
    return render_template(
        "warnings/types.html", rows=rows, errors=errors or {}, values=request.form if errors else {},
        may_configure=policy.configures_warning_providers(policy.viewer(current_user, ps)),
    ), status  # fmt: skip


@bp.get("/warnings/types")
@login_required
def types():
    """Table 39: every warning type with its lead department, source, provider and open warnings."""
    return _types_page()


@bp.post("/warnings/types")
@login_required
@transactional
def types_save():
    try:
        changed = catalogue.set_providers(db.session, current_user, principals(), request.form, now())
    except InvalidInput as exc:
        db.session.rollback()
        flash(translate(exc.message, exc.params), "danger")
        return _types_page(translate_fields(exc.fields), 400)
    flash_on_commit(_("已保存信息提供方（%(count)s 项）", count=len(changed)), "success")
    return redirect(url_for("warnings.types"))
