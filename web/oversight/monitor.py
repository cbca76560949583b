"""Monitoring for 诊改办公室 and department heads (overdue work), and /metrics for operators."""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import org
from engine.core.errors import InvalidInput
from engine.core.paging import Page
from engine.oversight import heatmap, monitoring

from ..db import db
from ..errors import translate_fields
from ..helpers import int_arg, localtime, now, principals, xlsx_download

bp = Blueprint("monitor", __name__)
PER_PAGE = 50


def _scope() -> list[int] | None:
    return monitoring.watch_scope(current_user, principals())


@bp.get("/monitor")
@login_required
def dashboard():
    data = monitoring.overdue_dashboard(db.session, now(), _scope())
    return render_template(
        "monitor/dashboard.html", data=data, labels=monitoring.BUCKET_LABELS, charts=_charts(data),
        may_heatmap=heatmap.may_list(db.session, current_user, principals()),
    )  # fmt: skip


def _charts(data: dict) -> dict:
    """What the ECharts bars show (web/static/monitor_charts.js); each bar drills down like the tables."""

    def bars(rows, key):
        return [
            {"name": name, "open": n, "overdue": o, "url": url_for("monitor.task_list", **{key: name})}
            for name, n, o in rows[:12]
        ]

    return {
        "department": bars(data["by_department"], "department"),
        "process": bars(data["by_process"], "process"),
        "buckets": [
            {"key": k, "name": _(label), "value": data["buckets"][k], "url": url_for("monitor.task_list", bucket=k)}
            for k, label in monitoring.BUCKET_LABELS.items()
        ],
        "labels": {"overdue": _("已逾期"), "pending": _("未逾期"), "tasks": _("任务数"), "empty": _("暂无")},
    }


def filters_from(source) -> dict:
    """The task list's filters as typed (strings), from the query string or the batch form's hidden fields."""
    out = {}
    for key in monitoring.FILTERS:
        value = source.get(key)
        if isinstance(value, str) and value.strip():
            out[key] = value.strip()[:100]
    if "overdue" in out:
        out["overdue"] = "1"
    if out.get("bucket") not in monitoring.BUCKETS:
        out.pop("bucket", None)
    return out


def _engine_filters(filters: dict) -> dict:
    """What monitoring.open_tasks takes; an unknown assignee is InvalidInput (shown next to its field)."""
    query = {k: filters.get(k) for k in ("department", "process", "step", "bucket")}
    query["overdue"] = bool(filters.get("overdue"))
    if filters.get("assignee"):
        query["assignee"] = monitoring.find_user(db.session, filters["assignee"])
    return query


def render_task_list(filters: dict, page: int = 1, batch: dict | None = None, status: int = 200):
    """The task list with its filter form and batch form; `batch` re-shows a refused batch as it was typed."""
    scope = _scope()
    filter_errors = {}
    try:
        result = monitoring.open_task_page(db.session, now(), scope, page=page, per_page=PER_PAGE,
                                           **_engine_filters(filters))  # fmt: skip
    except InvalidInput as exc:
        filter_errors = translate_fields(exc.fields)
        result = Page(rows=[], total=0, page=1, per_page=PER_PAGE)
        status = 400
    return render_template(
        "monitor/tasks.html", page=result, filters=filters, filter_errors=filter_errors,
        options=monitoring.filter_options(db.session, scope, filters.get("process")),
        labels=monitoring.BUCKET_LABELS, batch=batch or {},
    ), status  # fmt: skip


@bp.get("/monitor/tasks")
@login_required
def task_list():
    return render_task_list(filters_from(request.args), int_arg(request.args.get("page"), 1))


@bp.get("/monitor/tasks.xlsx")
@login_required
def task_list_xlsx():
    filters = _engine_filters(filters_from(request.args))
    rows = monitoring.open_tasks(db.session, now(), _scope(), **filters, limit=10000)
    header = [_("任务"), _("文档"), _("流程"), _("主体"), _("部门"), _("办理人"), _("截止时间"), _("逾期天数")]
    return xlsx_download(_("逾期任务"), header, (
        [r["name"], r["title"], r["process"], r["subject"], r["department"], r["assignee"], localtime(r["due_at"]),
         r["days_late"]] for r in rows
    ), "overdue-tasks.xlsx")  # fmt: skip


@bp.get("/metrics")
def metrics():
    # a scraper sends `Authorization: Bearer <ZHENGAI_METRICS_TOKEN>`; the client's address is no boundary
    # (behind a reverse proxy every request comes from loopback)
    token = current_app.config.get("ZHENGAI_METRICS_TOKEN") or ""
    sent = request.headers.get("Authorization", "")
    bearer = bool(token) and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    allowed = bearer or (current_user.is_authenticated and org.is_monitor(current_user, principals()))
    if not allowed:
        abort(404)
    return Response(monitoring.metrics(db.session, now()), mimetype="text/plain; version=0.0.4")
