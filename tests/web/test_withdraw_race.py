"""The author withdraws while a reviewer claims or decides, at the same moment: real threads, real commits."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.db import make_engine
from engine.models import Document, HumanTask
from tests.conftest import NOW, SETTINGS, filled, fresh_database, login, make_app, own_subject, seed

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def committed_url(tmp_path_factory):
    url = fresh_database(tmp_path_factory.mktemp("withdraw_race"), "withdraw_race")
    seed(url)
    return url


def submitted(app, eng, username):
    """The author's submission (edit task id) and the reviewers' open task (id), committed."""
    teacher = login(app.test_client(), username)
    with Session(eng, info=SETTINGS.session_info()) as s:
        subject_id = own_subject(s, username).id
    response = teacher.post("/my-documents/start", data={"subject_id": subject_id, "doc_type": "target"})
    task_id = int(response.headers["Location"].rsplit("/", 1)[1])
    data = teacher.get(f"/api/v1/tasks/{task_id}").get_json()["document"]["data"]
    assert teacher.post(f"/api/v1/tasks/{task_id}/complete", json={"document": filled(data)}).status_code == 200
    with Session(eng, info=SETTINGS.session_info()) as s:
        review_id = s.scalar(
            select(HumanTask.id).where(
                HumanTask.kind == "review", HumanTask.state == "open", HumanTask.subject_name == s.scalar(
                    select(HumanTask.subject_name).where(HumanTask.id == task_id)
                ),
            )
        )  # fmt: skip
    return teacher, task_id, review_id


def race(first, second):
    """Run both requests so that each has read what it needs before either writes."""
    results = [None, None]

    def run(i, call):
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate((first, second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def barrier_on(monkeypatch, module, name, parties=2):
    """Make the first `parties` calls of module.name wait for each other after they returned."""
    barrier = threading.Barrier(parties, timeout=20)
    real = getattr(module, name)
    calls = []

    def wrapped(*args, **kwargs):
        result = real(*args, **kwargs)
        calls.append(1)
        if len(calls) <= parties:
            barrier.wait()
        return result

    monkeypatch.setattr(module, name, wrapped)


def outcome(eng, task_id, review_id):
    with Session(eng, info=SETTINGS.session_info()) as s:
        edit, review = s.get(HumanTask, task_id), s.get(HumanTask, review_id)
        return edit.state, review.state, s.get(Document, edit.document_id).status


@pytest.mark.parametrize(
    ("username", "reviewer_name", "decision", "document_after"),
    [("t01", "dzxy_reviewer", "approve", "published"), ("t03", "dzxy_reviewer2", "return", "returned")],
)
def test_withdraw_against_a_reviewer_who_decides(
    committed_url, monkeypatch, username, reviewer_name, decision, document_after
):
    import engine.workflow.runtime as runtime

    app = make_app(DATABASE_URL=committed_url, ZHENGAI_CLOCK=lambda: NOW)
    eng = make_engine(committed_url)
    teacher, task_id, review_id = submitted(app, eng, username)
    reviewer = login(app.test_client(), reviewer_name)
    barrier_on(monkeypatch, runtime, "load_workflow")  # both have loaded the workflow before either writes
    withdrawn, decided = race(
        lambda: teacher.post(f"/tasks/{task_id}/withdraw", data={"confirm": "yes"}),
        lambda: reviewer.post(f"/api/v1/tasks/{review_id}/complete", json={"decision": decision, "comment": "请修改"}),
    )
    codes = (withdrawn.status_code, decided.status_code)
    assert codes in ((302, 409), (409, 200)), codes
    state = outcome(eng, task_id, review_id)
    if codes == (302, 409):
        assert state == ("open", "cancelled", "draft")
        assert decided.get_json()["error"]["code"] == "conflict"
    else:
        assert state == ("completed", "completed", document_after)
        assert "不能撤回" in withdrawn.get_data(as_text=True)
    eng.dispose()


def test_withdraw_against_a_reviewer_who_claims(committed_url, monkeypatch):
    import engine.workflow.tasks as tasks

    app = make_app(DATABASE_URL=committed_url, ZHENGAI_CLOCK=lambda: NOW)
    eng = make_engine(committed_url)
    teacher, task_id, review_id = submitted(app, eng, "t06")
    reviewer = login(app.test_client(), "rjxy_reviewer")
    barrier_on(monkeypatch, tasks, "visible_task")  # both have loaded their task before either writes
    withdrawn, claimed = race(
        lambda: teacher.post(f"/tasks/{task_id}/withdraw", data={"confirm": "yes"}),
        lambda: reviewer.post(f"/tasks/{review_id}/claim"),
    )
    codes = (withdrawn.status_code, claimed.status_code)
    assert codes in ((302, 409), (409, 302)), codes
    state = outcome(eng, task_id, review_id)
    with Session(eng, info=SETTINGS.session_info()) as s:
        claimant = s.get(HumanTask, review_id).claimant_id
    if codes == (302, 409):
        assert state == ("open", "cancelled", "draft") and claimant is None
        assert "不在待办状态" in claimed.get_data(as_text=True)
    else:
        assert state == ("completed", "open", "in_review") and claimant is not None
        assert "签收" in withdrawn.get_data(as_text=True)
    eng.dispose()


def test_a_claim_between_the_check_and_the_write_wins(committed_url, monkeypatch):
    """The withdrawal has found the review unclaimed; the reviewer claims before it writes anything: 409."""
    import engine.documents.withdrawal as withdrawal

    app = make_app(DATABASE_URL=committed_url, ZHENGAI_CLOCK=lambda: NOW)
    eng = make_engine(committed_url)
    teacher, task_id, review_id = submitted(app, eng, "t02")
    reviewer = login(app.test_client(), "dzxy_reviewer2")
    checked, go = threading.Event(), threading.Event()
    real = withdrawal.withdraw_offer

    def check_then_hold(*args, **kwargs):
        offer = real(*args, **kwargs)
        checked.set()
        assert go.wait(20)
        return offer

    monkeypatch.setattr(withdrawal, "withdraw_offer", check_then_hold)
    results = []
    thread = threading.Thread(
        target=lambda: results.append(teacher.post(f"/tasks/{task_id}/withdraw", data={"confirm": "yes"}))
    )
    thread.start()
    assert checked.wait(20)
    assert reviewer.post(f"/tasks/{review_id}/claim").status_code == 302
    go.set()
    thread.join(30)
    assert results[0].status_code == 409 and "刚刚签收" in results[0].get_data(as_text=True)
    assert outcome(eng, task_id, review_id) == ("completed", "open", "in_review")
    eng.dispose()
