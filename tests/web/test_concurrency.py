"""Two reviewers complete the same task at the same moment, with real commits on a real database."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.core.db import make_engine
from engine.models import AuditEntry, HumanTask
from tests.conftest import NOW, SETTINGS, filled, fresh_database, login, make_app, own_subject, seed

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def committed_url(tmp_path_factory):
    url = fresh_database(tmp_path_factory.mktemp("race"), "race")
    seed(url)
    return url


def test_two_reviewers_same_task_one_wins(committed_url, monkeypatch):
    import engine.workflow.runtime as runtime

    app = make_app(DATABASE_URL=committed_url, ZHENGAI_CLOCK=lambda: NOW)
    teacher = login(app.test_client(), "t01")
    eng = make_engine(committed_url)
    with Session(eng, info=SETTINGS.session_info()) as s:
        subject_id = own_subject(s, "t01").id
    response = teacher.post("/my-documents/start", data={"subject_id": subject_id, "doc_type": "target"})
    task_id = int(response.headers["Location"].rsplit("/", 1)[1])
    data = teacher.get(f"/api/v1/tasks/{task_id}").get_json()["document"]["data"]
    assert teacher.post(f"/api/v1/tasks/{task_id}/complete", json={"document": filled(data)}).status_code == 200

    with Session(eng, info=SETTINGS.session_info()) as s:
        review_id = s.scalar(select(HumanTask.id).where(HumanTask.kind == "review", HumanTask.state == "open"))
        audits_before = s.scalar(select(func.count()).select_from(AuditEntry))

    # both requests have loaded the open task and its workflow before either writes
    barrier = threading.Barrier(2, timeout=20)
    real_load = runtime.load_workflow

    def load_then_wait(session, instance):
        result = real_load(session, instance)
        barrier.wait()
        return result

    monkeypatch.setattr(runtime, "load_workflow", load_then_wait)
    # both reviewers of 电子与物联网学院 are candidates of the same group task
    clients = [login(app.test_client(), name) for name in ("dzxy_reviewer", "dzxy_reviewer2")]
    results = [None, None]

    def complete(i):
        results[i] = clients[i].post(
            f"/api/v1/tasks/{review_id}/complete", json={"decision": "approve", "comment": f"第{i}位"}
        )

    threads = [threading.Thread(target=complete, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 409], [r.get_json() for r in results]
    loser = next(r for r in results if r.status_code == 409).get_json()["error"]
    assert loser["code"] == "conflict" and "他人" in loser["message"]

    with Session(eng, info=SETTINGS.session_info()) as s:
        completions = s.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "task.complete", AuditEntry.object_id == str(review_id))
        )
        assert completions == 1
        task = s.get(HumanTask, review_id)
        assert task.state == "completed"
        winner = next(r for r in results if r.status_code == 200).get_json()
        assert task.comment == winner["comment"]
        assert s.scalar(select(func.count()).select_from(AuditEntry)) > audits_before
    eng.dispose()
