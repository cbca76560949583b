"""Overdue digests: one notification per department and one summary per 诊改办公室 monitor, per school day.

An overdue escalation is not a message per task or per annual-table row (a table generated late, or a
year start gone stale, would send hundreds); the scheduler's tick collects what went overdue into:

- a department digest for each head of the department concerned (the subject's department for a task,
  each responsible department for an annual-table row), listing the items and linking to the filtered
  lists (/monitor/tasks?department=..., /annual/<year>?state=overdue&department=...);
- one summary for each 诊改办公室 monitor: counts per department, linking to each department's list.

The assignee of a task still gets their own overdue notice (engine/scheduler/tick.py); a person is never told
twice about one item, so the digest leaves out the items they were told about as the assignee.

At most one a day, exactly. Overdue effects are planned at the daily digest moment (`Settings.digest_hour`, by
default 08:00 school time), so the day's items fire in the same tick. A school day runs from one digest moment to the
next. Every digest row carries `digest_key` ("<day>:unit:<id>" or "<day>:office"), unique per user; an
item whose department (or the office) already had today's digest is not fired but moved to the next
digest moment. The keys and the fired marks are written in the tick's transaction, so a second tick, a
restart or the unique constraint never lets a second digest through.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import org
from ..core.settings import Settings
from ..models import Notification, OrgUnit

MONITOR_GROUP = org.MONITOR
MAX_LINES = 20  # lines of a digest's text (the e-mail); the notification centre lists up to MAX_ITEMS
MAX_ITEMS = 100


def next_slot(at: datetime, settings: Settings) -> datetime:
    """The first digest moment at or after `at`."""
    return settings.digest_slot(at)


def day_of(now: datetime, settings: Settings) -> date:
    """The school day `now` belongs to for digests: from one digest moment to the next."""
    local = settings.local(now)
    return local.date() - timedelta(days=1) if local.hour < settings.digest_hour else local.date()


@dataclass
class Item:
    """One overdue thing: a task or an annual-table row."""

    source: str  # task / annual
    text: str
    link: str
    year: int | None = None


@dataclass
class Digest:
    """What one tick collects; `rows()` turns it into notification rows."""

    now: datetime
    settings: Settings
    day: date = field(init=False)
    units: dict[int, list[tuple[Item, frozenset]]] = field(default_factory=lambda: defaultdict(list))
    office: list[tuple[int | None, Item, frozenset]] = field(default_factory=list)
    _taken: set[str] = field(default_factory=set)
    _checked: set[str] = field(default_factory=set)

    def __post_init__(self):
        self.day = day_of(self.now, self.settings)

    def key(self, scope: str) -> str:
        return f"{self.day.isoformat()}:{scope}"

    def taken(self, session: Session, unit_ids) -> bool:
        """Whether today's digest of one of these departments, or of the office, has gone out already."""
        keys = {self.key(f"unit:{u}") for u in unit_ids} | {self.key("office")}
        unknown = keys - self._checked
        if unknown:
            self._taken |= set(
                session.scalars(select(Notification.digest_key).where(Notification.digest_key.in_(unknown)))
            )
            self._checked |= unknown
        return bool(keys & self._taken)

    def add(self, unit_ids, item: Item, told: set[int]) -> None:
        """An item for the digests of its departments and for the office; `told`: its assignees."""
        told = frozenset(told)
        for u in dict.fromkeys(unit_ids):
            self.units[u].append((item, told))
        for u in list(dict.fromkeys(unit_ids)) or [None]:
            self.office.append((u, item, told))

    def rows(self, session: Session, note) -> list[dict]:
        """The digest notifications: `note(user_id, kind, title, body, link, effect_id, now)` builds a row."""
        if not self.office:
            return []
        heads = {u: org.group_principal("head", "unit", u) for u in self.units}
        users = org.users_behind(session, set(heads.values()) | {MONITOR_GROUP})
        unit_ids = {u for u, _, _ in self.office if u is not None}
        names = dict(session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(unit_ids))).all())
        out = []
        for unit_id, items in self.units.items():
            name = names.get(unit_id, "")
            for uid in sorted(users.get(heads[unit_id], set())):
                mine = [item for item, told in items if uid not in told]
                if mine:
                    out.append(self._unit_row(uid, unit_id, name, mine, note))
        for uid in sorted(users.get(MONITOR_GROUP, set())):
            mine = [(u, item) for u, item, told in self.office if uid not in told]
            if mine:
                out.append(self._office_row(uid, names, mine, note))
        return out

    def _unit_row(self, uid: int, unit_id: int, name: str, items: list[Item], note) -> dict:
        tasks = [i for i in items if i.source == "task"]
        rows = [i for i in items if i.source == "annual"]
        lists = []
        if tasks:
            lists.append({"label": "逾期任务清单", "href": "/monitor/tasks?" + urlencode({"department": name})})
        for year in sorted({i.year for i in rows}):
            query = urlencode({"state": "overdue", "department": name})
            lists.append({"label": f"{year}年度任务逾期清单", "href": f"/annual/{year}?{query}"})
        title = f"【逾期汇总】{name}：{len(items)}项逾期"
        row = note(uid, "digest", title, _lines(items), lists[0]["href"], None, self.now)
        row["digest_key"] = self.key(f"unit:{unit_id}")
        row["details"] = {"lists": lists, "items": [{"text": i.text, "href": i.link} for i in items[:MAX_ITEMS]],
                          "count": len(items)}  # fmt: skip
        return row

    def _office_row(self, uid: int, names: dict, items: list[tuple], note) -> dict:
        per_unit: dict[int | None, list[Item]] = defaultdict(list)
        for u, item in items:
            per_unit[u].append(item)
        count = len({id(item) for _, item in items})
        years = sorted({i.year for _, i in items if i.source == "annual"})
        lines = []
        for u, its in sorted(per_unit.items(), key=lambda kv: (-len(kv[1]), names.get(kv[0], ""))):
            name = names.get(u, "未匹配部门")
            n_tasks = sum(1 for i in its if i.source == "task")
            parts = ([f"任务{n_tasks}项"] if n_tasks else []) + (
                [f"年度任务{len(its) - n_tasks}项"] if len(its) > n_tasks else []
            )
            year = min((i.year for i in its if i.source == "annual"), default=None)
            if n_tasks:
                href = "/monitor/tasks?" + urlencode({"department": name}) if u is not None else "/monitor"
            elif u is None:
                href = f"/annual/{year}?state=overdue"
            else:
                href = f"/annual/{year}?" + urlencode({"state": "overdue", "department": name})
            lines.append({"text": f"{name}：{'，'.join(parts)}", "href": href})
        lists = [{"label": "逾期总览", "href": "/monitor"}] + [
            {"label": f"{y}年度任务逾期清单", "href": f"/annual/{y}?state=overdue"} for y in years
        ]
        departments = sum(1 for u in per_unit if u is not None)
        title = f"【逾期汇总】全校：{count}项逾期" + (f"，涉及{departments}个部门" if departments else "")
        body = "\n".join(line["text"] for line in lines[:MAX_LINES])
        row = note(uid, "digest", title, body, lists[0]["href"], None, self.now)
        row["digest_key"] = self.key("office")
        row["details"] = {"lists": lists, "items": lines[:MAX_ITEMS], "count": count}
        return row


def _lines(items: list[Item]) -> str:
    text = "\n".join(f"· {i.text}" for i in items[:MAX_LINES])
    if len(items) > MAX_LINES:
        text += f"\n……等共{len(items)}项"
    return text
