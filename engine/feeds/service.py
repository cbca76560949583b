"""Feeds as the pages use them: definitions (read, edit), providers' tokens, records seen by whom.

Who may do what is engine/org/policy/feeds.py; a feed or token a user may not manage is NotFound (404).
Services take the session, the user and the time and never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import N_, InvalidInput, NotFound, object_id
from ..models import FeedDefinition, FeedRecord, FeedToken, SchoolClass, User
from ..org import functions, policy
from .catalogue import SELF_ENTRY

SOURCE_LABELS = {
    "teacher": N_("教师"),
    "student": N_("学生"),
    "counselor": N_("辅导员"),
    "staff": N_("职员"),
    "class": N_("班级"),
}
DELIVERY_LABELS = {"api": N_("接口推送"), "upload": N_("文件导入"), "form": N_("人工填报")}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def lead_unit_id(session: Session, feed: FeedDefinition) -> int | None:
    return functions.holder_id(session, feed.lead_function)


def all_feeds(session: Session) -> list[FeedDefinition]:
    return list(session.scalars(select(FeedDefinition).order_by(FeedDefinition.id)))


def managed_feeds(session: Session, user: User, principals) -> list[FeedDefinition]:
    """The feeds the user manages (monitors: all; the lead department: its own)."""
    v = policy.viewer(user, principals)
    holders = {k: u.id for k, u in functions.holders(session).items()}
    return [f for f in all_feeds(session) if policy.manages_feed(v, holders.get(f.lead_function))]


def managed_feed(session: Session, user: User, principals, key) -> FeedDefinition:
    """A feed the user manages, else NotFound."""
    feed = session.scalar(select(FeedDefinition).where(FeedDefinition.key == str(key)[:48]))
    if feed is None or not policy.manages_feed(policy.viewer(user, principals), lead_unit_id(session, feed)):
        raise NotFound(N_("信息不存在"))
    return feed


def update_definition(session: Session, user: User, principals, feed: FeedDefinition, clean: dict, now: datetime):
    """Save parsed fields and provider (forms/feeds.py); the caller refused the form if it had errors."""
    if not policy.manages_feed(policy.viewer(user, principals), lead_unit_id(session, feed)):
        raise NotFound(N_("信息不存在"))
    before = {"provider": feed.provider, "fields": feed.fields}
    feed.provider, feed.fields = clean["provider"], clean["fields"]
    feed.updated_at, feed.updated_by_id = now, user.id
    audit.record(session, actor_id=user.id, action="feed.update", object_type="feed_definition", object_id=feed.id,
                 now=now, before=before, after=clean)  # fmt: skip


# -- tokens ------------------------------------------------------------------------------------------------


def issue_token(session: Session, user: User, feed: FeedDefinition, label: str, now: datetime) -> str:
    """A new push token for one feed (the caller checked the user manages it). Returns it: shown once."""
    label = (label or "").strip()
    if len(label) > 100:
        raise InvalidInput(N_("用途说明不能超过 100 字"), fields={"label": [N_("用途说明不能超过 100 字")]})
    token = "feed_" + secrets.token_urlsafe(32)
    row = FeedToken(feed_id=feed.id, token_hash=_digest(token), hint=token[5:11], label=label, created_at=now,
                    created_by_id=user.id)  # fmt: skip
    session.add(row)
    session.flush()
    audit.record(session, actor_id=user.id, action="feed.token_issue", object_type="feed_token", object_id=row.id,
                 now=now, after={"feed": feed.key})  # fmt: skip
    return token


def tokens_of(session: Session, feed: FeedDefinition) -> list[FeedToken]:
    return list(session.scalars(select(FeedToken).where(FeedToken.feed_id == feed.id).order_by(FeedToken.id.desc())))


def revoke_token(session: Session, user: User, feed: FeedDefinition, token_id, now: datetime) -> FeedToken:
    tid = object_id(token_id, N_("令牌不存在"))
    row = session.scalar(select(FeedToken).where(FeedToken.id == tid, FeedToken.feed_id == feed.id))
    if row is None:
        raise NotFound(N_("令牌不存在"))
    if row.revoked_at is None:
        row.revoked_at = now
        audit.record(session, actor_id=user.id, action="feed.token_revoke", object_type="feed_token",
                     object_id=row.id, now=now)  # fmt: skip
    return row


def feed_of_token(session: Session, token: str) -> FeedDefinition | None:
    """The feed a live push token is for, else None."""
    if not token or len(token) > 200:
        return None
    return session.scalar(
        select(FeedDefinition)
        .join(FeedToken, FeedToken.feed_id == FeedDefinition.id)
        .where(FeedToken.token_hash == _digest(token), FeedToken.revoked_at.is_(None))
    )


# -- entry by hand -----------------------------------------------------------------------------------------


def entry_sources(session: Session, user: User, principals, feed: FeedDefinition) -> list[tuple[str, str]] | None:
    """(source name, label) a user may enter this feed's records for by hand; None: may not (404). The lead
    department types any source; the 学习委员's class feeds are entered by the class's students, a teacher's own
    作业布置与批改 by the teacher (catalogue SELF_ENTRY)."""
    if "form" not in (feed.delivery or []):
        return None
    v = policy.viewer(user, principals)
    if policy.manages_feed(v, lead_unit_id(session, feed)):
        return []
    if feed.key not in SELF_ENTRY:
        return None
    if feed.source_kind == "class" and v.is_student and user.class_id is not None:
        cls = session.get(SchoolClass, user.class_id)
        return [(cls.code, cls.name)] if cls is not None and cls.code else None
    if feed.source_kind == user.kind and feed.source_kind in ("teacher", "counselor"):
        return [(user.username, user.display_name)]
    return None


# -- reading records ---------------------------------------------------------------------------------------


def records_seen(session: Session, user: User, principals, feed_key: str | None = None, limit: int = 200,
                 own_only: bool = False):  # fmt: skip
    """Records the user may see, newest first: (FeedRecord, feed, source label); `own_only`: those the user (or
    their class) is the 信息源 of."""
    v = policy.viewer(user, principals)
    if own_only:
        managed = set()
    else:
        managed = None if v.is_monitor else {f.key for f in managed_feeds(session, user, v)}
    rule = policy.feed_record_visible(v, managed)
    q = (
        select(FeedRecord, FeedDefinition, User.display_name, SchoolClass.name)
        .join(FeedDefinition, FeedDefinition.key == FeedRecord.feed_key)
        .outerjoin(User, User.id == FeedRecord.user_id)
        .outerjoin(SchoolClass, SchoolClass.id == FeedRecord.class_id)
        .order_by(FeedRecord.occurred_on.desc(), FeedRecord.id.desc())
        .limit(limit)
    )
    if rule is not None:
        q = q.where(rule)
    if feed_key is not None:
        q = q.where(FeedRecord.feed_key == feed_key)
    return [(r, feed, person if r.user_id else cls) for r, feed, person, cls in session.execute(q)]


def own_series(session: Session, user: User, principals) -> list[dict]:
    """The 过程数据 of what the user is the source of (themselves, their classes) as chart series: per feed and
    number field, [(day, value)] in day order, with the field's threshold."""
    v = policy.viewer(user, principals)
    rule = policy.feed_record_visible(v, set())
    rows = session.execute(
        select(FeedRecord.feed_key, FeedRecord.occurred_on, FeedRecord.values, FeedRecord.class_id, FeedRecord.user_id)
        .where(rule)
        .order_by(FeedRecord.occurred_on.desc(), FeedRecord.id.desc())
        .limit(5000)
    ).all()[::-1]  # the newest 5,000, drawn oldest first
    feeds = {f.key: f for f in all_feeds(session)}
    classes = dict(session.execute(select(SchoolClass.id, SchoolClass.name)).all()) if rows else {}
    out: dict[tuple, dict] = {}
    for key, day, values, class_id, user_id in rows:
        feed = feeds.get(key)
        if feed is None:
            continue
        owner = classes.get(class_id, "") if user_id is None else ""
        for f in feed.fields:
            value = (values or {}).get(f["key"])
            if f["type"] != "number" or not isinstance(value, int | float):
                continue
            series = out.setdefault((key, f["key"], owner), {
                "feed": feed.name, "field": f["label"], "unit": f.get("unit") or "", "owner": owner,
                "min": f.get("min"), "max": f.get("max"), "points": []})  # fmt: skip
            series["points"].append((day.isoformat(), value))
    return list(out.values())


def values_of(session: Session, feed_key: str, since: date, until: date) -> list[tuple]:
    """(subject_id, occurred_on, values) of a feed's records with since <= occurred_on <= until, in day order
    (the table-39 rules read this; subject_id is None for class and counselor sources)."""
    rows = session.execute(
        select(FeedRecord.subject_id, FeedRecord.occurred_on, FeedRecord.values)
        .where(FeedRecord.feed_key == feed_key, FeedRecord.occurred_on >= since, FeedRecord.occurred_on <= until)
        .order_by(FeedRecord.occurred_on, FeedRecord.id)
    )
    return [tuple(r) for r in rows]
