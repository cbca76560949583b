"""Shared fixtures: a migrated, seeded database per run; a SAVEPOINT-isolated transaction per test.

The database is SQLite in a temporary directory unless ZHENGAI_TEST_DATABASE_URL names another one
(`make test-postgres` points it at a throwaway PostgreSQL). Time is a parameter: `clock` is fixed.
"""

from __future__ import annotations

import copy
import os
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

os.environ.setdefault("ZHENGAI_SECRET_KEY", "test-secret-key")

from engine import demo, install, wiring  # noqa: E402
from engine.core.db import make_engine  # noqa: E402
from engine.core.settings import Settings  # noqa: E402
from engine.models import Document, HumanTask, Subject, User  # noqa: E402

from . import routing_cache  # noqa: E402

routing_cache.install()  # every test builds an app: compile its URL rules once per run


def _cheap_password_hashing() -> None:
    """Seed the test databases with Argon2's cheapest parameters. A verification costs what the stored hash
    says (60-600 ms with the production parameters on this machine), and the suite signs in thousands of
    times. Production's hasher (engine/org/passwords.py) is unchanged; only this process's seeding uses it."""
    from argon2 import PasswordHasher, profiles

    from engine.org import passwords

    passwords._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    passwords.hash_once.cache_clear()


_cheap_password_hashing()

wiring.wire()  # what BPMN may call, registered once (engine/wiring.py), as the app factory does

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, school year 2026
SETTINGS = Settings()  # the defaults: the seed's school (Asia/Shanghai, target periods from 2016)
TZ = SETTINGS.timezone


def _reset_postgres(url: str) -> None:
    eng = create_engine(url)
    with eng.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    eng.dispose()


def fresh_database(tmp_dir, name: str) -> str:
    """URL of a new, empty database: a SQLite file, or a new database on the test PostgreSQL server."""
    base = os.environ.get("ZHENGAI_TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_dir / (name + '.db')}"
    admin_url = re.sub(r"/[^/]+$", "/postgres", base)
    db_name = f"zhengai_{name}"
    eng = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{db_name}"'))
    eng.dispose()
    return re.sub(r"/[^/]+$", "/" + db_name, base)


def seed(url: str, now: datetime = NOW) -> None:
    """Migrate and load what `zhengai init` loads: templates, the demo organisation, the workflows."""
    install.install_database(url, now, SETTINGS)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("ZHENGAI_TEST_DATABASE_URL")
    if url:
        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    seed(url)
    return url


@pytest.fixture(scope="session")
def demo_year_url(tmp_path_factory) -> str:
    """A second database with what `zhengai init` loads by default: the demo school with its year up to NOW."""
    url = fresh_database(tmp_path_factory.mktemp("demo_year"), "demo_year")
    install.install_database(url, NOW, SETTINGS, demo_year=True)
    return url


@pytest.fixture(scope="session")
def demo_year_engine(demo_year_url):
    eng = make_engine(demo_year_url, sqlite_explicit_begin=True)
    yield eng
    eng.dispose()


@pytest.fixture
def demo_year_connection(demo_year_engine):
    """A connection to the demo year's database inside a transaction that is rolled back after the test."""
    conn = demo_year_engine.connect()
    trans = conn.begin()
    yield conn
    trans.rollback()
    conn.close()


@pytest.fixture
def demo_year_session(demo_year_connection):
    with Session(bind=demo_year_connection, join_transaction_mode="create_savepoint", expire_on_commit=False,
                 info=SETTINGS.session_info()) as s:  # fmt: skip
        yield s


@pytest.fixture
def demo_year_app(demo_year_connection, clock):
    """The app on the demo year's database, at NOW (`clock`)."""
    return make_app(ZHENGAI_DB_BIND=demo_year_connection, ZHENGAI_CLOCK=clock)


@pytest.fixture(scope="session")
def db_engine(database_url):
    eng = make_engine(database_url, sqlite_explicit_begin=True)
    yield eng
    eng.dispose()


@pytest.fixture
def connection(db_engine):
    """A connection inside a transaction that is rolled back after the test."""
    conn = db_engine.connect()
    trans = conn.begin()
    yield conn
    trans.rollback()
    conn.close()


@pytest.fixture
def settings() -> Settings:
    """The settings of the test's session and app; a module overrides this fixture to run in another school
    (another time zone, another base year)."""
    return SETTINGS


@pytest.fixture
def session(connection, settings):
    """An engine-level session whose commits become savepoints of the test's transaction."""
    with Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False,
                 info=settings.session_info()) as s:  # fmt: skip
        yield s


@pytest.fixture
def clock():
    """A clock the test can move: `clock.now`, `clock.advance(timedelta)`."""

    class Clock:
        def __init__(self):
            self.now = NOW

        def __call__(self):
            return self.now

        def advance(self, delta):
            self.now = self.now + delta

    return Clock()


def make_app(**config):
    from web import create_app

    base = {
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
    }
    base.update(config)
    return create_app(base)


@pytest.fixture
def app(connection, clock, settings):
    return make_app(ZHENGAI_DB_BIND=connection, ZHENGAI_CLOCK=clock, ZHENGAI_SETTINGS=settings)


@pytest.fixture
def client(app):
    return app.test_client()


def login(client, username: str, password: str = demo.DEMO_PASSWORD):
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


@pytest.fixture
def login_as(app):
    """`login_as("t01")` returns a test client logged in as that demo user (one client per user)."""

    def _login(username: str):
        return login(app.test_client(), username)

    return _login


# -- plain factory helpers ---------------------------------------------------------------------------


def user(session, username: str) -> User:
    return session.scalar(select(User).where(User.username == username))


def own_subject(session, username: str) -> Subject:
    """The personal subject (teacher or student) of a demo user."""
    u = user(session, username)
    return session.scalar(select(Subject).where(Subject.user_id == u.id))


def filled(data: dict, text_value: str = "已填写") -> dict:
    """A copy of a document's data with every empty cell filled in (达成度: "met")."""
    data = copy.deepcopy(data)
    for row in data["rows"]:
        for key, value in row["cells"].items():
            if not value:  # 达成度 columns are a choice (forms/cycle_templates.py RATINGS)
                row["cells"][key] = "met" if key.endswith("rating") else f"{text_value}：{row['label']}"
    return data


def open_task(session, username: str, **where) -> HumanTask | None:
    from engine.workflow import tasks

    u = user(session, username)
    for row in tasks.list_tasks(session, u, tab="mine", per_page=100).rows:
        if all(getattr(row, k) == v for k, v in where.items()):
            return session.get(HumanTask, row.id)
    return None


def document_of(session, task: HumanTask) -> Document:
    return session.get(Document, task.document_id)


def form_fields(data: dict) -> dict:
    """A document as the flat fields the task page posts (`rows-3-cells-description`)."""
    out = {f"header-{k}": v for k, v in data.get("header", {}).items()}
    for i, row in enumerate(data["rows"]):
        out[f"rows-{i}-id"] = row["id"]
        out[f"rows-{i}-section"] = row["section"]
        out[f"rows-{i}-label"] = row["label"]
        if row.get("included", True):
            out[f"rows-{i}-included"] = "on"
        for key, value in row["cells"].items():
            out[f"rows-{i}-cells-{key}"] = value
    return out


def publish_document(session, username: str = "t01", doc_type: str = "target", change=None, reviewer="dzxy_reviewer"):
    """Write, submit and approve a teacher's document through the chain; `change(data)` edits it first."""
    from engine.documents import service as documents
    from engine.workflow import runtime

    author = user(session, username)
    task = documents.start_document(session, author, own_subject(session, username).id, doc_type, NOW)
    data = filled(session.get(Document, task.document_id).data)
    if change:
        change(data)
    runtime.complete_task(session, author, task.id, {"document": data}, NOW)
    review = session.scalar(
        select(HumanTask).where(HumanTask.instance_id == task.instance_id, HumanTask.state == "open")
    )
    runtime.complete_task(session, user(session, reviewer), review.id, {"decision": "approve"}, NOW)
    session.flush()
    return session.get(Document, task.document_id)


BROKEN = re.compile(r"Traceback|UndefinedError|jinja2\.|服务器内部错误")  # what a page that broke while rendering shows


def page(client, url: str, status: int = 200) -> str:
    """GET `url` as the client's user: the expected status and no trace of a broken template."""
    response = client.get(url)
    html = response.get_data(as_text=True)
    assert response.status_code == status, (url, response.status_code, html[:300])
    assert not BROKEN.search(html), url
    return html
