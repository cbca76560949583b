"""WSGI entry point for gunicorn: `gunicorn web.wsgi:app`."""

from engine.core import logs

from . import create_app

app = create_app()
# the app's own access log (web/access_log.py): JSON lines or text, no query strings
logs.configure(app.config["ZHENGAI_LOG_FORMAT"])
