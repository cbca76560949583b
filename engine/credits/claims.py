"""Claims and direct records: a student (or a classmate for them) claims a 加分 item with evidence; the class's
counselor recognises it, returns it to be revised, or rejects it with a reason (workflows/credit_claim.bpmn,
task kind `credit`); a recognised claim enters the ledger in the same transaction. 减分 is recorded directly by
the counselor or 党委学生工作部; 党委学生工作部 reverses a recognition with a reason (a new, negated entry).

Decision: there is no 班长 / 学习委员 position for claims, so any student of the class may claim for a classmate
(the beneficiary is told, and answers a return); the claimant sees the claim too.
"""

from __future__ import annotations

import os
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from forms.credits import validate_claim, validate_deduct, validate_reason, validate_step

from .. import workflow
from ..core import audit, settings
from ..core.errors import N_, Conflict, InvalidInput, NotFound, object_id
from ..documents.attachments import ALLOWED
from ..models import CreditClaim, CreditEntry, CreditItem, HumanTask, Subject, User
from ..notify import note, send
from ..org import policy
from ..workflow import readmodel
from . import access, catalogue

PROCESS = "credit_claim"
STATUSES = {
    "pending": N_("待辅导员认定"),
    "returned": N_("已退回，待修改"),
    "recognised": N_("已认定"),
    "rejected": N_("不予认定"),
    "withdrawn": N_("已撤回"),
    "reversed": N_("认定已撤销"),
}
MOVES = {
    ("counselor_review", "recognise"): "recognised",
    ("counselor_review", "return"): "returned",
    ("counselor_review", "reject"): "rejected",
    ("student_revise", "resubmit"): "pending",
    ("student_revise", "withdraw"): "withdrawn",
}


def classmates(session: Session, user: User) -> list[User]:
    """Whom a student may claim for: the active students of their class (themselves first)."""
    if user.kind != "student" or user.class_id is None:
        return []
    stmt = select(User).where(User.class_id == user.class_id, User.kind == "student", User.active)
    return sorted(session.scalars(stmt), key=lambda u: (u.id != user.id, u.username))


def _evidence(filename: str, content: bytes, max_bytes: int, errors: dict) -> tuple[str, str] | None:
    """The evidence file's clean name and type (the checks of the documents' evidence files)."""
    name = os.path.basename((filename or "").replace("\\", "/")).strip()[:200]
    if not name and not content:
        return None
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED:
        errors["evidence"] = [N_("只接受 PDF、图片、Word、Excel、PPT、ZIP 或文本文件")]
    elif not content:
        errors["evidence"] = [N_("文件为空")]
    elif len(content) > max_bytes:
        errors["evidence"] = [N_("文件过大")]
    elif ALLOWED[ext][1] and not content.startswith(ALLOWED[ext][1]):
        errors["evidence"] = [N_("文件内容与扩展名不符")]
    return (name, ALLOWED[ext][0]) if "evidence" not in errors else None


def submit(session: Session, user: User, payload: dict, file: tuple[str, bytes] | None, now: datetime,
           max_bytes: int = 10 * 1024 * 1024) -> CreditClaim:  # fmt: skip
    """A new claim, its process started (the counselor's task). Bad input is InvalidInput with the fields'
    messages and writes nothing."""
    mates = {u.id: u for u in classmates(session, user)}
    if not mates:
        raise InvalidInput(N_("只有学生可以申请综合素质学分"))
    offered = {i.id: i for i in catalogue.items(session, "add", active_only=True)}
    try:
        clean = validate_claim(payload, set(offered), set(mates), settings.of(session).today(now))
    except ValueError as exc:
        errors = exc.args[0]
        clean = None
    else:
        errors = {}
    name, content = file or ("", b"")
    evidence = _evidence(name, content, max_bytes, errors)
    item = offered.get(clean["item"]) if clean else offered.get(_as_int(payload.get("item")))
    if item is not None and item.evidence_required and evidence is None and "evidence" not in errors:
        errors["evidence"] = [N_("该项目需要上传佐证材料")]
    if errors:
        raise InvalidInput(N_("请检查填写的内容"), fields=errors)
    student = mates[clean["student"]]
    subject = session.scalar(select(Subject).where(Subject.user_id == student.id, Subject.type == "student"))
    if subject is None:
        raise InvalidInput(N_("该学生没有个人诊改主体，不能申请"))
    claim = CreditClaim(
        item_id=item.id, title=item.title, points=item.points, student_id=student.id, claimant_id=user.id,
        class_id=student.class_id, description=clean["description"], occurred_on=clean["occurred_on"],
        status="pending", created_at=now, reason="",
        evidence_name=evidence[0] if evidence else None, evidence_type=evidence[1] if evidence else None,
        evidence_content=content if evidence else None,
    )  # fmt: skip
    session.add(claim)
    session.flush()
    instance = workflow.start_instance(session, process_key=PROCESS, actor=user, now=now, subject=subject,
                                       data={"claim_id": claim.id})  # fmt: skip
    claim.instance_id = instance.id
    audit.record(session, actor_id=user.id, action="credit_claim.submit", object_type="credit_claim",
                 object_id=claim.id, instance_id=instance.id, now=now,
                 after={"item": item.code, "student_id": student.id, "points": item.points})  # fmt: skip
    if student.id != user.id:
        _tell(session, student.id, f"{user.display_name} 为你申请了综合素质学分：{item.title}", claim, now)
    return claim


def _as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _tell(session: Session, user_id: int, title: str, claim: CreditClaim | None, now: datetime, body: str = "") -> None:
    link = f"/credits/claims/{claim.id}" if claim else "/credits/"
    send(session, [note(user_id, "info", title, body, link, None, now)])


def _book(session: Session, claim_or_item, student_id: int, points: float, occurred_on, user: User | None,
          now: datetime, note_text: str, claim_id=None, reverses_id=None) -> CreditEntry:  # fmt: skip
    item = claim_or_item
    entry = CreditEntry(
        student_id=student_id, item_id=item.item_id if isinstance(item, CreditClaim | CreditEntry) else item.id,
        title=item.title, category=_category(session, item), points=points, occurred_on=occurred_on,
        booked_on=settings.of(session).today(now), claim_id=claim_id, reverses_id=reverses_id,
        recorded_by_id=user.id if user else None, recorded_at=now, note=note_text,
    )  # fmt: skip
    session.add(entry)
    session.flush()
    return entry


def _category(session: Session, obj) -> str:
    """The category of an item, of an entry, or of a claim's item."""
    if isinstance(obj, CreditClaim):
        return session.get(CreditItem, obj.item_id).category
    return obj.category


# -- the `credit` task kind (registered in engine/credits/__init__.py) --------------------------------------


def take_step(session: Session, ht: HumanTask, user: User, payload: dict, now: datetime) -> dict:
    """The counselor's decision (recognise: the entry is booked now) or the student's answer to a return."""
    try:
        clean = validate_step(ht.bpmn_id, payload)
    except ValueError as exc:
        raise InvalidInput(N_("请检查填写的内容"), fields=exc.args[0]) from None
    readmodel.record_outcome(ht, decision=clean["decision"], comment=clean["comment"])
    data = {"credit_decision": clean["decision"]}
    claim = session.scalar(select(CreditClaim).where(CreditClaim.instance_id == ht.instance_id))
    if claim is None:  # a process started by hand in the modeler: nothing to keep in step
        return data
    status = MOVES[(ht.bpmn_id, clean["decision"])]
    claim.status = status
    if ht.bpmn_id == "counselor_review":
        claim.decided_at, claim.decided_by_id, claim.reason = now, user.id, clean["comment"]
        if status == "recognised":
            _book(session, claim, claim.student_id, claim.points, claim.occurred_on, user, now, clean["comment"],
                  claim_id=claim.id)  # fmt: skip
        title = {"recognised": "综合素质学分已认定：%s", "returned": "综合素质学分申请被退回修改：%s",
                 "rejected": "综合素质学分申请不予认定：%s"}[status] % claim.title  # fmt: skip
        people = {claim.student_id, claim.claimant_id}
        for uid in sorted(people):
            _tell(session, uid, title, claim, now, clean["comment"])
    elif clean["comment"]:
        claim.description = f"{claim.description}\n〔补充说明〕{clean['comment']}"
    audit.record(session, actor_id=user.id, action=f"credit_claim.{clean['decision']}", object_type="credit_claim",
                 object_id=claim.id, instance_id=ht.instance_id, now=now,
                 after={"status": status, "reason": clean["comment"]})  # fmt: skip
    return data


# -- reading -----------------------------------------------------------------------------------------------


def get_claim(session: Session, user: User, principals, claim_id, with_evidence: bool = False) -> CreditClaim:
    """A claim the user may see, or NotFound."""
    stmt = select(CreditClaim).where(CreditClaim.id == object_id(claim_id, N_("申请不存在")))
    cond = policy.credit_claim_visible(policy.viewer(user, principals), access.manages(session, user, principals),
                                       CreditClaim)  # fmt: skip
    if cond is not None:
        stmt = stmt.where(cond)
    if with_evidence:
        stmt = stmt.options(undefer(CreditClaim.evidence_content))
    claim = session.scalar(stmt)
    if claim is None:
        raise NotFound(N_("申请不存在"))
    return claim


def open_task(session: Session, claim: CreditClaim) -> HumanTask | None:
    if claim.instance_id is None:
        return None
    stmt = select(HumanTask).where(HumanTask.instance_id == claim.instance_id, HumanTask.state == "open")
    return session.scalar(stmt)


def made_by(session: Session, user: User) -> list[CreditClaim]:
    """Claims the user made for classmates."""
    stmt = select(CreditClaim).where(CreditClaim.claimant_id == user.id, CreditClaim.student_id != user.id)
    return list(session.scalars(stmt.order_by(CreditClaim.created_at.desc())))


def all_claims(session: Session, status: str | None, limit: int = 500) -> list[CreditClaim]:
    """党委学生工作部's audit list, newest first (the view checks who asks)."""
    stmt = select(CreditClaim)
    if status in STATUSES:
        stmt = stmt.where(CreditClaim.status == status)
    return list(session.scalars(stmt.order_by(CreditClaim.created_at.desc(), CreditClaim.id.desc()).limit(limit)))


# -- direct records: 减分 and reversals --------------------------------------------------------------------


def may_deduct(session: Session, user: User, principals, student: User) -> bool:
    """The student's counselor and 党委学生工作部 (monitors too)."""
    return access.manages(session, user, principals) or (
        student.class_id in policy.counselled_classes(policy.viewer(user, principals))
    )


def deduct(session: Session, user: User, principals, student_id, payload: dict, now: datetime) -> CreditEntry:
    """Record a 减分 item for a student directly (no claim); bad input changes nothing."""
    student = access.get_student(session, user, principals, student_id)
    if not may_deduct(session, user, principals, student):
        raise NotFound(N_("学生不存在"))
    offered = {i.id: i for i in catalogue.items(session, "deduct", active_only=True)}
    try:
        clean = validate_deduct(payload, set(offered), settings.of(session).today(now))
    except ValueError as exc:
        raise InvalidInput(N_("请检查填写的内容"), fields=exc.args[0]) from None
    item = offered[clean["item"]]
    entry = _book(session, item, student.id, -item.points, clean["occurred_on"], user, now, clean["reason"])
    audit.record(session, actor_id=user.id, action="credit_entry.deduct", object_type="credit_entry",
                 object_id=entry.id, now=now, after={"student_id": student.id, "item": item.code,
                                                     "points": entry.points, "reason": clean["reason"]})  # fmt: skip
    _tell(session, student.id, f"综合素质学分减分：{item.title}（-{item.points:g}）", None, now, clean["reason"])
    return entry


def reverse(session: Session, user: User, principals, entry_id, payload: dict, now: datetime) -> CreditEntry:
    """党委学生工作部 reverses an entry with a reason: a new entry with the points negated (the first one stays);
    a reversal, or an entry already reversed, cannot be reversed (Conflict)."""
    if not access.manages(session, user, principals):
        raise NotFound(N_("记录不存在"))
    entry = session.get(CreditEntry, object_id(entry_id, N_("记录不存在")))
    if entry is None:
        raise NotFound(N_("记录不存在"))
    reversed_already = session.scalar(select(CreditEntry.id).where(CreditEntry.reverses_id == entry.id))
    if entry.reverses_id is not None or reversed_already:
        raise Conflict(N_("该记录已撤销或本身是撤销记录"))
    try:
        reason = validate_reason(payload)
    except ValueError as exc:
        raise InvalidInput(N_("请检查填写的内容"), fields=exc.args[0]) from None
    back = _book(session, entry, entry.student_id, -entry.points, entry.occurred_on, user, now, reason,
                 claim_id=entry.claim_id, reverses_id=entry.id)  # fmt: skip
    if entry.claim_id is not None:
        session.get(CreditClaim, entry.claim_id).status = "reversed"
    audit.record(session, actor_id=user.id, action="credit_entry.reverse", object_type="credit_entry",
                 object_id=entry.id, now=now, after={"reversal_id": back.id, "reason": reason})  # fmt: skip
    _tell(session, entry.student_id, f"综合素质学分认定已撤销：{entry.title}", None, now, reason)
    return back
