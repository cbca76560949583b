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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.zg_failed = report.failed
    return report


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    journal = _journal(page)
    yield page
    if getattr(request.node, "zg_failed", False):  # what the browser saw, for a failure on a CI machine
        print("browser journal (last 60 events):", *journal[-60:], sep="\n  ")
    context.close()


# what the page did with clicks and form submissions (the last ones decide whether a click "did nothing")
WATCH_EVENTS = """
(function () {
  function name(el) {
    if (!el || !el.tagName) { return String(el); }
    return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
      (el.dataset && el.dataset.testid ? "[" + el.dataset.testid + "]" : "");
  }
  document.addEventListener("click", function (e) {
    console.log("zg-journal click " + name(e.target) + " at " + e.clientX + "," + e.clientY +
      (e.defaultPrevented ? " prevented" : ""));
  }, true);
  document.addEventListener("submit", function (e) {
    setTimeout(function () {
      console.log("zg-journal submit " + name(e.target) + (e.defaultPrevented ? " prevented" : ""));
    }, 0);
  }, true);
  window.addEventListener("beforeunload", function () { console.log("zg-journal beforeunload"); });
})();
"""


def _journal(page) -> list[str]:
    """Requests, answers, dialogs and script errors of the page, in order (a dialog is dismissed, as by default)."""
    journal: list[str] = []
    page.on("request", lambda r: journal.append(f"> {r.method} {r.url}"))
    page.on("response", lambda r: journal.append(f"< {r.status} {r.request.method} {r.url}"))
    page.on("requestfailed", lambda r: journal.append(f"! {r.method} {r.url} {r.failure}"))
    page.on("pageerror", lambda e: journal.append(f"! script error: {e}"))
    page.on("console", lambda m: (m.type == "error" or m.text.startswith("zg-journal")) and
            journal.append(f"! console: {m.text}"))  # fmt: skip
    page.add_init_script(WATCH_EVENTS)

    def dialog(d):
        journal.append(f"! dialog {d.type}: {d.message}")
        d.dismiss()

    page.on("dialog", dialog)
    page.on("load", lambda p: journal.append(f"= load {p.url}"))
    return journal


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    # a full-page capture resizes the window and back: let the page's resize handlers (app.js re-measures the
    # text boxes 150 ms after the last resize) run before the test types and clicks again
    page.evaluate("() => new Promise(done => setTimeout(() => requestAnimationFrame(() => done()), 200))")


def log_in(page, base: str, username: str) -> None:
    page.goto("about:blank")  # the last page's late requests are over before its cookie goes
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
