"""Majors, courses and classes with their teams, leaders and counselors."""

from __future__ import annotations

import re

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.core.errors import N_, object_id
from engine.org import teaching

from ..db import db, flash_on_commit, transactional
from ..helpers import now
from .blueprint import bp


@bp.get("/majors")
@login_required
def majors():
    return render_template("orgadmin/subjects.html", rows=teaching.subjects_with_teams(db.session, "major"),
                           stype="major", title=_("专业"), endpoint="orgadmin.majors")  # fmt: skip


@bp.get("/courses")
@login_required
def courses():
    return render_template("orgadmin/subjects.html", rows=teaching.subjects_with_teams(db.session, "course"),
                           stype="course", title=_("课程"), endpoint="orgadmin.courses")  # fmt: skip


@bp.post("/subjects/<subject_id>/team")
@login_required
@transactional
def set_team(subject_id):
    sid = object_id(subject_id, N_("专业或课程不存在"))
    numbers = re.split(r"[\s,，;；、]+", request.form.get("team", ""))
    subject = teaching.set_team(db.session, current_user, sid, numbers, now())
    flash_on_commit(_("已保存“%(name)s”的团队", name=subject.name), "success")
    return redirect(url_for("orgadmin.majors" if subject.type == "major" else "orgadmin.courses"))


@bp.post("/subjects/<subject_id>/pilot")
@login_required
@transactional
def set_pilot(subject_id):
    sid = object_id(subject_id, N_("专业或课程不存在"))
    pilot = request.form.get("pilot") == "1"
    subject = teaching.set_pilot(db.session, current_user, sid, pilot, now())
    if pilot:
        flash_on_commit(_("已将“%(name)s”设为诊改试点", name=subject.name), "success")
    else:
        flash_on_commit(_("已取消“%(name)s”的诊改试点", name=subject.name), "success")
    return redirect(url_for("orgadmin.majors" if subject.type == "major" else "orgadmin.courses"))


@bp.get("/classes")
@login_required
def classes():
    return render_template("orgadmin/classes.html", rows=teaching.classes(db.session))
