"""The instance directory, its secret_key and the SQLite database are readable by their owner only."""

from __future__ import annotations

import os
import stat

from sqlalchemy import text

from engine.core.db import make_engine
from web.config import from_environment


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_instance_secret_key_and_database_are_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv("ZHENGAI_SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    old = os.umask(0o022)  # a usual umask: new files would be world-readable
    try:
        instance = tmp_path / "instance"
        config = from_environment(instance)
        engine = make_engine(config["DATABASE_URL"])
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
        engine.dispose()
    finally:
        os.umask(old)
    assert mode(instance) == 0o700
    assert mode(instance / "secret_key") == 0o600
    assert mode(instance / "zhengai.db") == 0o600


def test_an_existing_world_readable_instance_is_tightened(tmp_path, monkeypatch):
    monkeypatch.delenv("ZHENGAI_SECRET_KEY", raising=False)
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    (instance / "secret_key").write_text("x" * 64)
    (instance / "secret_key").chmod(0o644)
    db = instance / "zhengai.db"
    db.touch()
    db.chmod(0o644)
    from_environment(instance)
    make_engine(f"sqlite:///{db}").dispose()
    assert mode(instance) == 0o700 and mode(instance / "secret_key") == 0o600 and mode(db) == 0o600
