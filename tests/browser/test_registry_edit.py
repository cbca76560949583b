"""A lead department edits its registry entry in a real browser: from the registry list to the edit form, a
refusal named at its field with the typed text kept, then the saved entry."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, shot

pytestmark = pytest.mark.browser


def test_the_lead_department_edits_its_entry(live_server, page):
    log_in(page, live_server, "jwc_staff")  # 教务处
    page.click("nav >> text=制度与标准")
    page.click("[data-testid=tab-mechanism]")
    assert page.locator("[data-testid^=edit-]").count() == 2  # 专业设置 and 教学建设项目: 教务处's own
    page.click("[data-testid=edit-major_setting]")
    page.select_option("#f-status", "in_force")
    page.fill("#f-url", "ftp://files/zhuanye.pdf")
    page.click("[data-testid=save-entry]")
    assert "链接须以 http:// 或 https:// 开头" in page.inner_text("[data-testid=error-document_url]")
    assert "请填写生效日期" in page.inner_text("[data-testid=error-document_date]")
    assert page.input_value("#f-url") == "ftp://files/zhuanye.pdf"  # kept as typed
    page.fill("#f-url", "")
    page.fill("#f-text", "第一条 新设专业须经市场调研与专家论证。")
    page.fill("#f-date", "2026-11-20")
    shot(page, "registry-edit")
    page.click("[data-testid=save-entry]")
    page.wait_for_selector("[data-testid=entry-title]")
    assert "已保存：专业设置" in page.content()
    assert "第一条 新设专业须经市场调研与专家论证。" in page.inner_text("[data-testid=document-text]")
    assert "已施行" in page.inner_text("[data-testid=entry-title]")
    shot(page, "registry-entry")
