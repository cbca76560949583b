"""质量督导 › 满意度调查: the year's surveys with their results per college and major, the provider template,
the upload with its checked preview, confirm or discard."""

from __future__ import annotations

from io import BytesIO

from flask import redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.core.errors import InvalidInput
from engine.models import User
from engine.supervision import surveys

from ..db import db, flash_on_commit, transactional
from ..errors import refused, translate
from ..helpers import now, principals
from .blueprint import bp, year_arg

SHOWN_ROWS = 200


def _page(year: int, values: dict | None = None, error: str | None = None, errors: dict | None = None,
          bad_rows: list | None = None, status: int = 200):  # fmt: skip
    ps = principals()
    surveys.check_reader(current_user, ps)
    found = surveys.surveys_of(db.session, year)
    return render_template(
        "supervision/surveys.html", year=year, found=found,
        results={k: surveys.results(db.session, s) for k, s in found.items()},
        may_import=surveys.may_import(current_user, ps), values=values or {"kind": "graduate", "year": str(year)},
        error=error, errors=errors or {}, bad_rows=(bad_rows or [])[:SHOWN_ROWS], row_error=_row_error,
        max_mb=surveys.MAX_BYTES // (1024 * 1024),
    ), status  # fmt: skip


def _row_error(error) -> str:
    return translate(error["message"], error["params"])


@bp.get("/surveys")
@login_required
def surveys_index():
    return _page(year_arg(request.args.get("year")))


@bp.get("/surveys/template.xlsx")
@login_required
def survey_template():
    surveys.check_reader(current_user, principals())
    return send_file(BytesIO(surveys.template()), as_attachment=True, download_name="satisfaction-template.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")  # fmt: skip


@bp.post("/surveys")
@login_required
@transactional
def survey_upload():
    form = request.form
    values = {"kind": form.get("kind", ""), "year": form.get("year", ""), "provider": form.get("provider", "")}
    year = year_arg(form.get("year"))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        surveys.check_reader(current_user, principals())
        return _page(year, values, errors={"file": [_("请选择要上传的文件")]}, status=400)
    data = upload.stream.read(surveys.MAX_BYTES + 1)
    try:
        survey = surveys.preview(db.session, current_user, principals(), values["kind"], values["year"],
                                 values["provider"], upload.filename, data, now())  # fmt: skip
    except surveys.RowsRefused as exc:
        db.session.rollback()
        bad = [r for r in exc.rows if r["errors"]]
        return _page(year, values, translate(exc.message, exc.params), bad_rows=bad, status=400)
    except InvalidInput as exc:
        fields = refused(exc, "file")
        return _page(year, values, errors=fields, status=400)
    return redirect(url_for("supervision.survey", survey_id=survey.id))


@bp.get("/surveys/<survey_id>")
@login_required
def survey(survey_id):
    ps = principals()
    row = surveys.get_survey(db.session, current_user, ps, survey_id)
    by = db.session.get(User, row.imported_by_id) if row.imported_by_id else None
    return render_template(
        "supervision/survey.html", survey=row, by=by, may_import=surveys.may_import(current_user, ps),
        results=surveys.results(db.session, row) if row.status != "pending" else [],
        sample=row.rows[:SHOWN_ROWS] if row.status == "pending" else [],
    )  # fmt: skip


@bp.post("/surveys/<survey_id>/confirm")
@login_required
@transactional
def confirm_survey(survey_id):
    row = surveys.apply(db.session, current_user, principals(), survey_id, now())
    flash_on_commit(_("已导入 %(n)s 行满意度结果", n=len(row.rows)), "success")
    return redirect(url_for("supervision.survey", survey_id=row.id))


@bp.post("/surveys/<survey_id>/discard")
@login_required
@transactional
def discard_survey(survey_id):
    year = surveys.get_survey(db.session, current_user, principals(), survey_id).year
    surveys.discard(db.session, current_user, principals(), survey_id, now())
    flash_on_commit(_("已放弃这次导入，未做任何修改"), "info")
    return redirect(url_for("supervision.surveys_index", year=year))
