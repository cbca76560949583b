"""The main paths without a mouse: skip to the content, start and submit a document (a refused submit puts the
focus on the first field in error, which names its message), claim and approve a review, batch approve, and a
filter that an arrow key does not fire by itself."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import fill_descriptions, log_in

pytestmark = pytest.mark.browser


def press_on(page, selector: str, key: str = "Enter") -> None:
    page.locator(selector).first.focus()
    page.keyboard.press(key)


def submit_target_by_keyboard(page, base: str, username: str) -> None:
    log_in(page, base, username)
    page.goto(base + "/my-documents")
    page.locator("tr", has_text="教师发展目标").locator("button", has_text="开始填写").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=task-name]")
    fill_descriptions(page, "键盘")
    press_on(page, "[data-testid=submit-document]")
    page.wait_for_url(base + "/tasks")
    expect(page.locator(".alert", has_text="已提交")).to_be_visible()


def test_skip_link_and_a_refused_submit(page, live_server):
    log_in(page, live_server, "t03")
    page.goto(live_server + "/tasks")
    page.keyboard.press("Tab")
    skip = page.locator(".zg-skip")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#zg-main")).to_be_focused()

    page.goto(live_server + "/my-documents")
    page.locator("tr", has_text="教师发展目标").locator("button", has_text="开始填写").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=task-name]")
    press_on(page, "[data-testid=submit-document]")  # empty: refused
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    focused = page.locator(":focus")
    assert focused.get_attribute("aria-invalid") == "true"
    message = page.locator("#" + focused.get_attribute("aria-describedby").split()[-1])
    assert "请填写" in message.inner_text()


def test_submit_claim_approve_and_batch_approve_by_keyboard(page, live_server):
    submit_target_by_keyboard(page, live_server, "t01")
    submit_target_by_keyboard(page, live_server, "t02")

    log_in(page, live_server, "dzxy_reviewer")
    page.goto(live_server + "/tasks?tab=groups")
    for name in ("张伟", "王芳"):  # claim both from the group
        page.locator("[data-testid=task-table] tr", has_text=name).locator("a", has_text="办理").focus()
        page.keyboard.press("Enter")
        press_on(page, "[data-testid=claim]")
        expect(page.locator("text=您已签收")).to_be_visible()
        page.goto(live_server + "/tasks?tab=groups")

    page.goto(live_server + "/tasks?tab=claimed")
    page.locator("[data-testid=task-table] tr", has_text="张伟").locator("a", has_text="办理").focus()
    page.keyboard.press("Enter")
    press_on(page, "#decision-approve", " ")
    expect(page.locator("#decision-approve")).to_be_checked()
    page.locator("textarea[name=comment]").focus()
    page.keyboard.type("同意")
    press_on(page, "[data-testid=submit-review]")
    page.wait_for_url(live_server + "/tasks")

    page.goto(live_server + "/tasks?tab=claimed")
    box = page.locator("[data-testid=task-table] tr", has_text="王芳").locator("input.zg-batch-item")
    box.focus()
    page.keyboard.press(" ")
    expect(box).to_be_checked()
    press_on(page, "[data-testid=batch-approve]")
    expect(page.locator("[data-testid=batch-summary]")).to_contain_text("成功 1 项")


def test_an_arrow_key_in_a_filter_does_not_reload(page, live_server):
    log_in(page, live_server, "zlc_admin")
    page.goto(live_server + "/warnings")
    status = page.locator("select[name=status]")
    status.focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)  # a reload would have started by now
    assert "status=" not in page.url
    expect(status).to_be_focused()
    press_on(page, "[data-testid=warning-filters] button")
    page.wait_for_url("**/warnings?*status=*")
