"""One SQLAlchemy session per request, committed only at the request's single commit point.

Every POST view is `transactional`: the view calls engine services (which only flush), then the wrapper
commits once. Anything raised rolls the whole request back; a step that broke the engine (`StepFailed`)
is then recorded as an incident in a transaction of its own (`engine.workflow.record_failure`, as a batch
item or a scheduler wake records it). Success messages wait for the commit (`flash_on_commit`), so a
request lost at its commit (409) never says it succeeded.
"""

from __future__ import annotations

from functools import wraps

from flask import Flask, current_app, flash, g
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from engine import workflow
from engine.core.db import make_engine, make_session_factory
from engine.core.errors import N_, Conflict, StepFailed

from .clock import now


class Database:
    def __init__(self, app: Flask | None = None):
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        bind = app.config.get("ZHENGAI_DB_BIND")  # tests pass a connection inside a transaction
        engine = None
        if bind is None:
            engine = make_engine(app.config["DATABASE_URL"])
            bind = engine
        app.extensions["zhengai_db"] = {
            "engine": engine,
            "bind": bind,  # the engine, or the test's connection
            "factory": make_session_factory(bind, app.config["ZHENGAI_SETTINGS"]),  # services read it
            "savepoint": app.config.get("ZHENGAI_DB_BIND") is not None,
        }
        app.teardown_appcontext(self._teardown)

    @property
    def session(self):
        if "db_session" not in g:
            ext = current_app.extensions["zhengai_db"]
            kwargs = {"join_transaction_mode": "create_savepoint"} if ext["savepoint"] else {}
            g.db_session = ext["factory"](**kwargs)
        return g.db_session

    @property
    def engine(self):
        return current_app.extensions["zhengai_db"]["engine"]

    def commit(self) -> None:
        """The request's commit point; a lost optimistic-lock race becomes a 409."""
        try:
            self.session.commit()
        except (StaleDataError, IntegrityError):
            self.session.rollback()
            raise Conflict(N_("数据已被他人修改，请刷新后重试")) from None

    @staticmethod
    def _teardown(_exc):
        session = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()


db = Database()


def transactional(view):
    """Commit after the view succeeds; anything raised rolls the whole request back.

    A view that catches a refusal to show its form again rolls back before rendering, so the page shows
    what is stored and the commit finds nothing to write.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            result = view(*args, **kwargs)
            db.commit()
        except StepFailed as exc:
            g.pop("flash_on_commit", None)
            record_incident(exc)
            raise
        except Exception:
            g.pop("flash_on_commit", None)
            db.session.rollback()
            raise
        for message, category in g.pop("flash_on_commit", []):
            flash(message, category)
        return result

    return wrapper


def record_incident(exc: StepFailed) -> None:
    """After the request's rollback, record the step's incident in a transaction of its own (once)."""
    db.session.rollback()
    if getattr(exc, "recorded", False):
        return
    exc.recorded = True
    try:
        current_app.logger.error("step failed in instance %s", exc.instance_id, exc_info=exc.cause)
        workflow.record_failure(db.session, exc.instance_id, exc.cause, now())
        db.session.commit()
    except Exception:  # noqa: BLE001 - never hide the user's error behind a second one
        db.session.rollback()
        current_app.logger.exception("could not record the incident of instance %s", exc.instance_id)


def flash_on_commit(message: str, category: str = "message") -> None:
    """Flash once the request's commit succeeded: a request that is rolled back announces no success."""
    g.setdefault("flash_on_commit", []).append((message, category))
