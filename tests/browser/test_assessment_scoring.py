"""发展性考核 in a real browser: 人力资源处 opens the year's campaign from the 质量评价 hub; the 校长 finds his
scoring on the hub's card, opens one unit from 我的评分, is refused a point above the item's maximum at the field,
fills every item, submits, and sees the scoring final (no more inputs to change, no submit button)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, shot

pytestmark = pytest.mark.browser


def test_a_scorer_fills_and_submits_and_the_scoring_is_final(page, live_server):
    base = live_server
    log_in(page, base, "rsc_reviewer")
    page.goto(base + "/quality/")
    page.click("[data-testid=card-assessment-index]")
    page.fill("#f-year-unit", str(date.today().year))
    page.fill("#f-due-unit", (date.today() + timedelta(days=30)).isoformat())
    page.click("[data-testid=open-campaign]")
    expect(page.locator("[data-testid=progress]")).to_be_visible()

    log_in(page, base, "xiaozhang")
    page.goto(base + "/quality/")
    page.click("[data-testid=card-assessment-mine]")
    expect(page.locator("[data-testid=assignments]")).to_be_visible()
    page.locator("[data-testid=assignments] tbody tr").first.locator("a").click()
    expect(page.locator("[data-testid=sheet-form]")).to_be_visible()
    page.fill("[data-testid=points-routine]", "61")  # 常规工作计划 is out of 60
    page.click("[data-testid=save-sheet]")
    expect(page.locator("[data-testid=points-routine-error]")).to_contain_text("须在 0 到 60 之间")
    expect(page.locator("[data-testid=points-routine]")).to_have_value("61")
    shot(page, "assessment_sheet_refused")
    inputs = page.locator("input.zg-points")
    for i in range(inputs.count()):
        inputs.nth(i).fill("20")
    page.fill("[data-testid=comment]", "计划与学校年度工作要点吻合，问题查找准确。")
    page.click("[data-testid=submit-sheet]")
    expect(page.locator("[data-testid=sheet-final]")).to_be_visible()
    expect(page.locator("[data-testid=submit-sheet]")).to_have_count(0)
    expect(page.locator("[data-testid=points-routine]")).to_have_attribute("readonly", "")
    expect(page.locator("[data-testid=points-routine]")).to_have_value("20.0")
    shot(page, "assessment_sheet_final")
    page.click("text=返回我的评分")
    expect(page.locator("[data-testid=assignments] .text-bg-success").first).to_be_visible()
