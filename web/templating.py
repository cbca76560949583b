"""Jinja filters and globals."""

from __future__ import annotations

from flask import request
from flask_babel import get_locale
from flask_login import current_user

from engine import cycle, org, workflow
from engine.cycle import sampling
from engine.documents import DOC_TYPE_LABELS, STATUS_LABELS, SUBJECT_TYPE_LABELS, header_values
from engine.documents.templates import owned_subject_types
from engine.notify.notifications import unread_count
from engine.oversight import heatmap
from engine.workflow import tasks as task_service
from engine.workflow.bpmn.compiler import VERTICALS
from forms.columns import display
from forms.record import PARTS
from forms.review import CONFIRMATIONS, DECISIONS, OPTIMISATIONS
from forms.templates import column_groups

from .db import db
from .helpers import localtime, now, principals


def init_app(app) -> None:
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["localdate"] = lambda v: localtime(v, "%Y-%m-%d")
    app.jinja_env.globals["header_values_of"] = header_values
    app.jinja_env.globals["column_groups"] = column_groups
    app.jinja_env.globals["cell_display"] = display
    app.jinja_env.globals["RECORD_DOC_TYPES"] = PARTS

    app.jinja_env.globals["monitor_tabs"] = monitor_tabs
    app.jinja_env.globals["cycle_step"] = cycle_step

    @app.context_processor
    def _globals():
        data = {
            "now": now(),
            "DOC_TYPE_LABELS": DOC_TYPE_LABELS,
            "STATUS_LABELS": STATUS_LABELS,
            "SUBJECT_TYPE_LABELS": SUBJECT_TYPE_LABELS,
            "DECISIONS": DECISIONS,
            "CONFIRMATIONS": CONFIRMATIONS,
            "OPTIMISATIONS": OPTIMISATIONS,
            "TASK_KINDS": workflow.task_kinds(),
            "VERTICALS": VERTICALS,
            "locale": str(get_locale() or "zh"),
            "request_path": request.full_path.rstrip("?") if request else "/",
        }
        if getattr(current_user, "is_authenticated", False) and not request.path.startswith("/api/"):
            data["is_monitor"] = org.is_monitor(current_user, principals())
            data["edits_templates"] = data["is_monitor"] or (
                bool(org.owned_unit_ids(principals()))
                and bool(owned_subject_types(db.session, current_user, principals()))
            )
            data["heads_units"] = bool(org.head_units(principals()))
            # 质量管理处 staff who are not monitors reach 年度诊改 through the sampling page they may use
            data["draws_samples"] = data["is_monitor"] or sampling.may_draw(current_user, principals())
            data["watches"] = data["is_monitor"] or data["heads_units"]
            data["edits_processes"] = org.owns_any_process(db.session, current_user, principals())
            data["unread_count"] = unread_count(db.session, current_user.id)
            data["inbox_count"] = task_service.list_tasks(
                db.session, current_user, tab="mine", per_page=1, principals=principals()
            ).total
        return data


def monitor_tabs() -> list[tuple[str, str]]:
    """The monitoring pages the current user may open, as (endpoint, label), for the tabs on each of them."""
    from flask_babel import gettext as _

    ps = principals()
    watches = org.is_monitor(current_user, ps) or bool(org.head_units(ps))
    tabs = []
    if watches:
        tabs += [("monitor.dashboard", _("逾期总览")), ("monitor.task_list", _("任务清单")),
                 ("monitor_actions.problems", _("流程异常"))]  # fmt: skip
    if heatmap.may_list(db.session, current_user, ps):
        tabs.append(("instances.versions", _("流程热力图")))
    return tabs


def cycle_step(number: int | None) -> str:
    """A cycle step as people know it: its number and name, e.g. "1 确定目标"."""
    from flask_babel import gettext as _

    return f"{number} {_(cycle.step_name(number))}" if number else ""
