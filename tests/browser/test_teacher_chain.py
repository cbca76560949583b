"""Real Chromium: a teacher's targets go to the college, come back with a comment, and get approved."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import fill_descriptions, log_in, shot

# a submission runs the chain's next steps before the redirect (an approval publishes the document): on a busy
# CI machine, with the PostgreSQL pass beside this one, that can take longer than the default 15 s
STEP = 45000

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_teacher_to_college_with_return_loop(page, live_server):
    base = live_server
    log_in(page, base, "t01")
    expect(page.locator("text=我的待办").first).to_be_visible()
    shot(page, "01_teacher_inbox_empty")

    page.goto(base + "/my-documents")
    row = page.locator("tr", has_text="教师发展目标")
    row.locator("button", has_text="开始填写").click()
    page.wait_for_selector("[data-testid=task-name]")
    assert "编制" in page.locator("[data-testid=task-name]").inner_text() or page.locator("textarea").count() > 0

    # submitting empty shows the errors next to the fields
    page.click("[data-testid=submit-document]")
    expect(page.locator(".invalid-feedback", has_text="请填写“描述”").first).to_be_visible()
    shot(page, "02_teacher_form_errors")
    # the refused page warns before leaving with typed-in text; its script must be running before we type
    page.wait_for_load_state()

    fill_descriptions(page, "初稿")
    page.click("[data-testid=save-draft]")
    expect(page.locator(".alert", has_text="草稿已保存")).to_be_visible(timeout=STEP)  # a POST, like the submit
    page.click("[data-testid=submit-document]")
    page.wait_for_url(base + "/tasks", timeout=STEP)
    expect(page.locator(".alert", has_text="已提交")).to_be_visible()

    log_in(page, base, "dzxy_reviewer")
    task_row = page.locator("[data-testid=task-table] tr", has_text="张伟")
    assert task_row.count() == 1
    shot(page, "03_reviewer_inbox")
    task_row.locator("a", has_text="办理").click()
    page.click("[data-testid=claim]")
    expect(page.locator("text=您已签收")).to_be_visible()
    page.check("#decision-return")
    page.click("[data-testid=submit-review]")
    expect(page.locator("[data-testid=comment-error]")).to_be_visible()  # returning needs a comment
    page.check("#decision-return")
    page.fill("textarea[name=comment]", "请把科研发展目标写得更具体，列出论文与课题数量")
    shot(page, "04_reviewer_returns")
    page.click("[data-testid=submit-review]")
    page.wait_for_url(base + "/tasks", timeout=STEP)

    log_in(page, base, "rjxy_reviewer")  # the other college never sees it
    assert page.locator("[data-testid=task-table]").count() == 0

    log_in(page, base, "t01")
    page.locator("[data-testid=task-table] a", has_text="编制").first.click() if page.locator(
        "[data-testid=task-table] a", has_text="编制"
    ).count() else page.locator("[data-testid=task-table] tr a.btn").first.click()
    comment = page.locator("[data-testid=return-comment]")
    assert "列出论文与课题数量" in comment.inner_text()
    shot(page, "05_teacher_sees_return")
    fill_descriptions(page, "修改稿")
    page.click("[data-testid=submit-document]")
    page.wait_for_url(base + "/tasks", timeout=STEP)

    log_in(page, base, "dzxy_reviewer")
    page.locator("[data-testid=task-table] tr", has_text="张伟").locator("a", has_text="办理").click()
    page.check("#decision-approve")
    page.fill("textarea[name=comment]", "同意")
    page.click("[data-testid=submit-review]")
    page.wait_for_url(base + "/tasks", timeout=STEP)

    log_in(page, base, "t01")
    page.goto(base + "/my-documents")
    page.locator("tr", has_text="教师发展目标").locator("a", has_text="v1").click()
    body = page.locator("main").inner_text()
    assert "v1" in body and "修改稿" in body
    shot(page, "06_published_document")
