"""Real Chromium: the character counter, the unsaved-changes prompt, auto-growing boxes, withdraw."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def height(locator) -> float:
    return locator.bounding_box()["height"]


def test_counter_prompt_and_growing_boxes(page, live_server):
    base = live_server
    page.clock.install()  # autosave runs on the page's own clock: moved on below, never waited for
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # "stay on this page"

    page.on("dialog", on_dialog)
    log_in(page, base, "t01")
    page.goto(base + "/my-documents")
    page.locator("tr", has_text="教师发展目标").locator("button", has_text="开始填写").click()
    page.wait_for_selector("#zg-doc-form")

    # auto-grow: a long description makes its box taller, as typed
    description = page.locator("textarea[name='rows-0-cells-description']")
    empty = height(description)
    description.fill("提高课堂教学质量，完善课程思政建设。" * 20)
    assert height(description) > empty * 3

    # counter: hidden below 80 %, shown near the limit, red beyond it; pasted text is not cut
    remark = page.locator("textarea[name='rows-0-cells-remark']")
    counter = page.locator("tr.zg-item-row").first.locator(".zg-counter").last
    remark.fill("备注" * 100)  # 200 of 500
    assert not counter.is_visible()
    remark.fill("备注" * 210)  # 420 of 500
    assert counter.inner_text() == "已输入 420 / 500"
    assert "zg-over" not in counter.get_attribute("class")
    remark.fill("超长备注" * 130)  # 520: nothing cut
    assert len(remark.input_value()) == 520
    assert counter.inner_text() == "已输入 520 / 500，超出 20 个字"
    assert "zg-over" in counter.get_attribute("class")
    shot(page, "forms_1_counter_over")

    # the form is not sent while a field is over: the message is at the field, which gets the focus
    url = page.url
    page.click("[data-testid=submit-document]")
    error = page.locator("tr.zg-item-row").first.locator(".zg-field-error")
    assert error.inner_text() == "最多 500 个字（当前 520 个）"
    assert page.url == url
    assert page.evaluate("document.activeElement.name") == "rows-0-cells-remark"

    # autosave of the over-limit draft says so instead of failing silently
    page.clock.run_for(31000)
    status = page.locator("#zg-autosave-status")
    assert "超出字数限制" in status.inner_text() and "text-danger" in status.get_attribute("class")

    # leaving with unsaved edits asks first (dismissed: we stay)
    page.click("a.navbar-brand")
    assert dialogs == ["beforeunload"] and page.url == url
    shot(page, "forms_2_still_here")

    # back under the limit, a successful autosave clears the prompt
    remark.fill("每学期末对照检查。")
    assert not error.is_visible() and not counter.is_visible()
    page.clock.run_for(31000)
    expect(status).to_have_text(re.compile("^已自动保存"))
    page.click("a.navbar-brand")
    page.wait_for_url(base + "/tasks")
    assert dialogs == ["beforeunload"]

    # the saved draft comes back with its boxes grown on load; an added row grows and counts too
    page.go_back()
    page.wait_for_selector("#zg-doc-form")
    assert height(page.locator("textarea[name='rows-0-cells-description']")) > empty * 3
    page.click("#zg-add-row")
    added = page.locator("tr.zg-custom-row textarea").first
    assert added.get_attribute("data-maxlength") == "2000"
    before = height(added)
    added.fill("新增项目的描述。" * 40)
    assert height(added) > before * 2
    page.fill("tr.zg-custom-row input[name$='-label']", "指导学生竞赛")

    # saving leaves without a prompt
    page.click("[data-testid=save-draft]")
    page.wait_for_selector(".alert-success")
    assert dialogs == ["beforeunload"]
    shot(page, "forms_3_saved")


def test_withdraw_then_submit_again(page, live_server):
    base = live_server
    log_in(page, base, "t06")
    page.goto(base + "/my-documents")
    page.locator("tr", has_text="教师发展目标").locator("button", has_text="开始填写").click()
    page.wait_for_selector("#zg-doc-form")  # counted on the task page, not on the list it leaves
    boxes = page.locator("textarea[name$='-cells-description']")
    for i in range(boxes.count()):
        boxes.nth(i).fill(f"第{i + 1}项：三年内达到学院骨干教师要求")
    page.click("[data-testid=submit-document]")
    page.wait_for_url(base + "/tasks")

    page.goto(base + "/my-documents")
    page.click("[data-testid=withdraw-target]")
    assert "尚未签收" in page.locator("main").inner_text()
    shot(page, "forms_4_withdraw_confirm")
    page.click("[data-testid=confirm-action]")
    page.wait_for_selector("#zg-doc-form")
    expect(page.locator(".alert-success", has_text="已撤回提交")).to_be_visible()
    assert (
        page.locator("textarea[name='rows-0-cells-description']").input_value() == "第1项：三年内达到学院骨干教师要求"
    )

    log_in(page, base, "rjxy_reviewer")
    assert page.locator("[data-testid=task-table] tr", has_text="杨磊").count() == 0
