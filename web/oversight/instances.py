"""A process instance's diagram with its path, tokens and history; heat maps of process versions."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import workflow
from engine.models import Subject
from engine.oversight import heatmap, instance_view

from ..db import db
from ..helpers import localtime, now, principals

bp = Blueprint("instances", __name__)


def _load(instance_id):
    return instance_view.get_instance(db.session, current_user, principals(), instance_id)


def _highlight_json(state: dict) -> dict:
    """The diagram state with dates as local text, ready for the browser."""

    def local(rows: list[dict]) -> list[dict]:
        return [{**r, "due_at": localtime(r["due_at"])} for r in rows]

    return {
        **state,
        "current": [{**c, "due_at": localtime(c["due_at"]), "tasks": local(c["tasks"])} for c in state["current"]],
        "timers": local(state["timers"]),
        "labels": {"open": _("待办"), "overdue": _("逾期"), "timer": _("定时"), "times": _("次")},
    }


@bp.get("/instances/<instance_id>")
@login_required
def show(instance_id):
    instance = _load(instance_id)
    state = instance_view.diagram_state(db.session, instance, now())
    subject = db.session.get(Subject, instance.subject_id) if instance.subject_id else None
    may_heatmap = heatmap.may_analyse(current_user, principals(), instance.version.definition)
    return render_template(
        "instances/show.html", instance=instance, subject=subject, state=state,
        highlight=_highlight_json(state), may_heatmap=may_heatmap, bound=workflow.bound_versions(db.session, instance),
        history=instance_view.history(db.session, current_user, principals(), instance.id, now()),
    )  # fmt: skip


@bp.get("/instances/<instance_id>/diagram.xml")
@login_required
def diagram(instance_id):
    instance = _load(instance_id)
    return Response(instance_view.diagram_xml(db.session, instance), mimetype="application/xml")


@bp.get("/instances/<instance_id>/state.json")
@login_required
def state(instance_id):
    instance = _load(instance_id)
    return jsonify(_highlight_json(instance_view.diagram_state(db.session, instance, now())))


@bp.get("/monitor/versions")
@login_required
def versions():
    rows = heatmap.list_versions(db.session, current_user, principals())
    return render_template("instances/versions.html", rows=rows)


@bp.get("/monitor/versions/<version_id>/heatmap")
@login_required
def version_heatmap(version_id):
    version = heatmap.get_version(db.session, current_user, principals(), version_id)
    data = heatmap.version_heatmap(db.session, version.id, now())
    waiting = heatmap.longest_waiting(db.session, version.id, now())
    heat = {
        "bottleneck": data["bottleneck"],
        "steps": [
            {"id": s["bpmn_id"], "open": s["open"], "overdue": s["overdue"], "level": s["level"],
             "wait": _duration(s["avg_wait_s"]), "done": _duration(s["avg_done_s"]), "completed": s["completed"]}
            for s in data["steps"] if s["in_diagram"]
        ],
        "labels": {"open": _("等待"), "done": _("完成"), "bottleneck": _("瓶颈"), "avg": _("平均")},
    }  # fmt: skip
    return render_template(
        "instances/heatmap.html", version=version, data=data, heat=heat, waiting=waiting, duration=_duration,
        xml_url=url_for("instances.version_diagram", version_id=version.id),
    )  # fmt: skip


@bp.get("/monitor/versions/<version_id>/diagram.xml")
@login_required
def version_diagram(version_id):
    version = heatmap.get_version(db.session, current_user, principals(), version_id)
    return Response(version.bpmn_xml, mimetype="application/xml")


def _duration(seconds: float | None) -> str:
    """A wait in the largest sensible unit: 3.5天, 5小时, 20分钟."""
    if seconds is None:
        return "—"
    if seconds >= 86400:
        return _("%(n)s天", n=f"{seconds / 86400:.1f}")
    if seconds >= 3600:
        return _("%(n)s小时", n=f"{seconds / 3600:.1f}")
    return _("%(n)s分钟", n=f"{max(0, seconds) / 60:.0f}")
