"""A review's assessment against its checklist (/reviews/<doc>/assessment, 复核性诊断指标) and a basic standard's
规定性诊断 (/standards/<id>/diagnoses: the list, a new one - subject and year, then the criteria - and one)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.core.errors import Conflict, InvalidInput
from engine.diagnosis import assessments, prescriptive
from engine.warnings import STATUSES as WARNING_STATUSES

from ..db import db, flash_on_commit, transactional
from ..errors import translate, translate_fields
from ..feeds.panel import platform_data
from ..helpers import now, principals

bp = Blueprint("reviews", __name__)


# -- the review's assessment ------------------------------------------------------------------------------


def _assessment_page(doc_id, values: dict | None, field_errors: dict, status: int = 200):
    doc, task, version = assessments.assessable(db.session, current_user, principals(), doc_id)
    existing = assessments.assessment_of(db.session, doc.id)
    if values is None:
        values = {}
        if existing is not None:
            values = {f"verdict-{k}": v for k, v in existing.verdicts.items()} | {
                "evidence_text": existing.evidence_text or "", "evidence_url": existing.evidence_url or "",
            }  # fmt: skip
        methods = list(existing.methods) if existing else []
    else:
        methods = request.form.getlist("methods")
    page = render_template(
        "diagnosis/assessment.html", doc=doc, task=task, version=version, existing=existing, values=values,
        methods=methods, field_errors=field_errors,
    )  # fmt: skip
    return page, status


@bp.get("/reviews/<doc_id>/assessment")
@login_required
def assessment(doc_id):
    return _assessment_page(doc_id, None, {})


@bp.post("/reviews/<doc_id>/assessment")
@login_required
@transactional
def record_assessment(doc_id):
    """Record the assessment; refused input shows the form again as typed, nothing saved."""
    try:
        row = assessments.record(db.session, current_user, principals(), doc_id, request.form,
                                 request.form.getlist("methods"), now())  # fmt: skip
    except InvalidInput as exc:
        db.session.rollback()
        flash(_("保存失败：请按提示修改后重试"), "danger")
        return _assessment_page(doc_id, request.form.to_dict(), translate_fields(exc.fields), 400)
    flash_on_commit(_("复核性诊断指标已保存，加权得分 %(score)s", score=row.score), "success")
    return redirect(url_for("reviews.assessment", doc_id=row.document_id))


# -- 规定性诊断 -------------------------------------------------------------------------------------------


@bp.get("/standards/<standard_id>/diagnoses")
@login_required
def prescriptive_index(standard_id):
    standard = prescriptive.readable_standard(db.session, current_user, principals(), standard_id)
    return render_template(
        "diagnosis/prescriptive_index.html", standard=standard,
        diagnoses=prescriptive.diagnoses_of(db.session, standard),
        may_diagnose=prescriptive.may_diagnose(db.session, current_user, principals(), standard),
    )  # fmt: skip


def _new_page(standard_id, args, values: dict | None, field_errors: dict, status: int = 200):
    standard = prescriptive.diagnosing_standard(db.session, current_user, principals(), standard_id)
    ctx = {"standard": standard, "subjects": prescriptive.subjects_for(db.session, standard),
           "years": prescriptive.years(db.session, now()), "chosen": None, "field_errors": field_errors,
           "subject_id": args.get("subject_id", ""), "year": args.get("year", "")}  # fmt: skip
    if prescriptive.published_criteria(db.session, standard) is None:
        ctx["unpublished"] = True
    elif args.get("subject_id") or args.get("year"):
        try:
            _s, subject, year, existing, (version, criteria) = prescriptive.choose(
                db.session, current_user, principals(), standard_id, args.get("subject_id"), args.get("year"), now()
            )
        except InvalidInput as exc:
            ctx["field_errors"] = translate_fields(exc.fields) | field_errors
            return render_template("diagnosis/prescriptive_new.html", **ctx), 400
        if values is None:
            values, methods = {}, []
            if existing is not None:
                for n, r in enumerate(existing.results):
                    values |= {f"result-{n}": "pass" if r["passed"] else "fail", f"note-{n}": r.get("note", "")}
                values |= {"evidence_text": existing.evidence_text or "", "evidence_url": existing.evidence_url or ""}
                methods = list(existing.methods)
        else:
            methods = request.form.getlist("methods")
        ctx.update(chosen=subject, chosen_year=year, existing=existing, version=version, criteria=criteria,
                   values=values, methods=methods, platform=platform_data(subject, year))  # fmt: skip
    return render_template("diagnosis/prescriptive_new.html", **ctx), status


@bp.get("/standards/<standard_id>/diagnoses/new")
@login_required
def prescriptive_new(standard_id):
    return _new_page(standard_id, request.args, None, {})


@bp.post("/standards/<standard_id>/diagnoses/new")
@login_required
@transactional
def prescriptive_save(standard_id):
    """Save the diagnosis; one with a failing criterion raises (once) the 未达到基本标准 warning."""
    form = request.form
    try:
        diagnosis, warning = prescriptive.save(
            db.session, current_user, principals(), standard_id, form.get("subject_id"), form.get("year"), form,
            form.getlist("methods"), now(),
        )  # fmt: skip
    except InvalidInput as exc:
        db.session.rollback()
        flash(_("保存失败：请按提示修改后重试"), "danger")
        return _new_page(standard_id, form, form.to_dict(), translate_fields(exc.fields), 400)
    except Conflict as exc:
        db.session.rollback()
        flash(translate(exc.message, exc.params), "warning")
        return redirect(url_for("reviews.prescriptive_index", standard_id=standard_id))
    if warning is None:
        flash_on_commit(_("规定性诊断已保存：全部达标"), "success")
    else:
        unit = diagnosis.subject.org_unit.name if diagnosis.subject.org_unit else ""
        flash_on_commit(_("规定性诊断已保存：有指标未达标，已向%(unit)s发出“未达到基本标准”预警", unit=unit), "warning")
    return redirect(url_for("reviews.prescriptive_show", diagnosis_id=diagnosis.id))


@bp.get("/diagnoses/<diagnosis_id>")
@login_required
def prescriptive_show(diagnosis_id):
    diagnosis = prescriptive.get_diagnosis(db.session, current_user, principals(), diagnosis_id)
    return render_template(
        "diagnosis/prescriptive_show.html", diagnosis=diagnosis,
        warning=prescriptive.warning_of(db.session, diagnosis), warning_statuses=WARNING_STATUSES,
        may_diagnose=prescriptive.may_diagnose(db.session, current_user, principals(), diagnosis.standard),
        platform=platform_data(diagnosis.subject, diagnosis.year),
    )  # fmt: skip
