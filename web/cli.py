"""The `zhengai` command: set up the database, deploy, serve, issue tokens."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from . import create_app


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=True)
def main():
    """诊改平台 (Zhengai) command line."""


def _session():
    from .db import db

    return db.session


@main.command("migrate")
@with_appcontext
def migrate_cmd():
    """Apply database migrations."""
    from engine.core.migrate import upgrade

    upgrade(current_app.config["DATABASE_URL"])
    click.echo("数据库已迁移到最新版本")


@main.command("init")
@click.option(
    "--demo", type=click.Choice(["year", "org", "none"]), default="year", is_flag=False, flag_value="year",
    help="Into an empty database: the demo school with a year in flight (year, the default), only its "
    "organisation (org), or nothing (none).",
)  # fmt: skip
@click.option("--no-demo", is_flag=True, help="Load no demo data (the same as --demo=none).")
@with_appcontext
def init_cmd(demo: str, no_demo: bool):
    """Migrate, deploy the built-in workflows and templates, load demo data: one transaction after migrating."""
    from engine import demo as demo_data
    from engine.core.migrate import upgrade
    from engine.install import install

    if no_demo:
        demo = "none"
    upgrade(current_app.config["DATABASE_URL"])
    session = _session()
    result = install(session, datetime.now(UTC), with_demo=demo != "none", demo_year=demo == "year")
    session.commit()
    click.echo(f"模板新增 {len(result['templates'])} 个；流程 {len(result['versions'])} 个已部署为最新版本")
    if result["demo_year"]:
        click.echo(f"已载入演示学校（{result['demo_year']['year']} 年度进行中）")
    elif result["demo"]:
        click.echo("已载入演示组织")
    if result["demo"]:
        click.echo(f"所有演示账号的密码均为 {demo_data.DEMO_PASSWORD}")
    _setup_hints(session)


def _setup_hints(session) -> None:
    """What a new school does next: the first administrator, then the functions (系统管理 › 职能)."""
    from sqlalchemy import func, select

    from engine.models import User
    from engine.org import functions

    if not session.scalar(select(func.count()).select_from(User).where(User.is_admin, User.active)):
        click.echo("下一步：创建第一个管理员：zhengai create-admin <用户名>")
    if missing := functions.missing(session):
        labels = "、".join(functions.LABELS[k] for k in missing)
        click.echo(f"尚未分配给部门的职能（{len(missing)} 项）：{labels}")
        click.echo(
            "管理员登录后在 系统管理 › 职能（/admin/functions）分配；分配前这些职能的任务交给诊改办公室（监控人员）"
        )


@main.command("create-admin")
@click.argument("username")
@click.option("--name", "display_name", default=None, help="Display name (default: the user name).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@with_appcontext
def create_admin_cmd(username: str, display_name: str | None, password_stdin: bool):
    """Create an administrator (the first one of a new database): the password is prompted, or read from stdin."""
    from engine.core.errors import InvalidInput
    from engine.org.admins import create_admin

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")
    session = _session()
    try:
        user = create_admin(session, datetime.now(UTC), username, password, display_name)
    except InvalidInput as exc:
        session.rollback()
        flat = [m for v in exc.fields.values() for m in ([v] if isinstance(v, str) else v)]
        problems = "；".join(flat) or exc.message
        raise click.ClickException(f"{exc.message}：{problems}") from None
    session.commit()
    click.echo(f"已创建管理员 {user.username}，请登录后在 系统管理 › 职能（/admin/functions）分配各项职能")


@main.command("deploy")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--note", default=None)
@with_appcontext
def deploy_cmd(files, note):
    """Deploy BPMN files as new process versions."""
    from engine.workflow import deploy
    from engine.workflow.bpmn.compiler import InvalidBpmn

    session = _session()
    try:
        for path in files:
            v = deploy.deploy(session, path.read_bytes(), actor_id=None, now=datetime.now(UTC), note=note)
            click.echo(f"{path.name}: 版本 {v.version}")
    except InvalidBpmn as exc:
        session.rollback()
        for p in exc.problems:
            click.echo(f"错误 [{p.element_id or '-'}]: {p.message}", err=True)
        sys.exit(1)
    session.commit()


@main.command("import")
@click.argument("kind", type=click.Choice(["units", "staff", "positions", "majors", "courses", "classes", "students"]))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--full", is_flag=True, help="A full roster: deactivate the staff or students missing from it.")
@click.option("--dry-run", is_flag=True, help="Check every row and report, change nothing.")
@with_appcontext
def import_cmd(kind, file, full, dry_run):
    """Import a roster (Excel .xlsx or CSV) as the 系统管理 › 导入 page does."""
    from engine.core.errors import InvalidInput
    from engine.org import importing

    from .clock import now as now_

    session = _session()
    try:
        run = importing.preview(session, None, kind, file.name, file.read_bytes(), now_(), full=full)
    except InvalidInput as exc:
        raise click.ClickException(str(exc)) from None
    summary = run.summary
    for row in run.rows:
        if row["errors"]:
            click.echo(f"第 {row['line']} 行：{'；'.join(map(importing.error_text, row['errors']))}", err=True)
    click.echo(f"共 {summary['rows']} 行：新增 {summary['new']}，已有 {summary['existing']}，错误 {summary['errors']}")
    for person in summary.get("missing", []):
        click.echo(f"将停用：{person['number']} {person['name']}")
    if summary["errors"]:
        session.rollback()
        sys.exit(1)
    if dry_run:
        session.rollback()
        return

    def progress(done, total):
        click.echo(f"  {done}/{total}", err=True)

    run = importing.apply(session, None, run.id, now_(), progress=progress)
    session.commit()
    result = run.summary["result"]
    click.echo(f"已导入：新增 {result['created']}，更新 {result['updated']}，未变 {result['unchanged']}，"
               f"停用 {result['deactivated']}")  # fmt: skip


@main.command("token")
@click.argument("username")
@with_appcontext
def token_cmd(username):
    """Print an API token for a user."""
    from sqlalchemy import select

    from engine.models import User

    from .org.auth import make_api_token

    session = _session()
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException("用户不存在")
    token = make_api_token(user)
    session.commit()  # the token is stored (hashed) before it is shown
    click.echo(token)


@main.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_cmd(file):
    """Back up the database to FILE while the app runs (SQLite: online backup; PostgreSQL: pg_dump -Fc)."""
    from engine.core.backup import BackupError, backup

    try:
        kind = backup(current_app.config["DATABASE_URL"], file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"已备份到 {file}（{'SQLite 在线备份' if kind == 'sqlite' else 'pg_dump 自定义格式'}）")


@main.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite a database that is not empty (stop the app first).")
@with_appcontext
def restore_cmd(file, replace):
    """Restore FILE (made by `zhengai backup`) into the configured database, which must be empty."""
    from engine.core.backup import BackupError, restore

    try:
        restore(current_app.config["DATABASE_URL"], file, replace=replace)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"已从 {file} 恢复；如备份来自旧版本，请再运行 zhengai migrate")


# sun_path of an AF_UNIX address holds 108 bytes including the terminating NUL
UNIX_PATH_MAX = 107


def control_socket_args(host: str, port: int, setting: str | None, instance_path: Path) -> list[str]:
    """gunicorn's control-socket arguments: one socket per instance, or none.

    gunicorn (since 25.1) opens a control socket for `gunicornc` at one fixed path per user
    ($XDG_RUNTIME_DIR/gunicorn.ctl or ~/.gunicorn/gunicorn.ctl): a second server on the same machine
    unlinks the first one's socket and takes the path over, and whichever stops first deletes the
    other's. So each instance gets its own, named after its address (two servers cannot listen on the
    same one), or none with `off`.
    """
    if setting is not None and setting.strip().lower() in ("", "0", "off", "none", "no", "false"):
        return ["--no-control-socket"]
    if setting:
        path = Path(setting).expanduser().resolve()
    else:
        path = instance_path.resolve() / f"gunicorn-{host.replace(':', '_')}-{port}.ctl"
    if len(os.fsencode(str(path))) > UNIX_PATH_MAX:
        click.echo(f"控制套接字路径过长，已关闭 gunicorn 控制套接字：{path}", err=True)
        return ["--no-control-socket"]
    return ["--control-socket", str(path)]


def worker_args(threads: int, keep_alive: int) -> list[str]:
    """gunicorn's worker class: threaded workers (gthread) keep connections alive between requests, where
    the default sync workers close every connection after one request (a client pays a new TCP connection,
    and gunicorn a new accept, per request). Threads share the worker's connection pool; on SQLite their
    writers queue on the busy timeout (WAL; engine/core/db.py)."""
    threads = max(1, threads)
    return ["--worker-class", "gthread", "--threads", str(threads), "--keep-alive", str(max(1, keep_alive))]


@main.command("serve")
@click.option("--host", default=lambda: os.environ.get("ZHENGAI_HOST") or "127.0.0.1", show_default="127.0.0.1")
@click.option("--port", type=int, default=lambda: int(os.environ.get("ZHENGAI_PORT") or 5000), show_default="5000")
@click.option("--workers", type=int, default=lambda: int(os.environ.get("ZHENGAI_WORKERS") or 2), show_default="2")
@click.option(
    "--threads", type=int, default=lambda: int(os.environ.get("ZHENGAI_THREADS") or 4), show_default="4",
    help="Threads per worker (gunicorn's gthread workers: keep-alive connections, a slow client holds one thread).",
)  # fmt: skip
@click.option(
    "--keep-alive", type=int, default=lambda: int(os.environ.get("ZHENGAI_KEEP_ALIVE") or 5), show_default="5",
    help="Seconds an idle keep-alive connection stays open.",
)  # fmt: skip
@click.option(
    "--control-socket",
    default=lambda: os.environ.get("ZHENGAI_CONTROL_SOCKET"),
    help="gunicorn control socket path, or 'off' (default: instance/gunicorn-<host>-<port>.ctl).",
)
def serve_cmd(host, port, workers, threads, keep_alive, control_socket):
    """Serve the app with gunicorn: several workers of several threads each, connections kept alive
    (the scheduler runs as its own process).

    The one access log is the app's (web/access_log.py: JSON or text by ZHENGAI_LOG_FORMAT, with the request
    id and user id, never a query string), so gunicorn's own access log stays off (its default); its error
    log (boots, worker exits, timeouts) goes to stderr as before."""
    # the workers read where they listen (session cookie name, link base) from the environment
    os.environ["ZHENGAI_HOST"], os.environ["ZHENGAI_PORT"] = host, str(port)
    instance_path = Path.cwd() / "instance"  # the app's instance folder (web.create_app)
    from .config import private_dir

    private_dir(instance_path)
    bind = f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"
    os.execvp(
        sys.executable,
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", bind,
         *worker_args(threads, keep_alive), *control_socket_args(host, port, control_socket, instance_path),
         "web.wsgi:app"],
    )  # fmt: skip


@main.command("scheduler")
@click.option("--interval", default=int(os.environ.get("ZHENGAI_SCHEDULER_INTERVAL", "30")), help="Seconds per tick.")
@with_appcontext
def scheduler_cmd(interval):
    """Run the scheduler process: deadline reminders, escalations, BPMN timers, e-mail."""
    from engine.core import logs
    from engine.scheduler import serve, smtp_config

    logs.configure(current_app.config["ZHENGAI_LOG_FORMAT"])
    serve(current_app.extensions["zhengai_db"]["factory"], smtp_config(current_app.config), interval)
