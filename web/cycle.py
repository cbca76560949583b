"""质量管理处 starts the annual cycle for chosen levels and follows every subject's progress."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from engine import cycle, periods, tasks
from engine.errors import N_, InvalidInput, NotFound
from engine.models import AnnualTask, CycleRun

from .db import db, transactional
from .errors import translate_fields
from .helpers import int_arg, now, principals

bp = Blueprint("cycle", __name__, url_prefix="/cycle")


@bp.before_request
def _monitors_only():
    if not current_user.is_authenticated:
        return None
    if not tasks.is_monitor(current_user, principals()):
        raise NotFound(N_("页面不存在"))
    return None


def _dues(year: int) -> dict:
    rows = db.session.scalars(select(AnnualTask).where(AnnualTask.year.in_([year, year + 1]))).all()
    return cycle.due_dates_for(year, rows)


@bp.get("/")
@login_required
def index(field_errors=None, status=200):
    year = int_arg(request.values.get("year"), periods.local_year(now()))
    runs = db.session.scalars(select(CycleRun).order_by(CycleRun.id.desc()).limit(20)).all()
    dues = {k: v[:10] for k, v in _dues(year).items()}
    return render_template(
        "cycle/index.html", year=year, levels=cycle.LEVELS, steps=cycle.STEPS, dues=dues, runs=runs,
        field_errors=field_errors or {},
    ), status  # fmt: skip


@bp.post("/")
@login_required
@transactional
def start():
    year = int_arg(request.form.get("year"), 0)
    dues = _dues(year) if year else {}
    errors = {}
    for key in list(dues):
        raw = request.form.get(f"due_{key}")
        if raw:
            try:
                dues[key] = cycle.end_of_day(date.fromisoformat(raw)).isoformat()
            except ValueError:
                errors[f"due_{key}"] = [N_("日期格式应为 YYYY-MM-DD")]
    if errors:
        raise InvalidInput(N_("请检查填写的内容"), fields=errors)
    run = cycle.create_run(db.session, current_user, year, request.form.getlist("levels"), dues, now())
    cycle.process_run(
        db.session, run.id, now(), batch=200
    )  # small schools finish at once; the rest runs in the scheduler
    return redirect(url_for("cycle.run", run_id=run.id))


@bp.errorhandler(InvalidInput)
def _invalid(exc):
    db.session.rollback()
    return index(translate_fields(exc.fields), 400)


def _run_or_404(run_id) -> CycleRun:
    run = db.session.get(CycleRun, int_arg(run_id, 0))
    if run is None:
        raise NotFound(N_("记录不存在"))
    return run


@bp.get("/runs/<run_id>")
@login_required
def run(run_id):
    return render_template("cycle/run.html", run=_run_or_404(run_id), levels=cycle.LEVELS)


@bp.get("/runs/<run_id>.json")
@login_required
def run_json(run_id):
    r = _run_or_404(run_id)
    return jsonify({"id": r.id, "status": r.status, "total": r.total, "done": r.done})


@bp.get("/progress")
@login_required
def progress():
    year = int_arg(request.args.get("year"), periods.local_year(now()))
    level = request.args.get("level") or None
    rows = cycle.progress(db.session, year, level, now())
    return render_template("cycle/progress.html", rows=rows, year=year, level=level, levels=cycle.LEVELS)
