"""发展性考核 (table 40): 我的评分 (a scorer's assignments and the scoring page), the organisers' campaigns (open one,
settings, veto and 突出贡献, 结束评分 / 公布结果, the Excel export), the indicator systems (read, 人力资源处 edits) and
a unit's result with how it was made up. The engine (engine/assessment) checks every permission."""

from __future__ import annotations

import json

from flask import Blueprint, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.assessment import campaigns, results, scoring, systems
from engine.core.errors import N_, Conflict, InvalidInput, NotFound

from ..db import db, flash_on_commit, transactional
from ..errors import refused, translate
from ..helpers import now, principals, today

bp = Blueprint("assessment", __name__, url_prefix="/assessment")
LABELS = {"groups": systems.GROUPS, "kinds": systems.TARGET_KINDS, "grades": campaigns.GRADE_LABELS,
          "statuses": campaigns.STATUSES, "sheet_statuses": scoring.STATUSES}  # fmt: skip
TREND_NAME, POINTS = N_("历年总分"), N_("分")


@bp.app_context_processor
def _assessment_card():
    """What the 质量评价 hub's card shows the user (templates/quality/_card_assessment.html)."""

    def card() -> dict:
        if not current_user or not current_user.is_authenticated:
            return {}
        ps = principals()
        return {"organises": campaigns.may_organise(db.session, current_user, ps),
                "to_score": scoring.open_count(db.session, current_user),
                "results": len(results.own_results(db.session, current_user, ps))}  # fmt: skip

    def campaign_of(task):
        """The campaign a 发展性考核 task of the inbox belongs to (its page is where the step is done)."""
        return campaigns.of_instance(db.session, task.instance_id)

    return {"assessment_card": card, "assessment_campaign_of": campaign_of}


def _translated(table: dict) -> dict:
    return {k: _(v) for k, v in table.items()}


def _labels() -> dict:
    return {name: _translated(table) for name, table in LABELS.items()}


def _new_campaign_defaults(kind: str) -> dict:
    """This year, scoring due on the annual table's date for the assessment (systems.default_due)."""
    year = today().year
    return {"year": str(year), "due": systems.default_due(db.session, kind, year, today()).isoformat(),
            "system": kind}  # fmt: skip


@bp.get("/")
@login_required
def index(form=None, errors=None, status=200):
    ps = principals()
    organises = campaigns.may_organise(db.session, current_user, ps)
    may_run = campaigns.may_run(db.session, current_user, ps)
    current = systems.current(db.session)
    forms = {s.kind: _new_campaign_defaults(s.kind) for s in current} if may_run else {}
    error_system = (form or {}).get("system") if (form or {}).get("system") in forms else "unit"
    if form is not None:
        forms[error_system] = form
    own = results.own_results(db.session, current_user, ps)
    return render_template(
        "assessment/index.html", organises=organises, may_run=may_run,
        campaigns=campaigns.organised(db.session, current_user, ps) if organises else [], systems=current,
        own=own, own_names=results.target_names(db.session, [t for t, _c in own]),
        to_score=scoring.open_count(db.session, current_user), forms=forms,
        error_system=error_system, field_errors=errors or {}, labels=_labels(),
    ), status  # fmt: skip


@bp.get("/mine")
@login_required
def mine():
    return render_template("assessment/mine.html", rows=scoring.mine(db.session, current_user), labels=_labels())


def _sheet_page(sheet, form=None, errors=None, status=200):
    values = form if form is not None else {f"points-{k}": v for k, v in sheet.assignment.scores.items()}
    comment = form.get("comment", "") if form is not None else sheet.assignment.comment
    return render_template("assessment/sheet.html", sheet=sheet, values=values, comment=comment,
                           field_errors=errors or {}, labels=_labels()), status  # fmt: skip


@bp.get("/assignments/<assignment_id>")
@login_required
def sheet(assignment_id):
    return _sheet_page(scoring.sheet(db.session, current_user, assignment_id))


@bp.post("/assignments/<assignment_id>")
@login_required
@transactional
def save_sheet(assignment_id):
    final = request.form.get("action") == "submit"
    form = {k: v for k, v in request.form.items() if k.startswith("points-") or k == "comment"}
    try:
        scoring.save(db.session, current_user, assignment_id, form, final, now())
    except InvalidInput as exc:
        errors = refused(exc, "sheet")
        s = scoring.sheet(db.session, current_user, assignment_id)
        return _sheet_page(s, form, errors, 400)
    except Conflict as exc:
        db.session.rollback()
        s = scoring.sheet(db.session, current_user, assignment_id)
        return _sheet_page(s, form, {"comment": [translate(exc.message, exc.params)]}, 409)
    flash_on_commit(_("评分已提交") if final else _("评分已暂存"), "success")
    return redirect(url_for("assessment.sheet", assignment_id=assignment_id))


@bp.post("/campaigns")
@login_required
@transactional
def open_campaign():
    form = {"year": request.form.get("year", ""), "due": request.form.get("due", ""),
            "kinds": request.form.getlist("kinds"), "system": request.form.get("system", "unit")}  # fmt: skip
    try:
        campaign = campaigns.open_campaign(db.session, current_user, principals(), form, now())
    except InvalidInput as exc:
        errors = refused(exc, "year")
        return index(form, errors, 400)
    flash_on_commit(_("考核已开启：%(title)s", title=campaign.title), "success")
    return redirect(url_for("assessment.campaign", campaign_id=campaign.id))


def _campaign_page(campaign, form=None, errors=None, status=200, error_target=None):
    ps = principals()
    system = systems.get(db.session, campaign.system_id)
    task = campaigns.open_task(db.session, campaign)
    return render_template(
        "assessment/campaign.html", campaign=campaign, system=system,
        targets=campaigns.targets_of(db.session, campaign.id),
        units=results.unit_names(db.session), progress=results.progress(db.session, campaign.id),
        names=results.target_names(db.session, campaigns.targets_of(db.session, campaign.id)),
        settings=campaigns.settings_of(campaign), groups=campaigns.groups_of(system.definition), task=task,
        may_run=campaigns.may_run(db.session, current_user, ps), form=form, field_errors=errors or {},
        error_target=error_target, labels=_labels(), parts=system.definition["parts"],
    ), status  # fmt: skip


@bp.get("/campaigns/<campaign_id>")
@login_required
def campaign(campaign_id):
    return _campaign_page(campaigns.get_campaign(db.session, current_user, principals(), campaign_id))


@bp.post("/campaigns/<campaign_id>/settings")
@login_required
@transactional
def update_settings(campaign_id):
    c = campaigns.get_campaign(db.session, current_user, principals(), campaign_id)
    try:
        campaigns.update_settings(db.session, current_user, principals(), c, request.form.to_dict(), now())
    except (InvalidInput, Conflict) as exc:
        fields = refused(exc, "threshold-excellent")
        return _campaign_page(c, request.form.to_dict(), fields, 400)
    flash_on_commit(_("考核设置已保存"), "success")
    return redirect(url_for("assessment.campaign", campaign_id=c.id))


@bp.post("/campaigns/<campaign_id>/advance")
@login_required
@transactional
def advance(campaign_id):
    c = campaigns.get_campaign(db.session, current_user, principals(), campaign_id)
    try:
        step = campaigns.advance(db.session, current_user, principals(), c, now())
    except (Conflict, NotFound) as exc:
        db.session.rollback()
        return _campaign_page(c, None, {"advance": [translate(exc.message, exc.params)]}, 409)
    flash_on_commit(_("评分已结束，考核结果已计算") if step == "collect" else _("考核结果已公布"), "success")
    return redirect(url_for("assessment.campaign", campaign_id=c.id))


@bp.get("/campaigns/<campaign_id>/export.xlsx")
@login_required
def export(campaign_id):
    from io import BytesIO

    c = campaigns.get_campaign(db.session, current_user, principals(), campaign_id)
    data = results.export_xlsx(db.session, c, _labels())
    return send_file(
        BytesIO(data),
        as_attachment=True,
        download_name=f"发展性考核结果-{c.year}-{c.id}.xlsx",
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@bp.post("/targets/<target_id>/reasons")
@login_required
@transactional
def set_reasons(target_id):
    form = {k: request.form.get(k, "") for k in ("veto_reason", "outstanding_reason")}
    try:
        target = campaigns.set_reasons(db.session, current_user, principals(), target_id, form, now())
    except (InvalidInput, Conflict) as exc:
        fields = refused(exc, "veto_reason")
        target = results.get_target(db.session, current_user, principals(), target_id)
        c = campaigns.get_campaign(db.session, current_user, principals(), target.campaign_id)
        return _campaign_page(c, form, fields, 400, error_target=target.id)
    flash_on_commit(_("已保存一票否决与突出贡献"), "success")
    return redirect(url_for("assessment.campaign", campaign_id=target.campaign_id) + f"#target-{target.id}")


def _trend_charts(trend: list[dict]) -> str:
    """The trend as the 质量看板's chart script (quality_trends.js) reads it: one line of the totals."""
    series = [{"key": "assessment", "name": _(TREND_NAME), "unit": _(POINTS), "values": [r["total"] for r in trend]}]
    return json.dumps({"years": [str(r["year"]) for r in trend], "series": series}, ensure_ascii=False)


@bp.get("/results/<target_id>")
@login_required
def result(target_id):
    target = results.get_target(db.session, current_user, principals(), target_id)
    trend = results.trend(db.session, target)
    return render_template("assessment/result.html", target=target, labels=_labels(), trend=trend,
                           trend_charts=_trend_charts(trend) if len(trend) > 1 else None,
                           **results.breakdown(db.session, target))  # fmt: skip


@bp.get("/systems/<system_id>")
@login_required
def system(system_id, form=None, errors=None, status=200, item_key=None):
    s = systems.get(db.session, system_id)
    latest = max(v.version for v in systems.versions(db.session, s.kind))
    may_edit = campaigns.may_run(db.session, current_user, principals()) and s.version == latest
    return render_template("assessment/system.html", system=s, may_edit=may_edit, latest=latest,
                           versions=systems.versions(db.session, s.kind), labels=_labels(), form=form or {},
                           field_errors=errors or {}, error_item=item_key, use_of_results=systems.USE_OF_RESULTS,
                           ), status  # fmt: skip


@bp.post("/systems/<system_id>/items/<item_key>")
@login_required
@transactional
def update_item(system_id, item_key):
    s = systems.get(db.session, system_id)
    if not campaigns.may_run(db.session, current_user, principals()):
        raise NotFound(N_("考核指标体系不存在"))
    form = request.form.to_dict()
    for key in request.form:
        if key.startswith("scorers-"):
            form[key] = request.form.getlist(key)
    try:
        saved = systems.update_item(db.session, current_user, s, item_key, form, now())
    except InvalidInput as exc:
        return system(system_id, form, refused(exc, "name"), 400, item_key)
    if saved.id != s.id:
        flash_on_commit(_("该版本已被考核使用，修改已保存为新版本 v%(version)s", version=saved.version), "success")
    else:
        flash_on_commit(_("考核指标已保存"), "success")
    return redirect(url_for("assessment.system", system_id=saved.id))
