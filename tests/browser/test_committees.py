"""A 质量管理处 user edits a committee in Chromium, removes its external expert and is told which rules the
group would break; nothing is saved and the rows stay on the page. Also the screenshots of 诊改组织 and 基本标准
at desktop and phone width."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, shot

pytestmark = pytest.mark.browser


def test_quality_office_sees_the_broken_rule_named(page, live_server):
    log_in(page, live_server, "zlc_admin")
    page.click("[data-testid=standards-menu]")
    page.click("[data-testid=committees-tab]")
    page.click("text=部门诊改工作组")
    page.click("[data-testid=edit-committee]")
    page.fill("input[name=m-4-name]", "")
    page.fill("input[name=m-4-employer]", "")
    page.click("[data-testid=save-committee]")
    alert = page.locator("[data-testid=rule-violations]")
    assert "职能部门牵头的诊改工作组须有校外专家" in alert.inner_text()
    assert "成员总数须为 5 名及以上的奇数，现有 4 名" in alert.inner_text()
    assert page.input_value("input[name=m-0-username]") == "dzb_reviewer"  # the form kept what was typed
    shot(page, "committee_rule_violation")
    page.goto(live_server + "/committees")
    assert page.locator("[data-testid=committee-dept_group]").count() == 4
    page.click("text=部门诊改工作组")
    assert "周工程师" in page.content()  # nothing was saved


@pytest.mark.parametrize("width", [1366, 390])
def test_screenshots(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, "jwc_staff")
    page.goto(live_server + "/standards")
    shot(page, f"standards_{width}")
    page.click("text=专业分级建设基本标准")
    shot(page, f"standard_{width}")
    page.goto(live_server + "/committees")
    shot(page, f"committees_{width}")
    page.click("text=诊改工作委员会")
    shot(page, f"committee_{width}")
