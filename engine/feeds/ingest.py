"""The one way records come in (push API, upload, form): validate the whole batch, then write it.

A batch with any bad record is refused whole (`InvalidBatch`, one error per bad record and field) and changes
nothing. Records are idempotent by (feed, record_key): the same key with the same source, day and values is
`unchanged`, with anything different `updated`. Writing uses executemany-style Core statements (one INSERT and
one UPDATE statement for the batch, keys and sources looked up in chunks), so 100,000 records take seconds
(bench/feed_ingest.py). Services take the session and the time and never commit.
"""

from __future__ import annotations

import json
import math
import uuid
from datetime import date, datetime

from sqlalchemy import String, bindparam, func, insert, select, update
from sqlalchemy.orm import Session, aliased

from ..core import audit
from ..core.errors import N_, InvalidInput
from ..models import FeedDefinition, FeedRecord, SchoolClass, Subject, User

MAX_BATCH = 100_000  # records in one batch (the push API takes fewer: web/feeds/api.py)
CHUNK = 900  # keys per IN list (SQLite allows 999 parameters)
TEXT_MAX = 500
KEY_MAX = 64
# 信息源 kind -> its own subject's type: every 教师, 辅导员 and 职员 has a personal subject of the 教师 level
PERSONAL_SUBJECT = {"teacher": "teacher", "student": "student", "counselor": "teacher", "staff": "teacher"}
USER_KIND = {"teacher": ("teacher",), "student": ("student",), "counselor": ("counselor",), "staff": ("staff",)}


class InvalidBatch(InvalidInput):
    """At least one record is bad: nothing was written. `errors`: [{row, field, message, params}] (row from 1)."""

    def __init__(self, errors: list[dict]):
        super().__init__(N_("有 %(n)s 处错误，整批未导入"), n=len(errors))
        self.errors = errors


def _error(row: int, field: str, message: str, **params) -> dict:
    return {"row": row, "field": field, "message": message, "params": params}


def _number(value):
    kind = type(value)
    if kind is int:
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is bool:
        return None
    if isinstance(value, int | float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        if not math.isfinite(number):
            return None
        return int(number) if number.is_integer() and "." not in value else number
    return None


def _values(fields: dict[str, dict], raw, row: int, errors: list[dict]) -> dict:
    if not isinstance(raw, dict):
        errors.append(_error(row, "values", N_("数据项应为对象（字段 → 数值或文字）")))
        return {}
    out, found = {}, len(errors)
    for key, value in raw.items():
        spec = fields.get(key)
        if spec is None:
            errors.append(_error(row, str(key)[:40], N_("没有这个数据项：%(key)s"), key=str(key)[:40]))
        elif value is None or value == "":
            continue
        elif spec["type"] == "number":
            number = _number(value)
            if number is None:
                errors.append(_error(row, key, N_("%(label)s 应为数字"), label=spec["label"]))
            else:
                out[key] = number
        elif not isinstance(value, str | int | float) or isinstance(value, bool):
            errors.append(_error(row, key, N_("%(label)s 应为文字"), label=spec["label"]))
        elif len(str(value)) > TEXT_MAX:
            errors.append(_error(row, key, N_("%(label)s 不能超过 %(n)s 字"), label=spec["label"], n=TEXT_MAX))
        else:
            out[key] = str(value).strip()
    if not out and len(errors) == found:
        errors.append(_error(row, "values", N_("至少填写一个数据项")))
    return out


def _day(raw, today: date, row: int, errors: list[dict]) -> date | None:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        day = raw
    else:
        try:
            day = date.fromisoformat(str(raw).strip()[:10]) if raw else None
        except ValueError:
            day = None
    if day is None:
        errors.append(_error(row, "occurred_on", N_("日期应为 YYYY-MM-DD")))
    elif day > today:
        errors.append(_error(row, "occurred_on", N_("日期不能晚于今天")))
        day = None
    return day


def _chunks(items: list):
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def _sources(session: Session, feed: FeedDefinition, names: set[str]) -> dict[str, tuple]:
    """source name -> (subject_id, user_id, class_id) for the known sources of the feed's kind. A class's
    records reach its major's 专业学生综合素质培养 subject (the subject judging the major's students)."""
    found: dict[str, tuple] = {}
    names = sorted(n for n in names if isinstance(n, str) and n)
    if feed.source_kind == "class":
        major = aliased(Subject)
        cultivation = aliased(Subject)
        for chunk in _chunks(names):
            rows = session.execute(
                select(SchoolClass.code, SchoolClass.id, cultivation.id)
                .outerjoin(major, major.id == SchoolClass.major_subject_id)
                .outerjoin(
                    cultivation, (cultivation.parent_id == major.id) & (cultivation.type == "student_cultivation")
                )  # fmt: skip
                .where(SchoolClass.code.in_(chunk))
            )
            found.update({code: (sid, None, cid) for code, cid, sid in rows})
        return found
    subject_type = PERSONAL_SUBJECT.get(feed.source_kind)
    for chunk in _chunks(names):
        rows = session.execute(
            select(User.username, User.id, User.class_id, Subject.id)
            .outerjoin(Subject, (Subject.user_id == User.id) & (Subject.type == (subject_type or "-")))
            .where(User.username.in_(chunk), User.kind.in_(USER_KIND[feed.source_kind]))
        )
        for username, uid, class_id, subject_id in rows:
            found[username] = (subject_id, uid, class_id if feed.source_kind == "student" else None)
    return found


def validate(session: Session, feed: FeedDefinition, records, today: date) -> list[dict]:
    """The batch as clean rows ({record_key, source, occurred_on, values, subject_id, user_id, class_id}), or
    InvalidBatch naming every bad record."""
    if not isinstance(records, list) or not records:
        raise InvalidBatch([_error(0, "records", N_("没有记录"))])
    if len(records) > MAX_BATCH:
        raise InvalidBatch([_error(0, "records", N_("一批最多 %(n)s 条记录"), n=MAX_BATCH)])
    errors: list[dict] = []
    clean: list[dict] = []
    seen: set[str] = set()
    fields = {f["key"]: f for f in feed.fields}
    for row, raw in enumerate(records, start=1):
        if not isinstance(raw, dict):
            errors.append(_error(row, "record", N_("记录应为对象")))
            continue
        key = raw.get("record_key")
        key = str(key).strip() if isinstance(key, str | int) and not isinstance(key, bool) else ""
        if not key or len(key) > KEY_MAX:
            errors.append(_error(row, "record_key", N_("记录号必填，最多 %(n)s 个字符"), n=KEY_MAX))
        elif key in seen:
            errors.append(_error(row, "record_key", N_("记录号 %(key)s 在本批中重复"), key=key))
        seen.add(key)
        source = raw.get("source")
        day = _day(raw.get("occurred_on"), today, row, errors)
        values = _values(fields, raw.get("values"), row, errors)
        clean.append({"row": row, "record_key": key, "source": source if isinstance(source, str) else "",
                      "occurred_on": day, "values": values})  # fmt: skip
    known = _sources(session, feed, {c["source"] for c in clean})
    for c in clean:
        ids = known.get(c["source"].strip())
        if ids is None:
            errors.append(_error(c["row"], "source", N_("信息源 %(source)s 不存在或不是本信息的信息源类型"),
                                 source=c["source"][:40]))  # fmt: skip
        else:
            c["subject_id"], c["user_id"], c["class_id"] = ids
    if errors:
        errors.sort(key=lambda e: e["row"])
        raise InvalidBatch(errors)
    return clean


def _insert(conn, rows: list[dict]) -> None:
    """One executemany INSERT. On SQLite the date and the JSON are bound as the text SQLite stores (what the
    column types would write), which skips a type processor per value and row: a third of the time of a large
    batch. Other databases get the column types' own binding."""
    t = FeedRecord.__table__
    if conn.dialect.name != "sqlite":
        conn.execute(insert(t), rows)
        return
    for row in rows:
        row["occurred_on"] = row["occurred_on"].isoformat()
        row["values"] = json.dumps(row["values"])
    text_binds = {name: bindparam(name, type_=String()) for name in ("occurred_on", "values")}
    conn.execute(insert(t).values(**text_binds), rows)


def ingest(session: Session, feed: FeedDefinition, records, via: str, now: datetime,
           actor_id: int | None = None) -> dict:  # fmt: skip
    """Validate and write a batch; returns {batch_id, created, updated, unchanged}."""
    clean = validate(session, feed, records, now.date())
    existing: dict[str, tuple] = {}
    conn = session.connection()  # Core rows: no ORM overhead per chunk
    columns = select(FeedRecord.record_key, FeedRecord.id, FeedRecord.subject_id, FeedRecord.user_id,
                     FeedRecord.class_id, FeedRecord.occurred_on, FeedRecord.values)  # fmt: skip
    stored = conn.scalar(select(func.count()).select_from(FeedRecord).where(FeedRecord.feed_key == feed.key))
    if stored <= 2 * len(clean):  # a young feed: all its keys in one statement beat many IN lists
        existing.update({r[0]: r[1:] for r in conn.execute(columns.where(FeedRecord.feed_key == feed.key))})
    else:
        for chunk in _chunks([c["record_key"] for c in clean]):
            rows = conn.execute(columns.where(FeedRecord.feed_key == feed.key, FeedRecord.record_key.in_(chunk)))
            existing.update({r[0]: r[1:] for r in rows})
    batch_id = uuid.uuid4().hex
    new, changed, unchanged = [], [], 0
    for c in clean:
        row = {"subject_id": c["subject_id"], "user_id": c["user_id"], "class_id": c["class_id"],
               "occurred_on": c["occurred_on"], "values": c["values"]}  # fmt: skip
        old = existing.get(c["record_key"])
        if old is None:
            new.append({**row, "feed_key": feed.key, "record_key": c["record_key"], "received_at": now,
                        "received_via": via, "batch_id": batch_id, "updated_count": 0})  # fmt: skip
        elif tuple(old[1:]) == tuple(row.values()):
            unchanged += 1
        else:
            changed.append({**row, "rid": old[0], "received_at": now, "received_via": via, "batch_id": batch_id})
    if new:
        _insert(conn, new)
    if changed:
        t = FeedRecord.__table__
        statement = update(t).where(t.c.id == bindparam("rid")).values(updated_count=t.c.updated_count + 1)
        conn.execute(statement, changed)
    result = {"batch_id": batch_id, "created": len(new), "updated": len(changed), "unchanged": unchanged}
    if new or changed:
        audit.record(session, actor_id=actor_id, action="feed.ingest", object_type="feed_definition",
                     object_id=feed.id, now=now, after={**result, "via": via})  # fmt: skip
    return result
