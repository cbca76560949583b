"""The demo organisation: a small college with every subject type, loaded by `zhengai init`.

It is data: the CSV files under engine/demo/data/ in the import's own formats (engine/org/importing), loaded
through the same path as a school's rosters, in the import's order, then functions.csv gives each function to a unit. Every account gets the demo password;
`admin` is the administrator.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..models import Subject, User
from ..org import functions, importing, teaching
from ..org.passwords import hash_once

DEMO_PASSWORD = "demo1234"
DATA = Path(__file__).resolve().parent / "data"
ADMINISTRATORS = ("admin",)


PILOT_MAJORS = ("510102", "510203")  # 物联网应用技术 (电子与信息学院), 软件技术 (软件与信息技术学院)


def is_loaded(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(User)))


def load(session: Session, now: datetime) -> dict:
    """Import the demo organisation; returns users by username."""
    password = hash_once(DEMO_PASSWORD)
    for kind in importing.ORDER:
        path = DATA / f"{kind}.csv"
        importing.import_file(session, None, kind, path.name, path.read_bytes(), now, password_hash=password)
    # which unit holds each function (系统管理 › 职能): functions.csv, key and unit code
    rows = csv.DictReader(io.StringIO((DATA / "functions.csv").read_text(encoding="utf-8")))
    functions.assign_by_code(session, now, {row["职能"]: row["单位代码"] for row in rows})
    # 诊改试点 (seed §六(一)6): one major per college with its courses
    majors = select(Subject.id).where(Subject.type == "major", Subject.code.in_(PILOT_MAJORS))
    pilots = select(Subject.id).where(
        or_(Subject.id.in_(majors), (Subject.type == "course") & Subject.parent_id.in_(majors))
    )
    for subject_id in session.scalars(pilots).all():
        teaching.set_pilot(session, None, subject_id, True, now)
    users = {u.username: u for u in session.scalars(select(User))}
    for username in ADMINISTRATORS:
        users[username].is_admin = True
    session.flush()
    return users
