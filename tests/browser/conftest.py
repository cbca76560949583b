"""A live server on a committed database and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import fresh_database, make_app, seed

SCREENSHOTS = Path(__file__).parent / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]  # fmt: skip


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    url = fresh_database(tmp_path_factory.mktemp("browser"), "browser")
    seed(url)
    app = make_app(DATABASE_URL=url, TESTING=False, WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def log_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", "demo1234")
    page.click("form:has(#username) button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def fill_descriptions(page, prefix: str) -> None:
    """Fill every 描述 cell of the document form on the page."""
    boxes = page.locator("textarea[name$='-cells-description']")
    for i in range(boxes.count()):
        boxes.nth(i).fill(f"{prefix}第{i + 1}项：三年内达到学院骨干教师要求")
