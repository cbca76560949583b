"""年度诊改 › 学校抽样复核: 质量管理处 draws the year's sample, lists it and re-runs any draw to verify it."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import cycle
from engine.core import periods
from engine.core.errors import InvalidInput
from engine.cycle import sampling
from engine.models import User

from ..db import db, flash_on_commit, transactional
from ..errors import refused
from ..helpers import int_arg, now, principals, settings

bp = Blueprint("sampling", __name__, url_prefix="/cycle/sampling")


@bp.before_request
def _samplers_only():
    if current_user.is_authenticated:
        sampling.check_allowed(current_user, principals())


def _year(value) -> int:
    year = int_arg(value, 0)
    return year if 2000 <= year <= 2100 else periods.local_year(now(), settings().timezone)


def _page(year: int, shown=None, verification=None, values=None, field_errors=None, status: int = 200):
    """The page of `year`: the form, the draw shown (the latest unless another is chosen), the earlier draws."""
    draws = sampling.draws_of(db.session, year)
    shown = shown or (draws[0] if draws else None)
    people = {d.drawn_by_id for d in draws if d.drawn_by_id}
    names = {u.id: u.display_name for u in db.session.query(User).filter(User.id.in_(people))} if people else {}
    last = draws[0].config if draws else {"sizes": {}, "stratify": True, "pilots": True}
    values = values or {
        **{f"size_{k}": str(last.get("sizes", {}).get(k, 0)) for k in cycle.LEVELS},
        "stratify": last.get("stratify"), "pilots": last.get("pilots"), "note": "",
    }  # fmt: skip
    return render_template(
        "cycle/sampling.html", year=year, levels=cycle.LEVELS, draws=draws, shown=shown, names=names,
        listing=sampling.listing(db.session, shown) if shown else {}, verification=verification, values=values,
        field_errors=field_errors or {}, population=len(sampling.population(db.session, year)),
    ), status  # fmt: skip


@bp.get("/")
@login_required
def index():
    return _page(_year(request.args.get("year")))


@bp.post("/")
@login_required
@transactional
def make():
    year = _year(request.form.get("year"))
    config = sampling.parse_config(
        {k: request.form.get(f"size_{k}") for k in cycle.LEVELS},
        request.form.get("stratify") == "1", request.form.get("pilots") == "1",
    )  # fmt: skip
    sampling.make_draw(db.session, current_user, year, config, now(), note=request.form.get("note") or "",
                       principals=principals())  # fmt: skip
    flash_on_commit(_("已完成抽样，种子值已记录"), "success")
    return redirect(url_for("sampling.index", year=year))


@bp.errorhandler(InvalidInput)
def _invalid(exc):
    """A refused draw saves nothing and shows the form again, as typed, with the messages."""
    errors = refused(exc, "sizes")
    form = request.form
    values = {
        **{f"size_{k}": form.get(f"size_{k}", "") for k in cycle.LEVELS},
        "stratify": form.get("stratify") == "1", "pilots": form.get("pilots") == "1", "note": form.get("note", ""),
    }  # fmt: skip
    return _page(_year(request.values.get("year")), values=values, field_errors=errors, status=400)


@bp.get("/<draw_id>")
@login_required
def show(draw_id):
    row = sampling.get_draw(db.session, current_user, principals(), draw_id)
    return _page(row.year, shown=row)


@bp.get("/<draw_id>/verify")
@login_required
def verify(draw_id):
    row = sampling.get_draw(db.session, current_user, principals(), draw_id)
    return _page(row.year, shown=row, verification=sampling.verify(db.session, row))
