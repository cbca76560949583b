"""Real Chromium: 质量管理处 starts the year, t01 walks from the targets to the self-diagnosis report.

The teacher's path of the annual cycle, as a newcomer clicks it: 1 确定目标, 4 制定标准 and 5 制定诊改计划
through the college's review, then 6 诊改实施, 7 自我诊断 and 8 撰写自我诊断报告. Every page on the way is
shot at 1366 px and at 390 px (tests/browser/screenshots/year_*.png); at phone width the menu collapses
behind its toggle and the inbox reads as cards.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]
DESKTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}


def both(page, name: str) -> None:
    """Screenshots of the current page at desktop and at phone width."""
    shot(page, f"{name}_1366")
    page.set_viewport_size(PHONE)
    shot(page, f"{name}_390")
    page.set_viewport_size(DESKTOP)


def start_the_year(page, base: str) -> None:
    log_in(page, base, "zlc_admin")
    page.goto(base + "/cycle/")
    page.check("#lv-person")
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    dates = page.locator("[data-testid=start-form] input[type=date]")
    for i in range(dates.count()):  # in step order, ten days apart, all ahead of today
        dates.nth(i).fill((today + timedelta(days=10 * (i + 1))).isoformat())
        dates.nth(i).dispatch_event("change")
    assert page.locator("[data-testid^=past-due_]:visible").count() == 0  # the past-date flags went away
    both(page, "year_01_start_form")
    page.click("[data-testid=start-cycle]")
    page.wait_for_url(lambda url: "/cycle/runs/" in url)
    assert "100%" in page.locator("main").inner_text()


def open_step(page, base: str, step: str) -> None:
    """From t01's inbox, open the task of the cycle step (its number and name are on the task)."""
    page.goto(base + "/tasks")
    row = page.locator("[data-testid=task-table] tr", has_text=step).first
    row.locator("a.btn", has_text="办理").click()
    page.wait_for_selector("[data-testid=task-name]")
    assert step in page.locator("main").inner_text()


def fill_and_submit(page, base: str, text: str, name: str) -> None:
    boxes = page.locator("#zg-doc-form textarea")
    for i in range(boxes.count()):
        boxes.nth(i).fill(f"{text}（第{i + 1}项）：对照学校骨干教师标准，本学年完成并留存佐证。")
    both(page, name)
    page.click("[data-testid=submit-document]")
    page.wait_for_url(base + "/tasks")
    expect(page.locator(".alert-success").first).to_be_visible()


def approve(page, base: str, name: str) -> None:
    log_in(page, base, "dzxy_reviewer")
    row = page.locator("[data-testid=task-table] tr", has_text="张伟").first
    row.locator("a.btn", has_text="办理").click()
    page.check("#decision-approve")
    page.fill("textarea[name=comment]", "同意")
    both(page, name)
    page.click("[data-testid=submit-review]")
    page.wait_for_url(base + "/tasks")
    expect(page.locator(".alert", has_text="已同意")).to_be_visible()


def test_teacher_walks_the_year_from_targets_to_the_report(page, live_server):
    base = live_server
    start_the_year(page, base)

    log_in(page, base, "t01")
    page.set_viewport_size(PHONE)  # a phone: the menu hides behind its toggle, the inbox is cards
    toggle = page.locator("#zg-nav-toggle")
    assert toggle.is_visible() and not page.locator("#zg-nav-menu").is_visible()
    assert page.locator("[data-testid=task-table] thead").is_hidden()
    toggle.click()
    expect(page.locator("#zg-nav-menu a", has_text="我的文档")).to_be_visible()
    page.set_viewport_size(DESKTOP)
    assert not toggle.is_visible() and page.locator("#zg-nav-menu a", has_text="我的文档").is_visible()
    both(page, "year_02_teacher_inbox")

    for step, text, review in (("1 确定目标", "发展目标", True), ("4 制定标准", "质量标准", True),
                               ("5 制定诊改计划", "诊改计划", True)):  # fmt: skip
        log_in(page, base, "t01")
        open_step(page, base, step)
        slug = step.split()[0]
        fill_and_submit(page, base, text, f"year_step{slug}_form")
        if review:
            approve(page, base, f"year_step{slug}_review")

    for step, text in (("6 诊改实施", "实施进展"), ("7 自我诊断", "诊断结论"), ("8 撰写自我诊断报告", "报告内容")):
        log_in(page, base, "t01")
        open_step(page, base, step)
        if step.startswith("7"):  # the self-diagnosis lists the plan's items, traceable one by one
            assert page.locator("#zg-doc-form textarea").count() >= 3
        fill_and_submit(page, base, text, f"year_step{step.split()[0]}_form")

    # the report is published; the next step belongs to the teacher's unit (9 上一级复核性诊断, issue #16)
    page.goto(base + "/my-documents")
    both(page, "year_03_my_documents")
    page.goto(base + "/documents/")
    row = page.locator("[data-testid=document-list] tr", has_text="自我诊断报告").first
    row.locator("a").first.click()
    assert page.locator("[data-testid=doc-status]").inner_text() == "已发布"
    both(page, "year_04_report_published")
    log_in(page, base, "dzxy_reviewer")
    page.goto(base + "/tasks")
    assert page.locator("[data-testid=task-table] tr", has_text="9 上一级复核性诊断").count() >= 1
    log_in(page, base, "zlc_admin")
    page.goto(base + "/cycle/progress")
    both(page, "year_05_progress")
