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
    from engine.migrate import upgrade

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
    from engine import deploy
    from engine.migrate import upgrade

    if no_demo:
        demo = "none"
    upgrade(current_app.config["DATABASE_URL"])
    session = _session()
    result = deploy.install(session, datetime.now(UTC), with_demo=demo != "none", demo_year=demo == "year")
    session.commit()
    click.echo(f"模板新增 {len(result['templates'])} 个；流程 {len(result['versions'])} 个已部署为最新版本")
    if result["demo_year"]:
        click.echo(f"已载入演示学校（{result['demo_year']['year']} 年度进行中）")
    elif result["demo"]:
        click.echo("已载入演示组织")
    if result["demo"]:
        click.echo(f"所有演示账号的密码均为 {demo_data.DEMO_PASSWORD}")


@main.command("deploy")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--note", default=None)
@with_appcontext
def deploy_cmd(files, note):
    """Deploy BPMN files as new process versions."""
    from engine import deploy
    from engine.bpmn.compiler import InvalidBpmn

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


@main.command("token")
@click.argument("username")
@with_appcontext
def token_cmd(username):
    """Print an API token for a user."""
    from sqlalchemy import select

    from engine.models import User

    from .auth import make_api_token

    user = _session().scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException("用户不存在")
    click.echo(make_api_token(user))


@main.command("serve")
@click.option("--host", default=os.environ.get("ZHENGAI_HOST", "127.0.0.1"))
@click.option("--port", default=int(os.environ.get("ZHENGAI_PORT", "5000")))
@click.option("--workers", default=int(os.environ.get("ZHENGAI_WORKERS", "2")))
def serve_cmd(host, port, workers):
    """Serve the app with gunicorn (several workers; the scheduler runs as its own process)."""
    os.execvp(
        sys.executable,
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"{host}:{port}",
         "--access-logfile", "-", "web.wsgi:app"],
    )  # fmt: skip


@main.command("scheduler")
@click.option("--interval", default=int(os.environ.get("ZHENGAI_SCHEDULER_INTERVAL", "30")), help="Seconds per tick.")
@with_appcontext
def scheduler_cmd(interval):
    """Run the scheduler process: deadline reminders, escalations, BPMN timers, e-mail."""
    import logging

    from .scheduler import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    serve(current_app, interval)
