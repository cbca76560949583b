"""Back up and restore the whole database while the app runs: `zhengai backup` / `zhengai restore`.

SQLite: the online backup API (a consistent copy while workers and the scheduler keep writing).
PostgreSQL: `pg_dump -Fc` and `pg_restore`, found on PATH (the client tools of the server's version).
A backup file is readable by its owner only (0600): it holds every password hash and document.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """Why a backup or restore did not happen (said in Chinese to the operator); nothing was changed."""


def backup(url: str, target: Path) -> str:
    """Copy the database at `url` to the file `target` (replaced atomically); returns the kind of backup."""
    target = Path(target)
    if target.is_dir():
        raise BackupError(f"{target} 是目录，请给出备份文件名")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        if _is_sqlite(url):
            kind = "sqlite"
            source = sqlite3.connect(_sqlite_path(url, must_exist=True))
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)
            finally:
                copy.close()
                source.close()
        else:
            kind = "pg_dump"
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"], url)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return kind


def restore(url: str, source: Path, replace: bool = False) -> None:
    """Load the backup `source` into the database at `url`, which must be empty unless `replace`."""
    source = Path(source)
    try:
        head = source.open("rb").read(16)
    except OSError as exc:
        raise BackupError(f"无法读取备份文件 {source}：{exc.strerror}") from None
    sqlite = _is_sqlite(url)
    if sqlite and not head.startswith(SQLITE_MAGIC):
        raise BackupError("这不是 SQLite 数据库的备份文件（PostgreSQL 的备份只能恢复到 PostgreSQL）")
    if not sqlite and not head.startswith(PG_MAGIC):
        raise BackupError("这不是 pg_dump -Fc 的备份文件（SQLite 的备份只能恢复到 SQLite）")
    if not replace and _has_tables(url):
        raise BackupError("目标数据库不是空的；确认要覆盖请加 --replace")
    if sqlite:
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            if backup_db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError("备份文件已损坏（SQLite 完整性检查未通过）")
            target = sqlite3.connect(_sqlite_path(url, must_exist=False))
            try:
                backup_db.backup(target)
            finally:
                target.close()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"备份文件无法读取：{exc}") from None
        finally:
            backup_db.close()
    else:
        args = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        if replace:
            args += ["--clean", "--if-exists"]
        _run([*args, str(source)], url)


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_path(url: str, must_exist: bool) -> str:
    path = make_url(url).database
    if not path or path == ":memory:":
        raise BackupError("内存数据库无法备份或恢复")
    if must_exist and not Path(path).exists():
        raise BackupError(f"数据库文件不存在：{path}")
    if not must_exist and not Path(path).exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    return path


def _has_tables(url: str) -> bool:
    if _is_sqlite(url):
        path = make_url(url).database
        if not path or not Path(path).exists():
            return False
    engine = create_engine(url)
    try:
        return bool(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _run(args: list[str], url: str) -> None:
    """Run a PostgreSQL client tool against `url`; the password goes in the environment, never in argv."""
    tool = shutil.which(args[0])
    if tool is None:
        raise BackupError(f"找不到 {args[0]}：请安装与服务器版本一致的 PostgreSQL 客户端工具")
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    conninfo = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    args = [tool, *args[1:]]
    args.insert(1, f"--dbname={conninfo}")
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{Path(tool).name} 失败：{result.stderr.strip()[-2000:]}")
