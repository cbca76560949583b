"""The credits pages of counselors and 党委学生工作部 / 教务处: 班级学分 (classes and a class's standing), 认定标准 (the
catalogue and its edit form), 学分审核 (every claim; reversing an entry) and 毕业审核 (graduating classes, their
graduation years, the check that raises the warnings)."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import credits
from engine.core.errors import N_, InvalidInput, NotFound
from engine.credits import access, claims, graduation, ledger
from engine.models import CreditEntry, OrgUnit
from forms.credits import LIMITS

from ..db import db, flash_on_commit, transactional
from ..errors import refused
from ..helpers import int_arg, now, principals, settings, today
from .base import bp, names, nav, student_page


@bp.get("/classes")
@login_required
def classes():
    found = ledger.classes_seen(db.session, current_user, principals())
    if not found:
        raise NotFound(N_("页面不存在"))
    units = dict(db.session.query(OrgUnit.id, OrgUnit.name).filter(OrgUnit.id.in_({k.org_unit_id for k in found})))
    return render_template(
        "credits/classes.html", classes=found, summaries=ledger.class_summaries(db.session, found), units=units,
        years=ledger.graduation_years(db.session, found), standard=ledger.standard(db.session), active="classes",
        **nav(),
    )  # fmt: skip


@bp.get("/classes/<class_id>")
@login_required
def class_standing(class_id):
    klass = ledger.get_class(db.session, current_user, principals(), class_id)
    rows = ledger.standing(db.session, [klass.id])
    return render_template(
        "credits/class.html", klass=klass, rows=rows, standard=ledger.standard(db.session),
        year=ledger.graduation_years(db.session, [klass])[klass.id], active="classes", **nav(),
    )  # fmt: skip


# -- 认定标准 -------------------------------------------------------------------------------------------------


@bp.get("/items")
@login_required
def items():
    """The catalogue: everybody signed in reads it (students see what they may claim); 党委学生工作部 edits."""
    return render_template("credits/items.html", items=credits.catalogue.items(db.session), active="items", **nav())


def _item_form(item, form, errors=None, status=200):
    if not access.manages(db.session, current_user, principals()):
        raise NotFound(N_("页面不存在"))
    return render_template("credits/item_form.html", item=item, form=form, field_errors=errors or {},
                           limits=LIMITS, active="items", **nav()), status  # fmt: skip


def _item_values(item) -> dict:
    return {"code": item.code, "title": item.title, "category": item.category, "direction": item.direction,
            "points": f"{item.points:g}", "evidence_required": "on" if item.evidence_required else "",
            "evidence_note": item.evidence_note, "active": "on" if item.active else ""}  # fmt: skip


@bp.get("/items/new")
@login_required
def new_item():
    return _item_form(None, {"direction": "add", "active": "on"})


@bp.get("/items/<item_id>")
@login_required
def edit_item(item_id):
    if not access.manages(db.session, current_user, principals()):
        raise NotFound(N_("页面不存在"))
    item = credits.catalogue.get_item(db.session, item_id)
    return _item_form(item, _item_values(item))


@bp.post("/items/new", endpoint="add_item")
@bp.post("/items/<item_id>")
@login_required
@transactional
def save_item(item_id=None):
    fields = ("code", "title", "category", "direction", "points", "evidence_required", "evidence_note", "active")
    form = {k: request.form.get(k, "") for k in fields}
    try:
        item = credits.catalogue.save_item(db.session, current_user, principals(), item_id, form, now())
    except InvalidInput as exc:
        errors = refused(exc, "title")
        item = credits.catalogue.get_item(db.session, item_id) if item_id is not None else None
        return _item_form(item, form, errors, 400)
    flash_on_commit(_("已保存认定项目：%(title)s", title=item.title), "success")
    return redirect(url_for("credits.items"))


# -- 学分审核 -------------------------------------------------------------------------------------------------


@bp.get("/audit")
@login_required
def audit():
    if not access.manages(db.session, current_user, principals()):
        raise NotFound(N_("页面不存在"))
    status = request.args.get("status") or None
    rows = claims.all_claims(db.session, status)
    return render_template(
        "credits/audit.html", rows=rows, status=status, names=names([r.student_id for r in rows]),
        active="audit", **nav(),
    )  # fmt: skip


@bp.post("/entries/<entry_id>/reverse")
@login_required
@transactional
def reverse(entry_id):
    try:
        back = claims.reverse(db.session, current_user, principals(), entry_id, {"reason": request.form.get("reason")},
                              now())  # fmt: skip
    except InvalidInput as exc:
        reason = refused(exc, "reason").get("reason", [])
        entry = db.session.get(CreditEntry, int(entry_id))
        found = access.get_student(db.session, current_user, principals(), entry.student_id)
        page, status = student_page(found, errors={f"reason-{entry.id}": reason}, status=400)
        return page, status
    flash_on_commit(_("已撤销认定：%(title)s", title=back.title), "success")
    return redirect(url_for("credits.student", user_id=back.student_id))


# -- 毕业审核 -------------------------------------------------------------------------------------------------


def _graduation_page(year: int, errors=None, status=200):
    if not access.runs_check(db.session, current_user, principals()):
        raise NotFound(N_("页面不存在"))
    every = ledger.active_classes(db.session)
    years = ledger.graduation_years(db.session, every)
    graduating = [k for k in every if years[k.id] == year]
    below = graduation.below(db.session, year)
    return render_template(
        "credits/graduation.html", year=year, classes=every, years=years, graduating=graduating, below=below,
        summaries=ledger.class_summaries(db.session, graduating), standard=ledger.standard(db.session),
        field_errors=errors or {}, check_month=settings().credit_check_month, active="graduation", **nav(),
    ), status  # fmt: skip


@bp.get("/graduation")
@login_required
def graduation_page():
    return _graduation_page(int_arg(request.args.get("year"), today().year))


@bp.post("/graduation/check")
@login_required
@transactional
def run_check():
    year = int_arg(request.form.get("year"), today().year)
    found, raised = graduation.run_check(db.session, current_user, principals(), year, now())
    flash_on_commit(_("毕业审核完成：%(found)s 名学生未达标，新发出预警 %(raised)s 条", found=found, raised=raised),
                    "success")  # fmt: skip
    return redirect(url_for("credits.graduation_page", year=year))


@bp.post("/graduation/classes/<class_id>")
@login_required
@transactional
def set_year(class_id):
    year = int_arg(request.form.get("view_year"), today().year)
    try:
        klass = ledger.set_graduation_year(db.session, current_user, principals(), class_id, request.form.get("year"),
                                           now())  # fmt: skip
    except InvalidInput as exc:
        errors = {f"year-{class_id}": refused(exc, "year").get("year", [])}
        return _graduation_page(year, errors, 400)
    flash_on_commit(_("已设置毕业年份：%(name)s", name=klass.name), "success")
    return redirect(url_for("credits.graduation_page", year=year))
