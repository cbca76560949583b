"""Importing rosters: templates, upload, preview with every row checked, confirm or discard."""

from __future__ import annotations

from io import BytesIO

from flask import redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from engine.core.errors import N_, InvalidInput, NotFound, object_id
from engine.models import ImportRun, User
from engine.org import importing

from ..db import db, flash_on_commit, transactional
from ..errors import translate
from ..helpers import now
from .blueprint import bp

SHOWN_ROWS = 200


def _index(error: str | None = None, chosen: str = "", status: int = 200):
    runs = db.session.scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(30)).all()
    names = {u.id: u.display_name for u in db.session.scalars(
        select(User).where(User.id.in_({r.created_by_id for r in runs if r.created_by_id})))}  # fmt: skip
    return render_template(
        "orgadmin/imports.html", kinds=importing.KINDS, order=importing.ORDER, runs=runs, names=names, error=error,
        chosen=chosen, max_mb=importing.MAX_BYTES // (1024 * 1024),
    ), status  # fmt: skip


@bp.get("/imports")
@login_required
def imports():
    return _index()


@bp.get("/imports/template/<kind>.xlsx")
@login_required
def import_template(kind):
    if kind not in importing.KINDS:
        raise NotFound(N_("未知的导入类型"))
    return send_file(BytesIO(importing.template(kind)), as_attachment=True, download_name=f"{kind}-template.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")  # fmt: skip


@bp.post("/imports")
@login_required
@transactional
def upload():
    kind = request.form.get("kind", "")
    upload = request.files.get("file")
    if kind not in importing.KINDS:
        return _index(_("请选择导入类型"), kind, 400)
    if upload is None or not upload.filename:
        return _index(_("请选择要上传的文件"), kind, 400)
    data = upload.stream.read(importing.MAX_BYTES + 1)
    try:
        run = importing.preview(db.session, current_user, kind, upload.filename, data, now(),
                                full=request.form.get("full") == "on")  # fmt: skip
    except InvalidInput as exc:
        db.session.rollback()
        return _index(translate(exc.message, exc.params), kind, 400)
    return redirect(url_for("orgadmin.import_run", run_id=run.id))


def _run(run_id) -> ImportRun:
    return importing.load_run(db.session, object_id(run_id, N_("导入记录不存在")))


@bp.get("/imports/<run_id>")
@login_required
def import_run(run_id):
    run = _run(run_id)
    bad = [r for r in run.rows if r["errors"]]
    return render_template("orgadmin/import_run.html", run=run, spec=importing.KINDS[run.kind], bad=bad[:SHOWN_ROWS],
                           sample=run.rows[:20], shown=SHOWN_ROWS, error_text=_row_error)  # fmt: skip


def _row_error(error) -> str:
    return translate(error["message"], error["params"]) if isinstance(error, dict) else error


@bp.post("/imports/<run_id>/confirm")
@login_required
@transactional
def confirm_import(run_id):
    run = _run(run_id)
    if run.full and run.summary.get("missing") and request.form.get("deactivate") != "yes":
        raise InvalidInput(N_("请勾选确认停用名单中的人员后再导入"))
    importing.apply(db.session, current_user, run.id, now())
    result = run.summary["result"]
    flash_on_commit(_("导入完成：新增 %(created)s，更新 %(updated)s，未变 %(unchanged)s，停用 %(deactivated)s",
                      **result), "success")  # fmt: skip
    return redirect(url_for("orgadmin.import_run", run_id=run.id))


@bp.post("/imports/<run_id>/discard")
@login_required
@transactional
def discard_import(run_id):
    run = _run(run_id)
    importing.discard(db.session, current_user, run.id, now())
    flash_on_commit(_("已放弃这次导入，未做任何修改"), "info")
    return redirect(url_for("orgadmin.imports"))
