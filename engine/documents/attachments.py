"""Evidence files per document row: uploaded on an open edit task, read wherever the document is readable."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, undefer

from ..core import audit
from ..core.errors import N_, Conflict, InvalidInput, NotFound, object_id
from ..models import Attachment, Document
from ..workflow import tasks
from . import sharing

# extension -> (content type, magic prefixes); the content must look like what its name says
ALLOWED = {
    ".pdf": ("application/pdf", (b"%PDF",)),
    ".png": ("image/png", (b"\x89PNG",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (b"PK\x03\x04",)),
    ".zip": ("application/zip", (b"PK\x03\x04",)),
    ".txt": ("text/plain", ()),
}
MAX_PER_DOCUMENT = 200


def _editable_document(session: Session, user, task_id) -> tuple[Document, object]:
    ht = tasks.actionable_task(session, user, task_id)
    if ht.kind != "edit" or not ht.document_id:
        raise Conflict(N_("该任务不能上传佐证材料"))
    return session.get(Document, ht.document_id), ht


def upload(session: Session, user, task_id, row_id: str, filename: str, content: bytes, now: datetime,
           max_bytes: int) -> Attachment:  # fmt: skip
    """Store one evidence file for a row of the task's document; bad files change nothing."""
    doc, ht = _editable_document(session, user, task_id)
    errors = {}
    if row_id not in {r["id"] for r in doc.data.get("rows", [])}:
        errors["row_id"] = [N_("请选择项目")]
    name = os.path.basename((filename or "").replace("\\", "/")).strip()[:200]
    ext = os.path.splitext(name)[1].lower()
    if not name or ext not in ALLOWED:
        errors["file"] = [N_("只接受 PDF、图片、Word、Excel、PPT、ZIP 或文本文件")]
    elif not content:
        errors["file"] = [N_("文件为空")]
    elif len(content) > max_bytes:
        errors["file"] = [N_("文件过大")]
    elif ALLOWED[ext][1] and not content.startswith(ALLOWED[ext][1]):
        errors["file"] = [N_("文件内容与扩展名不符")]
    if errors:
        raise InvalidInput(N_("请检查填写的内容"), fields=errors)
    count = session.scalar(select(func.count()).select_from(Attachment).where(Attachment.document_id == doc.id))
    if count >= MAX_PER_DOCUMENT:
        raise InvalidInput(N_("请检查填写的内容"), fields={"file": [N_("佐证材料数量已达上限")]})
    row = Attachment(
        document_id=doc.id, row_id=row_id, filename=name, content_type=ALLOWED[ext][0], size=len(content),
        sha256=hashlib.sha256(content).hexdigest(), content=content, uploaded_at=now, uploaded_by_id=user.id,
    )  # fmt: skip
    session.add(row)
    session.flush()
    audit.record(
        session, actor_id=user.id, action="attachment.upload", object_type="document", object_id=doc.id, now=now,
        instance_id=ht.instance_id, after={"attachment": row.id, "row": row_id, "file": name, "size": row.size},
    )  # fmt: skip
    return row


def delete(session: Session, user, task_id, attachment_id, now: datetime) -> None:
    doc, ht = _editable_document(session, user, task_id)
    row = session.scalar(
        select(Attachment).where(
            Attachment.id == object_id(attachment_id, N_("文件不存在")), Attachment.document_id == doc.id
        )
    )
    if row is None:
        raise NotFound(N_("文件不存在"))
    audit.record(
        session, actor_id=user.id, action="attachment.delete", object_type="document", object_id=doc.id, now=now,
        instance_id=ht.instance_id, before={"attachment": row.id, "file": row.filename},
    )  # fmt: skip
    session.delete(row)


def of_document(session: Session, document_id: int) -> list[Attachment]:
    return list(
        session.scalars(select(Attachment).where(Attachment.document_id == document_id).order_by(Attachment.id))
    )


def for_download(session: Session, user, doc_id, attachment_id) -> Attachment:
    doc, _level = sharing.access(session, user, doc_id)
    row = session.scalar(
        select(Attachment)
        .options(undefer(Attachment.content))
        .where(Attachment.id == object_id(attachment_id, N_("文件不存在")), Attachment.document_id == doc.id)
    )
    if row is None:
        raise NotFound(N_("文件不存在"))
    return row
