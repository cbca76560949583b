"""Real Chromium: 教务处's reviewer opens a 专业's 9 上一级复核性诊断 from the inbox, writes the opinion and submits;
the major's row on 诊改进度 shows the step after it (issue #16). Shots: tests/browser/screenshots/upper_*.png."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from engine import cycle
from engine.core.db import make_engine
from engine.models import Subject
from tests.browser.conftest import log_in, shot
from tests.conftest import SETTINGS, TZ, fresh_database, make_app, seed
from tests.workflows.test_cycle import do, open_tasks

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The live server of tests/browser/conftest.py, with its database's URL (the test prepares the cycle)."""
    url = fresh_database(tmp_path_factory.mktemp("browser"), "upper")
    seed(url)
    app = make_app(DATABASE_URL=url, TESTING=False, WTF_CSRF_ENABLED=True)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}", url
    httpd.shutdown()


def major_at_the_upper_review(url: str) -> str:
    """The major 软件技术 walked (through the services, on today's clock) to its upper-level review."""
    now = datetime.now(UTC)
    year = now.astimezone(TZ).year
    engine = make_engine(url)
    with Session(bind=engine, info=SETTINGS.session_info()) as session:
        subject = session.scalar(select(Subject).where(Subject.type == "major", Subject.code == "510203"))
        dues = cycle.default_dues(year + 1, TZ)
        instance = cycle.start_for_subject(session, subject, year, dues, None, now)
        for _ in range(20):
            task = open_tasks(session, instance.id)[0]
            if task.name == "9 上一级复核性诊断":
                break
            do(session, task, now)
        session.commit()
        name = subject.name
    engine.dispose()
    return name


def test_the_academic_affairs_reviewer_reviews_a_major(page, server):
    base, url = server
    name = major_at_the_upper_review(url)
    log_in(page, base, "jwc_reviewer")
    page.goto(base + "/tasks")
    row = page.locator("[data-testid=task-table] tr", has_text="9 上一级复核性诊断").first
    row.locator("a.btn", has_text="办理").click()
    page.wait_for_selector("[data-testid=task-name]")
    assert "9 上一级复核性诊断" in page.locator("main").inner_text()
    boxes = page.locator("#zg-doc-form textarea[name$='-cells-opinion']")
    assert boxes.count() > 0
    for i in range(boxes.count()):
        boxes.nth(i).fill(f"复核意见（第{i + 1}项）：自我诊断结论与佐证一致，同意。")
    shot(page, "upper_01_task_1366")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "upper_01_task_390")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.click("[data-testid=submit-document]")
    page.wait_for_url(base + "/tasks")
    assert page.locator(".alert-success").first.is_visible()
    log_in(page, base, "zlc_admin")
    page.goto(base + f"/cycle/progress/subjects?year={datetime.now(TZ).year}&q=510203")
    text = page.locator("[data-testid=cycle-subjects]").inner_text()
    assert name in text and "9 上一级复核性诊断" not in text
    assert "等待学校抽样" in text  # no draw this year yet: the cycle waits for it
    shot(page, "upper_02_progress_1366")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "upper_02_progress_390")
