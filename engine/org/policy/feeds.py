"""The rules over table 37's data feeds (what each rule admits: engine/org/policy/__init__.py)."""

from __future__ import annotations

from sqlalchemy import false, or_

from ...models import FeedRecord, Role, ScopeType
from .base import Viewer
from .diagnosis import in_lead_department


def manages_feed(v: Viewer, lead_unit_id: int | None) -> bool:
    """Monitors (administrators, 诊改办公室) and the feed's lead department edit it, issue its tokens, upload."""
    return v.is_monitor or in_lead_department(v, lead_unit_id)


def class_ids_seen(v: Viewer) -> set[int]:
    """The classes whose data the user sees: a student their own, a counselor the classes they look after."""
    ids = set(v.scopes(ScopeType.CLASS, (Role.COUNSELOR,)))
    if v.is_student and v.user.class_id is not None:
        ids.add(v.user.class_id)
    return ids


def feed_record_visible(v: Viewer, managed_feed_keys):
    """A record: its 信息源 person, the class's students and counselor (class feeds), the feed's lead department
    and monitors (`managed_feed_keys`: the keys of the feeds the viewer manages; None: all)."""
    if managed_feed_keys is None:
        return None
    classes = class_ids_seen(v)
    own = FeedRecord.user_id == v.id
    rules = [own]
    if classes:
        rules.append(FeedRecord.class_id.in_(sorted(classes)) & FeedRecord.user_id.is_(None))
    if managed_feed_keys:
        rules.append(FeedRecord.feed_key.in_(sorted(managed_feed_keys)))
    return or_(*rules) if rules else false()


__all__ = ["class_ids_seen", "feed_record_visible", "manages_feed"]
