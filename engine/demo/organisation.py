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

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import User
from ..org import functions, importing
from ..org.passwords import hash_once

DEMO_PASSWORD = "demo1234"
DATA = Path(__file__).resolve().parent / "data"
ADMINISTRATORS = ("admin",)


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
    users = {u.username: u for u in session.scalars(select(User))}
    for username in ADMINISTRATORS:
        users[username].is_admin = True
    session.flush()
    return users
