"""The dashboard's aggregates run on several connections at once when bound to an engine: same figures."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from engine.core.db import make_engine
from engine.documents import service as documents
from engine.models import Document
from engine.oversight import monitoring
from engine.workflow import runtime
from tests.conftest import NOW, SETTINGS, filled, fresh_database, own_subject, seed, user


def test_parallel_and_sequential_dashboards_agree(tmp_path):
    url = fresh_database(tmp_path, "dashboard_parallel")
    seed(url)
    eng = make_engine(url)
    with Session(eng, info=SETTINGS.session_info()) as s:
        for name in ("t01", "t02", "t06"):
            author = user(s, name)
            task = documents.start_document(s, author, own_subject(s, name).id, "target", NOW)
            runtime.complete_task(s, author, task.id, {"document": filled(s.get(Document, task.document_id).data)}, NOW)
        s.commit()
    later = NOW + timedelta(days=10)  # the college reviews (due in 7 days) are 3 days late
    with Session(eng, info=SETTINGS.session_info()) as s:  # bound to the engine: the queries run concurrently
        parallel = monitoring.overdue_dashboard(s, later)
    with (
        eng.connect() as conn,
        Session(bind=conn, info=SETTINGS.session_info()) as s,
    ):  # bound to one connection: one after the other
        sequential = monitoring.overdue_dashboard(s, later)
    eng.dispose()
    assert parallel == sequential
    assert parallel["open"] == 3 and parallel["overdue"] == 3
    assert dict((d, n) for d, n, _ in parallel["by_department"]) == {"电子与物联网学院": 2, "软件与信息技术学院": 1}
    assert parallel["buckets"]["late_1_7"] == 3
