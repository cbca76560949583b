"""Real Chromium: one approval chain per family, from the author's form to the published version."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# family: (author, subject name shown in 我的文档, [(reviewer, task name)], screenshot name)
FAMILIES = {
    "functional_dept": ("jwc_staff", "教务处",
                        [("dzb_reviewer", "党政办公室审核"), ("fxz_jiang", "分管领导或联系领导审定")]),
    "major_team": ("t03", "电子信息工程技术", [("dzxy_reviewer", "二级学院审核"), ("jwc_reviewer", "教务处审定")]),
    "faculty_team": ("rjxy_office", "软件与信息技术学院师资队伍",
                     [("rsc_reviewer", "人力资源处审核"), ("fxz_jiang", "分管领导审定")]),
    "student": ("s21", None, [("c02", "辅导员审定")]),
}  # fmt: skip


@pytest.mark.parametrize("family", list(FAMILIES))
def test_chain_family(page, live_server, family):
    base = live_server
    author, subject_name, steps = FAMILIES[family]
    log_in(page, base, author)
    page.goto(base + "/my-documents")
    rows = page.locator("tr[data-doc-type=target]")
    if subject_name:
        rows = rows.filter(has_text=subject_name)
    rows.first.locator("button", has_text="开始填写").click()
    page.wait_for_selector("[data-testid=task-name]")
    boxes = page.locator("textarea[name$='-cells-description']")
    for i in range(boxes.count()):
        boxes.nth(i).fill(f"第{i + 1}项建设目标：对标省级优质校标准")
    shot(page, f"family_{family}_1_form")
    page.click("[data-testid=submit-document]")
    page.wait_for_url(base + "/tasks")

    for reviewer, task_name in steps:
        log_in(page, base, reviewer)
        row = page.locator("[data-testid=task-table] tr", has_text=task_name).first
        row.locator("a", has_text="办理").click()
        page.check("#decision-approve")
        page.click("[data-testid=submit-review]")
        page.wait_for_url(base + "/tasks")
        expect(page.locator(".alert", has_text="已同意")).to_be_visible()

    log_in(page, base, author)
    page.goto(base + "/my-documents")
    rows = page.locator("tr[data-doc-type=target]")
    if subject_name:
        rows = rows.filter(has_text=subject_name)
    rows.first.locator("a", has_text="v1").click()
    assert page.locator("[data-testid=doc-status]").inner_text() == "已发布"
    shot(page, f"family_{family}_2_published")
