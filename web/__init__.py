"""The Flask application: inboxes, task forms, documents, the JSON API.

Blueprints live in packages that mirror the engine's (web/<concern>/<blueprint>.py); their templates stay
under templates/<blueprint>/.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, request
from flask_login import current_user

from . import errors
from .db import db
from .extensions import babel, csrf, init_limiter, login_manager, select_locale

SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    (
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'",
    ),
)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(Path.cwd() / "instance"), instance_relative_config=False)
    from .json_request import Request

    app.request_class = Request  # a JSON body nested too deeply is a 400
    from .config import from_environment

    app.config.update(from_environment(Path(app.instance_path)))
    if config:
        app.config.update(config)

    from engine import wiring

    wiring.wire()
    hops = app.config["ZHENGAI_SETTINGS"].proxy_hops
    if hops:  # behind `hops` reverse proxies: the client's address and scheme come from X-Forwarded-For / -Proto
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    db.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    csrf.init_app(app)
    init_limiter(app, app.extensions["zhengai_db"]["bind"])
    babel.init_app(app, locale_selector=select_locale)
    errors.init_app(app)
    from . import access_log

    access_log.init_app(app)  # first before_request, last after_request: the whole request is timed

    from .assessment import bp as assessment_bp
    from .credits import bp as credits_bp
    from .cycle import annual, cycle, record, sampling
    from .diagnosis import checklists, reviews
    from .documents import documents, form_templates
    from .feeds import api as feeds_api
    from .feeds import pages as feed_pages
    from .modeling import modeler
    from .notify import notifications
    from .org import auth
    from .org import functions as org_functions
    from .orgadmin import bp as orgadmin_bp
    from .oversight import instances, monitor, monitor_actions
    from .quality import bp as quality_bp
    from .quality import leaders as quality_leaders
    from .registries import registries, work_standards
    from .reports import bp as reports_bp
    from .reports import public as public_reports
    from .servicedesk import bp as servicedesk_bp
    from .standards import basic as basic_standards
    from .standards import committees
    from .supervision import bp as supervision_bp
    from .warnings import warnings
    from .workflow import api, api_docs, inbox, tasks

    app.register_blueprint(auth.bp)
    app.register_blueprint(inbox.bp)
    app.register_blueprint(tasks.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(api_docs.bp)
    app.register_blueprint(form_templates.bp)
    app.register_blueprint(notifications.bp)
    app.register_blueprint(cycle.bp)
    app.register_blueprint(annual.bp)
    app.register_blueprint(sampling.bp)
    app.register_blueprint(record.bp)
    app.register_blueprint(monitor.bp)
    app.register_blueprint(monitor_actions.bp)
    app.register_blueprint(instances.bp)
    app.register_blueprint(warnings.bp)
    app.register_blueprint(modeler.bp)
    app.register_blueprint(org_functions.bp)
    app.register_blueprint(orgadmin_bp)
    app.register_blueprint(registries.bp)
    app.register_blueprint(work_standards.bp)
    app.register_blueprint(basic_standards.bp)
    app.register_blueprint(committees.bp)
    app.register_blueprint(checklists.bp)
    app.register_blueprint(reviews.bp)
    app.register_blueprint(supervision_bp)
    app.register_blueprint(servicedesk_bp)
    app.register_blueprint(credits_bp)
    app.register_blueprint(feed_pages.bp)
    app.register_blueprint(feeds_api.bp)
    app.register_blueprint(quality_leaders.bp)
    app.register_blueprint(quality_bp)
    app.register_blueprint(assessment_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(public_reports.bp)

    from .templating import init_app as init_templating

    init_templating(app)

    @app.before_request
    def _no_nul():
        request.refuse_nul()  # web/json_request.py: a clear 400, not PostgreSQL's error

    @app.before_request
    def _csrf_unless_token():
        if not app.config.get("WTF_CSRF_ENABLED", True):
            return
        # a bearer token stands in for the CSRF token on the API only (web/org/auth.py `is_api_request`)
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and not auth.is_api_request(request):
            csrf.protect()

    @app.after_request
    def _security_headers(response):
        # each header unless the view set it; one pass over the response's headers (every request runs this)
        present = {name.lower() for name, _value in response.headers}
        for name, value in SECURITY_HEADERS:
            if name.lower() not in present:
                response.headers.add(name, value)
        if "cache-control" not in present and current_user and getattr(current_user, "is_authenticated", False):
            response.headers.add("Cache-Control", "no-store")
        return response

    from . import assets

    assets.init_app(app)  # versioned static URLs, cache lifetimes, compression

    @app.get("/healthz")
    def healthz():
        from sqlalchemy import text

        db.session.execute(text("SELECT 1"))
        return {"status": "ok"}

    return app
