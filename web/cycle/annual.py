"""The annual task table: instantiate a year, correct rows, mark rows done with evidence."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import org, registries, standards
from engine.core.errors import N_, NotFound
from engine.cycle import annual, links

from ..db import db, flash_on_commit, transactional
from ..helpers import now, principals, today

bp = Blueprint("annual", __name__, url_prefix="/annual")
# What an annual-table row links to, by the link's kind (engine/cycle/links.py): a label and the URL of the target.
# Another kind of target is one more entry here and in `_link_urls`.
LINK_LABELS = {
    "mechanism": N_("资源开发与配置机制"), "service": N_("支持服务"), "supervision": N_("监督控制制度"),
    "work_standard": N_("工作标准"), "documents": N_("诊改文档"), "basic_standard": N_("基本标准"),
}  # fmt: skip


def _link_urls(entry_ids: dict, standard_ids: dict) -> dict:
    def entry(kind):
        def url(key):
            found = entry_ids.get((kind, key))
            return url_for("registries.show", entry_id=found) if found else None

        return url

    return {
        "mechanism": entry("mechanism"), "service": entry("service"), "supervision": entry("supervision"),
        "work_standard": lambda key: url_for("work_standards.index", category=key),
        "documents": lambda key: url_for("documents.index", subject_type=key),
        "basic_standard": lambda key: url_for("standards.show", standard_id=standard_ids[key])
        if key in standard_ids else None,
    }  # fmt: skip


def row_links(rows) -> dict[int, tuple[str, str]]:
    """Each linked row's target as (label, URL); a target that does not exist (yet) is left out."""
    urls = _link_urls(registries.ids_by_key(db.session), standards.ids_by_key(db.session))
    out = {}
    for row_id, link in links.links_of(rows).items():
        url = urls[link.kind](link.key) if link.kind in urls else None
        if url:
            out[row_id] = (_(LINK_LABELS[link.kind]), url)
    return out


GENERATED = N_("已生成 %(n)s 项年度任务；%(f)s 项完成时间需要核对；%(late)s 项生成时已逾期，按部门汇总通知")


@bp.get("/")
@login_required
def index():
    return redirect(url_for("annual.year", year=today().year))


@bp.get("/<int:year>")
@login_required
def year(year):
    """The year's milestone board (status counts by category and department) over its filterable rows."""
    ps = principals()
    if not org.policy.reads_annual_table(org.Viewer.of(current_user, ps)):
        raise NotFound(N_("页面不存在"))
    rows = annual.rows_of(db.session, year)
    board = annual.board(rows, today())  # the school's calendar day
    filters = {k: request.args.get(k) or None for k in ("state", "category", "department")}
    shown = annual.filter_rows(rows, board["status"], **filters)
    return render_template(
        "annual/year.html", year=year, rows=shown, all_rows=rows, board=board, status=board["status"],
        filters=filters, done_by=annual.done_by_names(db.session, shown), monitor=org.is_monitor(current_user, ps),
        can_complete={r.id: annual.may_complete(current_user, ps, r) for r in shown}, seed_ready=annual.available(year),
        links=row_links(shown),
    )  # fmt: skip


def _office_only() -> None:
    if not org.is_monitor(current_user, principals()):
        raise NotFound(N_("页面不存在"))


@bp.get("/<int:year>/instantiate")
@login_required
def preview(year):
    """What generating the year's table would make: every row with its date and its status today."""
    _office_only()
    if annual.rows_of(db.session, year):
        flash(_("该年度的任务表已存在"), "info")
        return redirect(url_for("annual.year", year=year))
    return render_template("annual/preview.html", preview=annual.preview(db.session, year, now()))


@bp.post("/<int:year>/instantiate")
@login_required
@transactional
def instantiate(year):
    """Generate the table, once the preview has been confirmed; without the confirmation nothing changes."""
    _office_only()
    if annual.rows_of(db.session, year):  # e.g. the confirmation sent twice
        flash(_("该年度的任务表已存在"), "info")
        return redirect(url_for("annual.year", year=year))
    if request.form.get("confirm") != "yes":
        made = annual.preview(db.session, year, now())
        return render_template("annual/preview.html", preview=made, confirm_error=True), 400
    rows = annual.instantiate(db.session, year, current_user.id, now())
    flagged = sum(1 for r in rows if r.problem)
    late = sum(1 for r in rows if r.late_at_generation)
    flash_on_commit(_(GENERATED, n=len(rows), f=flagged, late=late), "success")
    return redirect(url_for("annual.year", year=year))


@bp.post("/rows/<row_id>")
@login_required
@transactional
def update(row_id):
    row = annual.update_row(db.session, current_user, principals(), row_id, request.form, now())
    flash_on_commit(_("已更新第 %(no)s 项", no=row.no), "success")
    return redirect(url_for("annual.year", year=row.year) + f"#row-{row.no}")


@bp.post("/rows/<row_id>/done")
@login_required
@transactional
def done(row_id):
    row = annual.mark_done(db.session, current_user, principals(), row_id, request.form.get("evidence", ""), now())
    flash_on_commit(_("已标记完成：%(task)s", task=row.task), "success")
    return redirect(url_for("annual.year", year=row.year) + f"#row-{row.no}")
