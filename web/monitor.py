"""Monitoring for 诊改办公室 and department heads (overdue work), and /metrics for operators."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import heatmap, monitoring, tasks

from .db import db
from .helpers import localtime, now, principals, xlsx_download

bp = Blueprint("monitor", __name__)


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


def _filters() -> dict:
    return {k: (request.args.get(k) or None) for k in ("department", "process", "step", "bucket")}


@bp.get("/monitor/tasks")
@login_required
def task_list():
    rows = monitoring.open_tasks(db.session, now(), _scope(), **_filters())
    return render_template("monitor/tasks.html", rows=rows, filters=_filters(), labels=monitoring.BUCKET_LABELS)


@bp.get("/monitor/tasks.xlsx")
@login_required
def task_list_xlsx():
    rows = monitoring.open_tasks(db.session, now(), _scope(), **_filters(), limit=10000)
    header = [_("任务"), _("文档"), _("流程"), _("主体"), _("部门"), _("办理人"), _("截止时间"), _("逾期天数")]
    return xlsx_download(_("逾期任务"), header, (
        [r["name"], r["title"], r["process"], r["subject"], r["department"], r["assignee"], localtime(r["due_at"]),
         r["days_late"]] for r in rows
    ), "overdue-tasks.xlsx")  # fmt: skip


@bp.get("/metrics")
def metrics():
    loopback = request.remote_addr in ("127.0.0.1", "::1") and not current_app.config.get("ZHENGAI_METRICS_NO_LOOPBACK")
    allowed = loopback or (current_user.is_authenticated and tasks.is_monitor(current_user, principals()))
    if not allowed:
        abort(404)
    return Response(monitoring.metrics(db.session, now()), mimetype="text/plain; version=0.0.4")
