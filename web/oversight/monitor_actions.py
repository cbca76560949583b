"""Administrators act on problems: errored, stuck and suspended instances, and batch actions on tasks."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.core.errors import N_, InvalidInput
from engine.oversight import batch_runs, instance_admin, task_admin

from ..db import db, flash_on_commit, transactional
from ..errors import translate, translate_fields
from ..helpers import int_arg, localtime, now, principals, settings, xlsx_download
from .monitor import filters_from, render_task_list

bp = Blueprint("monitor_actions", __name__)

INSTANCE_ACTIONS = ("suspend", "resume", "retry", "terminate")
DONE = {
    "suspend": N_("已暂停流程 #%(id)s"),
    "resume": N_("已恢复流程 #%(id)s"),
    "retry": N_("已重试流程 #%(id)s"),
    "terminate": N_("已终止流程 #%(id)s"),
}


@bp.app_template_global("monitor_reassign_groups")
def reassign_groups() -> list[tuple[str, str]]:
    """Positions for the reassign form of the monitoring task list (web/templates/monitor/tasks.html)."""
    return task_admin.reassign_groups(db.session)


@bp.get("/monitor/problems")
@login_required
def problems():
    scope = instance_admin.admin_scope(current_user, principals())
    rows = instance_admin.list_problems(db.session, now(), scope)
    return render_template("monitor/problems.html", problems=rows, status_labels=instance_admin.STATUS_LABELS)


@bp.get("/monitor/problems.xlsx")
@login_required
def problems_xlsx():
    scope = instance_admin.admin_scope(current_user, principals())
    rows = instance_admin.list_problems(db.session, now(), scope)
    kinds = {"error": _("运行出错"), "stuck": _("无人办理"), "suspended": _("已暂停")}
    header = [_("实例"), _("问题"), _("流程"), _("主体"), _("部门"), _("说明"), _("时间"), _("技术详情")]
    return xlsx_download(_("流程异常"), header, (
        [p["instance_id"], kinds.get(p["kind"], p["kind"]), p["process"], p["subject"], p["department"], p["message"],
         localtime(p["since"]), p["detail"]] for p in rows
    ), "process-problems.xlsx")  # fmt: skip


@bp.get("/monitor/instances/<instance_id>/<action>")
@login_required
def confirm(instance_id, action):
    if action not in INSTANCE_ACTIONS:
        abort(404)
    summary = instance_admin.instance_summary(db.session, current_user, instance_id, principals())
    return render_template(
        "monitor/confirm.html", instance=summary, action=action, status_labels=instance_admin.STATUS_LABELS
    )


@bp.post("/monitor/instances/<instance_id>/<action>")
@login_required
@transactional
def act(instance_id, action):
    if action not in INSTANCE_ACTIONS:
        abort(404)
    if request.form.get("confirm") != "yes":
        raise InvalidInput(N_("请在确认页面确认后再执行此操作"))
    service = getattr(instance_admin, action)
    service(db.session, current_user, instance_id, request.form.get("reason", ""), now(), principals())
    flash_on_commit(translate(DONE[action], {"id": instance_id}), "success")
    return redirect(url_for("monitor_actions.problems"))


BATCH_FIELDS = ("message", "username", "group", "reassign_reason", "due_date", "extend_reason")


@bp.post("/monitor/tasks/batch")
@login_required
@transactional
def batch():
    """Remind, reassign or extend the selected tasks (one commit for the request), then show the results.

    Refused parameters change nothing and re-show the task list as it was, with the error at its field.
    """
    form = request.form
    action = form.get("action", "")
    filters, page = filters_from(form), int_arg(form.get("page"), 1)
    params = {
        "remind": lambda: {"message": form.get("message", "")},
        "reassign": lambda: {
            "username": form.get("username", ""),
            "group": form.get("group", ""),
            "reason": form.get("reassign_reason", ""),
        },  # fmt: skip
        "extend": lambda: {"due_at": _end_of_day(form.get("due_date")), "reason": form.get("extend_reason", "")},
    }.get(action, dict)()
    ids = form.getlist("task_ids")
    try:
        results = task_admin.batch(db.session, current_user, action, ids, params, now(), principals())
    except InvalidInput as exc:
        db.session.rollback()
        errors = translate_fields({(f"{action}_reason" if k == "reason" else k): v for k, v in exc.fields.items()})
        state = {
            "action": action, "values": {k: form.get(k, "") for k in BATCH_FIELDS}, "selected": set(ids),
            "errors": errors, "message": translate(exc.message, exc.params),
        }  # fmt: skip
        return render_task_list(filters, page, batch=state, status=400)
    context = {"filters": filters, "page": page}
    run = batch_runs.record(db.session, current_user, action, results, now(), context)
    return redirect(url_for("monitor_actions.batch_result", run_id=run.id))


@bp.get("/monitor/tasks/batch/<run_id>")
@login_required
def batch_result(run_id):
    """What a batch did, task by task; a plain page, so reloading it runs nothing again."""
    run = batch_runs.get(db.session, current_user, run_id, kind=task_admin.ACTIONS)
    results = [dict(r, text=translate(r["message"], r["params"])) for r in run.results]
    done = sum(1 for r in results if r["ok"])
    context = run.context or {}
    args = filters_from(context.get("filters") or {})
    if isinstance(context.get("page"), int) and context["page"] > 1:
        args["page"] = context["page"]
    back = url_for("monitor.task_list", **args)
    return render_template(
        "monitor/batch_result.html", run=run, results=results, done=done, failed=len(results) - done,
        action=run.kind, back=back,
    )  # fmt: skip


def _end_of_day(value) -> datetime | None:
    """A date picked on the form means the end of that day in the school's time zone."""
    try:
        day = datetime.strptime((value or "").strip(), "%Y-%m-%d")
    except ValueError:
        return None
    return settings().end_of_day(day.date()).astimezone(UTC)
