"""A lead department's standards in a real browser: 教务处 finds its basic standards (table 10) with their
criteria and next revision, starts a revision that lands in its task form, then reads its unit's work
standards (table 9) by category."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, shot

pytestmark = pytest.mark.browser


def test_the_lead_department_works_on_its_basic_and_work_standards(live_server, page):
    log_in(page, live_server, "jwc_staff")  # 教务处
    page.click("nav >> text=制度与标准")
    page.wait_for_selector("[data-testid=standards]")
    assert "已发布" in page.inner_text("[data-testid=standard-BS09]")
    page.select_option("#f-lead", label="教务处")
    page.click("[data-testid=standard-filters] >> text=筛选")
    page.wait_for_url("**lead=*")
    assert page.locator("[data-testid=standard-BS01]").count() == 0  # 党政办公室's, filtered out
    shot(page, "basic-standards")
    page.click("[data-testid=standard-BS08] >> a")
    facts = page.inner_text("[data-testid=standard-facts]")
    assert "教务处" in facts and "下次修订" in facts
    assert page.locator("table[data-testid] tbody tr").count() > 0  # the published criteria
    page.click("[data-testid=start-revision]")
    page.wait_for_url("**/tasks/*")
    assert "专业设置基本标准" in page.content() and "新增级别" in page.content()  # its drafting task, graded by level
    shot(page, "basic-standard-revision")

    page.click("nav >> text=制度与标准")
    page.click("[data-testid=tab-work]")
    table = page.inner_text("[data-testid=work-standards]")
    assert "教务处" in table and "未开始" in table  # the browser demo has the organisation without its year
    page.click("[data-testid=work-standards] >> text=教务处")
    assert "教务处 · 工作标准" in page.inner_text("[data-testid=unit-name]")
    units = page.inner_text("[data-testid=unit-standards]")
    assert "岗位标准" in units and "记录标准" in units
    shot(page, "work-standards-unit")
