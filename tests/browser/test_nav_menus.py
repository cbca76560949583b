"""The grouped menus of the header (质量, 管理, the user's menu): open with a click or from the keyboard, Escape
closes and gives the focus back, a click elsewhere closes; at 1366 px an administrator's header is one row."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_grouped_menus_by_mouse_and_keyboard(page, live_server):
    page.set_viewport_size({"width": 1366, "height": 800})
    log_in(page, live_server, "zlc_admin")
    nav = page.locator("nav.zg-nav").bounding_box()
    assert nav["height"] < 70  # one row of menu entries, not two

    monitor = page.locator("[data-testid=monitor-menu]")
    expect(monitor).to_be_hidden()
    page.click("[data-testid=manage-menu]")
    expect(monitor).to_be_visible()
    assert page.get_attribute("[data-testid=manage-menu]", "aria-expanded") == "true"
    page.click("h1")  # a click elsewhere closes it
    expect(monitor).to_be_hidden()

    page.focus("[data-testid=quality-group]")
    page.keyboard.press("ArrowDown")  # opens the menu and enters it
    expect(page.locator("[data-testid=quality-menu]")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator("[data-testid=feeds-menu]")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("[data-testid=feeds-menu]")).to_be_hidden()
    expect(page.locator("[data-testid=quality-group]")).to_be_focused()

    page.click("[data-testid=manage-menu]")
    monitor.click()
    page.wait_for_url("**/monitor")
    assert "active" in page.get_attribute("[data-testid=manage-menu]", "class")

    page.click("[data-testid=user-menu]")
    page.click("[data-testid=logout]")
    expect(page.locator("#username")).to_be_visible()


def test_chinese_text_on_an_english_page_is_marked_as_chinese(page, live_server):
    log_in(page, live_server, "t01")
    page.click("[data-testid=lang-switch]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    name = page.locator("[data-testid=user-menu] [lang=zh-CN]").first
    expect(name).to_have_text("张伟")  # the user's name is data, in Chinese
    assert page.locator("[data-testid=user-menu]").get_attribute("lang") is None  # the English UI is not marked
