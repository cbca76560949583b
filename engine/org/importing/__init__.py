"""Importing the organisation from the school's own exports: preview, then confirm.

`preview` reads the upload (engine/org/importing/reading.py), checks every row against the organisation
(kinds.py) and keeps the result as a pending `ImportRun`; nothing else changes. `apply` writes a pending
run as an idempotent upsert and, for a full roster, deactivates the people missing from it (the preview
listed them). `import_file` does both at once for the command line and the demo.
"""

from __future__ import annotations

import io
from datetime import datetime

from sqlalchemy import select

from ...core import audit
from ...core.errors import N_, Conflict, InvalidInput, NotFound
from ...models import ImportRun, User
from .. import people
from .kinds import KINDS, ORDER, Directory, Kind, check, error_text
from .reading import MAX_BYTES, BadFile, read_table
from .writing import write

__all__ = [
    "KINDS", "MAX_BYTES", "ORDER", "BadFile", "Kind", "apply", "discard", "error_text", "import_file", "preview",
    "template",
]  # fmt: skip

STAFF_KINDS = ("staff", "teacher", "counselor")
SHOWN_ERRORS = 200


def template(kind: str) -> bytes:
    """The kind's Excel template: the header row, and a sheet explaining each column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from forms.cells import text_only

    spec = _kind(kind)
    wb = Workbook()
    ws = wb.active
    ws.title = spec.label[:31]
    ws.append([("*" if c in spec.required else "") + c for c in spec.columns])
    for i, cell in enumerate(ws[1]):
        cell.font = Font(bold=True)
        ws.column_dimensions[cell.column_letter].width = 16 if i else 14
    notes = wb.create_sheet("说明")
    notes.append(["列", "必填", "说明"])
    for c in spec.columns:
        notes.append([c, "是" if c in spec.required else "", spec.help.get(c, "")])
    notes.append([])
    notes.append(["第一张表的第一行是表头，从第二行起每行一条；带 * 的列必填；不要合并单元格。"])
    for sheet in wb.worksheets:
        text_only(sheet)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _kind(kind: str) -> Kind:
    if kind not in KINDS:
        raise NotFound(N_("未知的导入类型"))
    return KINDS[kind]


def missing_people(session, kind: str, keys: set[str], actor: User | None) -> list[dict]:
    """Active people of a full roster's kind whose 工号/学号 the file does not list (never an administrator)."""
    kinds = STAFF_KINDS if kind == "staff" else ("student",)
    rows = session.execute(
        select(User.id, User.username, User.display_name).where(
            User.kind.in_(kinds), User.active.is_(True), User.is_admin.is_(False)
        )
    )
    return [
        {"id": r.id, "number": r.username, "name": r.display_name}
        for r in rows
        if r.username not in keys and (actor is None or r.id != actor.id)
    ]


def preview(session, actor: User | None, kind: str, filename: str, data: bytes, now: datetime,
            full: bool = False) -> ImportRun:  # fmt: skip
    """Check an upload and keep it as a pending run; raises BadFile for a file that is not the kind's table."""
    spec = _kind(kind)
    if full and not spec.full_roster:
        raise InvalidInput(N_("只有教职工和学生名单可以作为完整名单导入"))
    raw, notes = read_table(filename, data, spec.columns, spec.required)
    if not raw:
        raise BadFile(N_("文件只有表头，没有数据行"))
    d = Directory(session)
    checked = check(kind, raw, d)
    errors = sum(1 for r in checked if r["errors"])
    summary = _summary(checked, d, kind)
    summary.update(errors=errors, notes=notes, rows=len(checked))
    if full:
        summary["missing"] = missing_people(session, kind, {r["values"].get(spec.id_column) for r in checked}, actor)
    run = ImportRun(kind=kind, filename=(filename or "")[:200], full=full, status="pending", rows=checked,
                    summary=summary, created_by_id=actor.id if actor else None, created_at=now)  # fmt: skip
    session.add(run)
    session.flush()
    return run


def _summary(checked: list[dict], d: Directory, kind: str) -> dict:
    """How many rows are new and how many name something already stored (updated or unchanged)."""
    spec = KINDS[kind]
    known = {
        "units": d.units,
        "staff": d.users,
        "students": d.users,
        "classes": d.classes,
    }.get(kind)
    if kind in ("majors", "courses"):
        stype = kind[:-1]
        existing = sum(1 for r in checked if (stype, r["values"].get(spec.id_column)) in d.subjects)
    elif known is not None:
        existing = sum(1 for r in checked if r["values"].get(spec.id_column) in known)
    else:
        existing = 0
    return {"new": len(checked) - existing, "existing": existing}


def load_run(session, run_id: int) -> ImportRun:
    run = session.get(ImportRun, run_id)
    if run is None:
        raise NotFound(N_("导入记录不存在"))
    return run


def apply(session, actor: User | None, run_id: int, now: datetime, password_hash: str | None = None,
          progress=None) -> ImportRun:  # fmt: skip
    """Write a pending run; a run with any row in error, or no longer pending, changes nothing."""
    run = load_run(session, run_id)
    if run.status != "pending":
        raise Conflict(N_("这次导入已经处理过了"))
    if run.summary.get("errors"):
        raise InvalidInput(N_("文件中有错误的行，请修改后重新上传"))
    spec = KINDS[run.kind]
    d = Directory(session)
    # the organisation may have changed since the preview: check again, and refuse if it no longer fits
    rechecked = check(run.kind, [{c: r["values"].get(c, "") for c in spec.columns} for r in run.rows], d)
    if any(r["errors"] for r in rechecked):
        run.rows = rechecked
        run.summary = {**run.summary, "errors": sum(1 for r in rechecked if r["errors"])}
        raise InvalidInput(N_("组织数据在预览之后有变化，请重新上传文件"))
    outcome = write(run.kind, rechecked, d, now, password_hash, progress)
    deactivated = []
    if run.full:
        keys = {r["values"].get(spec.id_column) for r in rechecked}
        deactivated = missing_people(session, run.kind, keys, actor)
        people.deactivate(session, actor, [p["id"] for p in deactivated], now,
                          note=f"missing from the full roster of import {run.id}")  # fmt: skip
    run.status = "applied"
    run.applied_at = now
    result = {**outcome.as_dict(), "deactivated": len(deactivated)}
    run.summary = {**run.summary, "result": result}
    run.rows = []  # applied: the file's rows are in the organisation now
    after = {"kind": run.kind, "filename": run.filename, "full": run.full, **result}
    audit.record(session, now=now, actor_id=actor.id if actor else None, action="import.apply",
                 object_type="import_run", object_id=run.id, after=after)  # fmt: skip
    return run


def discard(session, actor: User, run_id: int, now: datetime) -> ImportRun:
    run = load_run(session, run_id)
    if run.status == "pending":
        run.status = "discarded"
        run.rows = []
        audit.record(session, now=now, actor_id=actor.id, action="import.discard", object_type="import_run",
                     object_id=run.id, after={"kind": run.kind, "filename": run.filename})  # fmt: skip
    return run


def import_file(session, actor: User | None, kind: str, filename: str, data: bytes, now: datetime, full=False,
                password_hash: str | None = None, progress=None) -> ImportRun:  # fmt: skip
    """Preview and apply in one go (command line, demo); raises InvalidInput listing the first bad rows."""
    run = preview(session, actor, kind, filename, data, now, full=full)
    if run.summary["errors"]:
        bad = [f"第 {r['line']} 行：{'；'.join(map(error_text, r['errors']))}" for r in run.rows if r["errors"]][:10]
        raise InvalidInput(N_("%(file)s 有 %(n)s 行错误：%(rows)s"), file=filename, n=run.summary["errors"],
                           rows=" / ".join(bad))  # fmt: skip
    return apply(session, actor, run.id, now, password_hash=password_hash, progress=progress)
