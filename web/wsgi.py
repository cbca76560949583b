"""WSGI entry point for gunicorn: `gunicorn web.wsgi:app`."""

import gc
import logging
import os

from sqlalchemy.exc import SQLAlchemyError

from engine.core import logs
from engine.workflow import binding

from . import create_app
from .db import db

app = create_app()
# the app's own access log (web/access_log.py): JSON lines or text, no query strings
logs.configure(app.config["ZHENGAI_LOG_FORMAT"])


def _settle(threshold: int) -> None:
    """Warm the spec cache, then move what the worker keeps for its lifetime (modules, mappers, statement
    caches, the parsed specs: ~170,000 objects) out of the cyclic collector's view and let young
    collections run less often. Every completion builds and drops a workflow's object graph, so the
    collector runs several times a request, and each full collection walked every long-lived object
    (README, Performance: ~0.5 ms a completion and the slowdown after many return loops)."""
    with app.app_context():
        try:
            binding.warm(db.session)
        except SQLAlchemyError as exc:  # a database not migrated yet: the specs load on first use instead
            logging.getLogger(__name__).warning("spec cache not warmed: %s", exc)
    gc.collect()
    gc.freeze()
    gc.set_threshold(threshold, 20, 20)


_threshold = int(os.environ.get("ZHENGAI_GC_THRESHOLD", "10000"))
if _threshold > 0:
    _settle(_threshold)
# one line per worker once it can answer (gunicorn imports this module in each worker): its pid, which every
# access-log line of the worker carries too
logging.getLogger("zhengai.web").info("worker ready", extra={"event": "worker.ready", "pid": os.getpid()})
