"""The process modeler: process owners edit, validate, deploy, compare, roll back and migrate their chains.

Every route loads the process through `modeling.get_editable`, so a process the user does not own is a
404 like an unknown one. The diagram travels as BPMN XML; the server validates every byte of it.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from engine import cycle, modeling, org, workflow
from engine.core.errors import N_, Conflict, InvalidInput, NotFound
from engine.models import FormTemplate, OrgUnit, ProcessDraft, User
from engine.org import committees
from engine.oversight import batch_runs
from engine.workflow import expressions
from engine.workflow.bpmn.compiler import MAX_BYTES, VERTICALS

from ..db import db, flash_on_commit, transactional
from ..errors import translate, translate_fields
from ..helpers import int_arg, localtime, now, principals
from ..templating import cycle_step

bp = Blueprint("modeler", __name__)


def _definition(key: str):
    return modeling.get_editable(db.session, current_user, principals(), key)


def _xml_from_request() -> str:
    body = request.get_json(silent=True) if request.is_json else None
    xml = (body or {}).get("xml") if isinstance(body, dict) else request.form.get("xml")
    if not isinstance(xml, str) or not xml.strip():
        raise InvalidInput(N_("没有收到流程图"))
    return xml  # size, safety and structure are checked by modeling.validate


def _json_body() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _problems_response(exc: modeling.InvalidBpmnInput, status: int = 400):
    return jsonify({"ok": False, "message": _("流程文件有错误"), "problems": exc.problems}), status


def _refused_page(definition, exc: modeling.InvalidBpmnInput, filename: str):
    db.session.rollback()
    return render_template("modeler/import_failed.html", definition=definition, problems=exc.problems,
                           filename=filename), 400  # fmt: skip


@bp.get("/processes")
@login_required
def index():
    definitions = modeling.editable_definitions(db.session, current_user, principals())
    if not definitions:
        raise NotFound(N_("页面不存在"))
    drafts = {d.definition_id: d for d in db.session.scalars(select(ProcessDraft))}
    latest = modeling.latest_versions(db.session, [d.id for d in definitions])
    return render_template("modeler/index.html", definitions=definitions, drafts=drafts, latest=latest)


@bp.get("/processes/<key>")
@login_required
def edit(key: str):
    definition = _definition(key)
    copy = modeling.working_copy(db.session, definition)
    editor = db.session.get(User, copy["updated_by_id"]) if copy["updated_by_id"] else None
    source = modeling.get_version(db.session, definition, request.args["from"]) if request.args.get("from") else None
    return render_template(
        "modeler/edit.html", definition=definition, copy=copy, editor=editor,
        updated_at=localtime(copy["updated_at"]), source=source,
    )  # fmt: skip


@bp.get("/processes/<key>/working.bpmn")
@login_required
def working_xml(key: str):
    definition = _definition(key)
    if request.args.get("from"):  # start from an earlier version instead of the draft / latest
        version = modeling.get_version(db.session, definition, request.args["from"])
        return Response(modeling.version_xml(db.session, version), mimetype="application/xml")
    copy = modeling.working_copy(db.session, definition)
    return Response(copy["xml"], mimetype="application/xml")


@bp.get("/processes/<key>/options.json")
@login_required
def options(key: str):
    definition = _definition(key)
    units = db.session.execute(select(OrgUnit.code, OrgUnit.name).order_by(OrgUnit.code)).all()
    forms = db.session.execute(select(FormTemplate.key, FormTemplate.title).distinct().order_by(FormTemplate.key)).all()
    return jsonify(
        {
            "roles": {  # a committee lane names committee roles (or any member): engine/org/committees.py
                **org.ROLES,
                **{k: _("组织角色：%(name)s", name=_(v)) for k, v in committees.ROLES.items()},
                "any": _("组织：全体成员"),
            },
            "scopes": {
                **org.SCOPES,
                **{org.FUNCTION_PREFIX + k: _("职能：%(name)s", name=_(v)) for k, v in org.functions.LABELS.items()},
                **{committees.PREFIX + k: _("诊改组织：%(name)s", name=_(v)) for k, v in committees.KINDS.items()},
            },
            "units": [{"code": c, "name": n} for c, n in units],
            "kinds": workflow.task_kinds(),
            "verticals": VERTICALS,
            "forms": [{"key": modeling.DOCUMENT_FORM, "title": _("主体的诊改文档")}]
            + [{"key": k, "title": t} for k, t in forms],
            "steps": _cycle_steps() if definition.category == "cycle" else [],
        }
    )


def _cycle_steps() -> list[list[str]]:
    """The cycle steps a task or call activity of a cycle process can be (zhengai:step), for the side panel."""
    return [[str(n), cycle_step(n)] for n in range(1, len(cycle.STEPS) + 1) if n not in cycle.NO_TASKS]


@bp.post("/processes/<key>/check-expression")
@login_required
@transactional
def check_expression(key: str):
    _definition(key)
    text = _json_body().get("expression")
    if not isinstance(text, str):
        return jsonify({"ok": False, "message": _("表达式不能为空")})
    try:
        expressions.check(text)
    except expressions.ExpressionError as exc:
        return jsonify({"ok": False, "message": str(exc)})
    return jsonify({"ok": True, "message": ""})


@bp.post("/processes/<key>/validate")
@login_required
@transactional
def validate(key: str):
    definition = _definition(key)
    problems = modeling.validate(db.session, definition, _xml_from_request())
    return jsonify({"ok": not problems, "problems": problems})


@bp.post("/processes/<key>/draft")
@login_required
@transactional
def save_draft(key: str):
    definition = _definition(key)
    lock = _json_body().get("lock")
    lock = lock if isinstance(lock, int) else None
    try:
        draft = modeling.save_draft(db.session, current_user, definition, _xml_from_request(), now(), lock=lock)
    except modeling.InvalidBpmnInput as exc:
        db.session.rollback()
        return _problems_response(exc)
    return jsonify({"ok": True, "lock": draft.lock_version, "problems": draft.problems or [],
                    "message": _("草稿已保存")})  # fmt: skip


@bp.get("/processes/<key>/deploy")
@login_required
def confirm_deploy(key: str):
    """The confirmation step of a deploy: what the saved draft changes, then the change note."""
    definition = _definition(key)
    return _deploy_page(definition)


def _deploy_page(definition, note: str = "", errors: dict | None = None, message: str = "", status: int = 200):
    preview = modeling.deploy_preview(db.session, definition)
    return render_template("modeler/deploy.html", definition=definition, preview=preview, note=note,
                           errors=errors or {}, message=message), status  # fmt: skip


@bp.post("/processes/<key>/deploy")
@login_required
@transactional
def deploy(key: str):
    """Deploy the draft shown on the confirmation page (its `lock`), with the change note typed there."""
    definition = _definition(key)
    note = request.form.get("note", "")
    lock = int_arg(request.form.get("lock"), None)
    try:
        if lock is None:
            raise InvalidInput(N_("请在确认页面确认后再部署"))
        version = modeling.deploy_draft(db.session, current_user, definition, note, lock, now())
    except modeling.InvalidBpmnInput:
        db.session.rollback()  # the page lists the problems again, each tied to its element
        return _deploy_page(definition, note, message=_("流程还有问题，未部署"), status=400)
    except (InvalidInput, Conflict) as exc:
        db.session.rollback()
        status = 409 if isinstance(exc, Conflict) else 400
        return _deploy_page(definition, note, translate_fields(exc.fields), translate(exc.message, exc.params), status)
    done = _("已部署为第 %(n)s 版；新发起的流程使用新版本，运行中的流程保持原版本", n=version.version)
    flash_on_commit(done, "success")
    return redirect(url_for("modeler.versions", key=key))


@bp.post("/processes/<key>/discard")
@login_required
@transactional
def discard(key: str):
    modeling.discard_draft(db.session, current_user, _definition(key), now())
    flash_on_commit(_("草稿已丢弃"), "success")
    return redirect(url_for("modeler.edit", key=key))


@bp.post("/processes/<key>/import")
@login_required
@transactional
def import_file(key: str):
    definition = _definition(key)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("请选择 .bpmn 文件"), "danger")
        return redirect(url_for("modeler.edit", key=key))
    data = upload.stream.read(MAX_BYTES + 1)  # one byte over is enough for the size check to refuse it
    try:
        draft = modeling.save_draft(db.session, current_user, definition, data, now(), action="process.import")
    except modeling.InvalidBpmnInput as exc:
        return _refused_page(definition, exc, upload.filename)
    if draft.problems:
        flash_on_commit(_("已导入为草稿；还有 %(n)s 个问题需要修改后才能部署", n=len(draft.problems)), "warning")
    else:
        flash_on_commit(_("已导入为草稿，检查通过，可以部署"), "success")
    return redirect(url_for("modeler.edit", key=key))


@bp.get("/processes/<key>/versions")
@login_required
def versions(key: str):
    definition = _definition(key)
    callers = workflow.callers(db.session, definition.key)
    rows = modeling.versions(db.session, definition, called=bool(callers))
    return render_template("modeler/versions.html", definition=definition, rows=rows, callers=callers,
                           localtime=localtime)  # fmt: skip


@bp.get("/processes/<key>/versions/<int:number>.bpmn")
@login_required
def export(key: str, number: int):
    definition = _definition(key)
    version = modeling.get_version(db.session, definition, number)
    return Response(
        modeling.version_xml(db.session, version), mimetype="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{definition.key}_v{version.version}.bpmn"'},
    )  # fmt: skip


@bp.get("/processes/<key>/compare")
@login_required
def compare(key: str):
    definition = _definition(key)
    rows = modeling.versions(db.session, definition)
    if len(rows) < 2:
        flash(_("只有一个版本，无可比较"), "info")
        return redirect(url_for("modeler.versions", key=key))
    a = modeling.get_version(db.session, definition, request.args.get("a", rows[1]["version"]))
    b = modeling.get_version(db.session, definition, request.args.get("b", rows[0]["version"]))
    old_xml, new_xml = modeling.version_xml(db.session, a), modeling.version_xml(db.session, b)
    changes = [dict(asdict(c), label=c.label) for c in modeling.compare(old_xml, new_xml)]
    return render_template("modeler/compare.html", definition=definition, a=a, b=b, changes=changes, rows=rows)


@bp.get("/processes/<key>/versions/<int:number>/rollback")
@login_required
def confirm_rollback(key: str, number: int):
    """The confirmation step of a rollback: what changes against the current version, and why."""
    return _rollback_page(_definition(key), number)


def _rollback_page(definition, number: int, reason: str = "", errors: dict | None = None, status: int = 200):
    preview = modeling.rollback_preview(db.session, definition, number)
    return render_template("modeler/rollback.html", definition=definition, preview=preview, reason=reason,
                           errors=errors or {}), status  # fmt: skip


@bp.post("/processes/<key>/versions/<int:number>/rollback")
@login_required
@transactional
def rollback(key: str, number: int):
    definition = _definition(key)
    reason = request.form.get("reason", "")
    try:
        version = modeling.rollback(db.session, current_user, definition, number, reason, now())
    except modeling.InvalidBpmnInput:
        db.session.rollback()  # the old diagram no longer passes today's checks: the page lists why
        return _rollback_page(definition, number, reason, status=400)
    except InvalidInput as exc:
        db.session.rollback()
        return _rollback_page(definition, number, reason, translate_fields(exc.fields), 400)
    if version is None:
        flash(_("第 %(n)s 版已是当前版本，无需回滚；未创建新版本", n=number), "info")
    else:
        flash_on_commit(_("已回滚：第 %(old)s 版的流程图已部署为第 %(new)s 版", old=number, new=version.version),
                        "success")  # fmt: skip
    return redirect(url_for("modeler.versions", key=key))


@bp.get("/processes/<key>/migrate")
@login_required
def migration(key: str):
    """The instances that could move to the newest version; after a migration (`run`), what it did."""
    definition = _definition(key)
    target = workflow.latest_version(db.session, definition.key)
    results = None
    if request.args.get("run"):
        run = batch_runs.get(db.session, current_user, request.args["run"], kind=("migrate",))
        if (run.context or {}).get("key") != definition.key:
            raise NotFound(N_("页面不存在"))
        results = [{"id": r["id"], "ok": r["ok"], "reason": r["message"]} for r in run.results]
    plan = modeling.migration_plan(db.session, definition, target)
    return render_template("modeler/migrate.html", definition=definition, target=target, plan=plan, results=results,
                           limit=modeling.PLAN_LIMIT)  # fmt: skip


@bp.post("/processes/<key>/migrate")
@login_required
@transactional
def migrate(key: str):
    """Move the chosen instances, each in its own SAVEPOINT (one commit), then redirect to the results."""
    definition = _definition(key)
    target = workflow.latest_version(db.session, definition.key)
    ids = request.form.getlist("instance_id")
    if not ids:
        flash(_("请选择要迁移的流程实例"), "warning")
        return redirect(url_for("modeler.migration", key=key))
    results = modeling.migrate(db.session, current_user, definition, ids[: modeling.PLAN_LIMIT], target, now())
    moved = sum(1 for r in results if r["ok"])
    rows = [{"id": r["id"], "ok": r["ok"], "message": r["reason"]} for r in results]
    run = batch_runs.record(db.session, current_user, "migrate", rows, now(), {"key": definition.key})
    flash_on_commit(_("已迁移 %(moved)s 个实例，%(failed)s 个未迁移", moved=moved, failed=len(results) - moved),
                    "success" if moved == len(results) else "warning")  # fmt: skip
    return redirect(url_for("modeler.migration", key=key, run=run.id))
