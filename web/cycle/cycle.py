"""质量管理处 starts the annual cycle for chosen levels and follows every subject's progress."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from engine import cycle, org
from engine.core import periods
from engine.core.errors import N_, InvalidInput, NotFound, object_id
from engine.cycle import progress as cycle_progress
from engine.documents import SUBJECT_TYPE_LABELS
from engine.models import AnnualTask, CycleRun

from ..db import db, transactional
from ..errors import translate_fields
from ..helpers import int_arg, localtime, now, principals, settings, xlsx_download
from ..helpers import today as today_

bp = Blueprint("cycle", __name__, url_prefix="/cycle")


@bp.before_request
def _monitors_only():
    if not current_user.is_authenticated:
        return None
    if not org.is_monitor(current_user, principals()):
        raise NotFound(N_("页面不存在"))
    return None


def _zone() -> ZoneInfo:
    return settings().timezone


def _year_now() -> int:
    return periods.local_year(now(), _zone())


def _dues(year: int) -> dict:
    rows = db.session.scalars(select(AnnualTask).where(AnnualTask.year.in_([year, year + 1]))).all()
    return cycle.due_dates_for(year, _zone(), rows)


def _form(year: int, values: dict, levels: list[str], field_errors: dict, status: int = 200):
    """The year-start form with the dates as typed; a date already past is flagged even before submitting."""
    today = today_()
    past = set()
    for key, raw in values.items():
        try:
            if date.fromisoformat(raw) < today:
                past.add(key)
        except (TypeError, ValueError):
            continue
    runs = db.session.scalars(select(CycleRun).order_by(CycleRun.id.desc()).limit(20)).all()
    return render_template(
        "cycle/index.html", year=year, levels=cycle.LEVELS, chosen=levels, dates=cycle.DATES, values=values,
        past=past, today=today, runs=runs, field_errors=field_errors,
    ), status  # fmt: skip


@bp.get("/")
@login_required
def index():
    year = int_arg(request.args.get("year"), _year_now())
    if not 2000 <= year <= 2100:
        year = _year_now()
    values = {k: v[:10] for k, v in _dues(year).items()}
    return _form(year, values, [], {})


@bp.post("/")
@login_required
@transactional
def start():
    year = int_arg(request.form.get("year"), 0)
    values = {key: (request.form.get(f"due_{key}") or "").strip() for key in cycle.DEFAULT_DUES}
    dues, errors = {}, {}
    for key, raw in values.items():
        if not raw:
            continue  # create_run names every missing date
        try:
            dues[key] = cycle.end_of_day(date.fromisoformat(raw), _zone()).isoformat()
        except ValueError:
            errors[f"due_{key}"] = [N_("日期格式应为 YYYY-MM-DD")]
    levels = request.form.getlist("levels")
    try:  # a date that cannot be read is missing for create_run, so it refuses too
        run = cycle.create_run(db.session, current_user, year, levels, dues, now())
    except InvalidInput as exc:
        exc.fields = {**exc.fields, **errors}
        raise
    cycle.process_run(db.session, run.id, now(), batch=200)  # small schools finish at once; the scheduler does the rest
    return redirect(url_for("cycle.run", run_id=run.id))


@bp.errorhandler(InvalidInput)
def _invalid(exc):
    """A refused year start changes nothing and shows the form again, as typed, with the messages."""
    db.session.rollback()
    year = int_arg(request.values.get("year"), _year_now())
    values = {key: (request.values.get(f"due_{key}") or "").strip() for key in cycle.DEFAULT_DUES}
    return _form(year, values, request.values.getlist("levels"), translate_fields(exc.fields), 400)


def _run_or_404(run_id) -> CycleRun:
    run = db.session.get(CycleRun, object_id(run_id, N_("记录不存在")))
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


def _year() -> int:
    year = int_arg(request.args.get("year"), _year_now())
    return year if 2000 <= year <= 2100 else _year_now()


@bp.get("/progress")
@login_required
def progress():
    year = _year()
    department = int_arg(request.args.get("department"), 0) or None
    matrix, by_department = cycle_progress.overview(db.session, year, now(), department)
    return render_template(
        "cycle/progress.html", year=year, department=department, levels=cycle.LEVELS, steps=cycle.STEPS,
        no_tasks=cycle.SCHOOL_STEPS, matrix=matrix, by_department=by_department,
        departments=cycle_progress.departments(db.session), school=cycle_progress.school_steps(db.session, year),
    )  # fmt: skip


@bp.get("/progress/subjects")
@login_required
def subjects():
    filters = cycle_progress.Filters.parse(request.args, _year())
    page = cycle_progress.subjects(db.session, filters, now(), int_arg(request.args.get("page"), 1))
    return render_template(
        "cycle/subjects.html", page=page, filters=filters, args=filters.args(), levels=cycle.LEVELS,
        without_passed={k: v for k, v in filters.args().items() if k != "passed"},
        steps=cycle.STEPS, no_tasks=cycle.SCHOOL_STEPS, departments=cycle_progress.departments(db.session),
        record_step=cycle.STEP_NUMBER["diagnosis"],  # from the self-diagnosis on, a subject has its record
    )  # fmt: skip


@bp.get("/progress/subjects.xlsx")
@login_required
def subjects_xlsx():
    filters = cycle_progress.Filters.parse(request.args, _year())
    page = cycle_progress.subjects(db.session, filters, now(), 1, per_page=50_000)
    header = [_("主体"), _("类型"), _("部门"), _("当前步骤"), _("任务"), _("办理人"), _("截止日期"), _("逾期天数")]
    return xlsx_download(_("诊改进度"), header, (
        [r["subject"], _type_label(r["type"]), r["department"], _step_cell(r),
         _("等待学校抽样") if r["waiting"] else r["task"], r["assignee"], localtime(r["due_at"], "%Y-%m-%d"),
         r["days_late"]]
        for r in page.rows
    ), f"cycle-progress-{filters.year}.xlsx")  # fmt: skip


def _type_label(kind: str) -> str:
    label = SUBJECT_TYPE_LABELS.get(kind, kind)  # N_() labels
    return _(label)


def _step_cell(row: dict) -> str:
    if row["status"] == "completed":
        return _("已完成")
    if step := row["step"]:
        return f"{step} {_(cycle.step_name(step))}"
    return _("无当前任务")
