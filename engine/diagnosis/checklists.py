"""Review checklists (复核性诊断指标体系) as versioned data: one per subject type, owned by the type's lead
department, loaded with figure 12's checks for every school (`load_defaults`), edited as a draft and published.

Versions: a checklist has at most one draft (the next version number); publishing it makes it the version in
force (the latest published one). Earlier versions stay readable, and every assessment names the version it
used. Item keys never change meaning: a new item gets a key no earlier version of the checklist used.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forms import diagnosis as form

from ..core import audit
from ..core.errors import N_, Conflict, InvalidInput, NotFound, object_id
from ..models import ChecklistVersion, ReviewChecklist, User
from ..org import functions, policy
from ..org.policy import LEAD_FUNCTIONS

DRAFT, PUBLISHED = "draft", "published"
DEFAULT_NOTE = "依据分类诊断模式（图12）制定的默认指标体系"


def load_defaults(session: Session, now: datetime) -> int:
    """Add, published as version 1, the default checklist of every subject type the school lacks (figure 12's
    checks grouped under the mode's headline indicators, scale 符合 / 基本符合 / 不符合). Returns how many."""
    have = set(session.scalars(select(ReviewChecklist.subject_type)))
    added = 0
    for subject_type, mode in form.MODE_OF_TYPE.items():
        if subject_type in have:
            continue
        lead = str(LEAD_FUNCTIONS[subject_type])
        checklist = ReviewChecklist(subject_type=subject_type, mode=mode, lead_function=lead)
        session.add(checklist)
        session.flush()
        session.add(
            ChecklistVersion(
                checklist_id=checklist.id, version=1, status=PUBLISHED, items=form.default_items(mode),
                scale=form.default_scale(), note=DEFAULT_NOTE, updated_at=now, published_at=now,
            )
        )  # fmt: skip
        added += 1
    session.flush()
    return added


def lead_unit_id(session: Session, checklist: ReviewChecklist) -> int | None:
    return functions.holder_id(session, checklist.lead_function)


def list_checklists(session: Session, user: User, principals) -> list[tuple[ReviewChecklist, ChecklistVersion | None,
                                                                            ChecklistVersion | None]]:  # fmt: skip
    """Every checklist with its version in force and its draft, in the order of the subject types."""
    if not policy.reads_checklists(policy.viewer(user, principals)):
        raise NotFound(N_("页面不存在"))
    order = list(form.MODE_OF_TYPE)
    checklists = sorted(session.scalars(select(ReviewChecklist)), key=lambda c: order.index(c.subject_type)
                        if c.subject_type in order else len(order))  # fmt: skip
    versions = session.scalars(select(ChecklistVersion).order_by(ChecklistVersion.version)).all()
    out = []
    for c in checklists:
        own = [v for v in versions if v.checklist_id == c.id]
        published = [v for v in own if v.status == PUBLISHED]
        out.append((c, published[-1] if published else None, next((v for v in own if v.status == DRAFT), None)))
    return out


def get_checklist(session: Session, user: User, principals, checklist_id) -> ReviewChecklist:
    checklist = session.get(ReviewChecklist, object_id(checklist_id, N_("指标体系不存在")))
    if checklist is None or not policy.reads_checklists(policy.viewer(user, principals)):
        raise NotFound(N_("指标体系不存在"))
    return checklist


def versions(session: Session, checklist: ReviewChecklist) -> list[ChecklistVersion]:
    """Its versions, newest first (a draft first of all)."""
    stmt = select(ChecklistVersion).where(ChecklistVersion.checklist_id == checklist.id)
    return list(session.scalars(stmt.order_by(ChecklistVersion.version.desc())))


def get_version(session: Session, checklist: ReviewChecklist, version) -> ChecklistVersion:
    number = object_id(version, N_("版本不存在"))
    stmt = select(ChecklistVersion).where(ChecklistVersion.checklist_id == checklist.id)
    found = session.scalar(stmt.where(ChecklistVersion.version == number))
    if found is None:
        raise NotFound(N_("版本不存在"))
    return found


def in_force(session: Session, subject_type: str) -> ChecklistVersion | None:
    """The latest published version of the subject type's checklist (None: the type has none)."""
    return session.scalar(
        select(ChecklistVersion)
        .join(ReviewChecklist, ReviewChecklist.id == ChecklistVersion.checklist_id)
        .where(ReviewChecklist.subject_type == subject_type, ChecklistVersion.status == PUBLISHED)
        .order_by(ChecklistVersion.version.desc())
        .limit(1)
    )


def may_edit(session: Session, user: User, principals, checklist: ReviewChecklist) -> bool:
    return policy.may_edit_checklist(policy.viewer(user, principals), lead_unit_id(session, checklist))


def editable(session: Session, user: User, principals, checklist_id) -> ReviewChecklist:
    """A checklist the user may edit, or NotFound (readers too: the edit form does not exist for them)."""
    checklist = get_checklist(session, user, principals, checklist_id)
    if not may_edit(session, user, principals, checklist):
        raise NotFound(N_("指标体系不存在"))
    return checklist


def draft_of(session: Session, checklist: ReviewChecklist) -> ChecklistVersion | None:
    return session.scalar(
        select(ChecklistVersion).where(ChecklistVersion.checklist_id == checklist.id, ChecklistVersion.status == DRAFT)
    )


def working_copy(session: Session, checklist: ReviewChecklist) -> tuple[list[dict], list[dict]]:
    """What the draft form starts from: the draft, else the version in force, else the mode's defaults."""
    base = draft_of(session, checklist) or in_force(session, checklist.subject_type)
    if base is None:
        return form.default_items(checklist.mode), form.default_scale()
    return [dict(i) for i in base.items], [dict(s) for s in base.scale]


def save_draft(session: Session, user: User, principals, checklist_id, fields, now: datetime) -> ChecklistVersion:
    """Save the draft (made on first save as the next version); refused input changes nothing."""
    checklist = editable(session, user, principals, checklist_id)
    known = set()
    for v in versions(session, checklist):
        known.update(i["key"] for i in v.items)
    try:
        items, scale = form.clean_checklist(fields, known)
    except form.FormErrors as exc:
        raise InvalidInput(N_("请检查填写的内容"), fields=exc.fields) from None
    draft = draft_of(session, checklist)
    if draft is None:
        latest = session.scalar(
            select(func.max(ChecklistVersion.version)).where(ChecklistVersion.checklist_id == checklist.id)
        )
        draft = ChecklistVersion(checklist_id=checklist.id, version=(latest or 0) + 1, status=DRAFT)
        session.add(draft)
    before = {"items": draft.items, "scale": draft.scale}
    draft.items, draft.scale, draft.updated_at, draft.updated_by_id = items, scale, now, user.id
    session.flush()
    audit.record(
        session, actor_id=user.id, action="checklist.save", object_type="checklist", object_id=checklist.id, now=now,
        before=before, after={"version": draft.version, "items": items, "scale": scale},
    )  # fmt: skip
    return draft


def publish(session: Session, user: User, principals, checklist_id, note, now: datetime) -> ChecklistVersion:
    """Publish the draft with a change note: it becomes the version in force."""
    checklist = editable(session, user, principals, checklist_id)
    draft = draft_of(session, checklist)
    if draft is None:
        raise Conflict(N_("没有可发布的草稿"))
    note = form.clean_text(note)
    if not note:
        raise InvalidInput(N_("请检查填写的内容"), fields={"note": [N_("请填写修订说明")]})
    if too_long := form.length_error(note, form.MAX_NOTE):
        raise InvalidInput(N_("请检查填写的内容"), fields={"note": [too_long]})
    draft.status, draft.note, draft.published_at, draft.published_by_id = PUBLISHED, note, now, user.id
    audit.record(
        session, actor_id=user.id, action="checklist.publish", object_type="checklist", object_id=checklist.id,
        now=now, after={"version": draft.version, "note": note},
    )  # fmt: skip
    session.flush()
    return draft


def discard_draft(session: Session, user: User, principals, checklist_id, now: datetime) -> None:
    """Drop the draft; the version in force stays."""
    checklist = editable(session, user, principals, checklist_id)
    draft = draft_of(session, checklist)
    if draft is None:
        raise Conflict(N_("没有草稿"))
    audit.record(
        session, actor_id=user.id, action="checklist.discard", object_type="checklist", object_id=checklist.id,
        now=now, before={"version": draft.version, "items": draft.items, "scale": draft.scale},
    )  # fmt: skip
    session.delete(draft)
    session.flush()
