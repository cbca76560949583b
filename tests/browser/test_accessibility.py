"""WCAG 2.1 AA in a real browser: axe-core (npm) runs on every page type each demo role reaches in the demo school's
year (what `zhengai init` loads), and any serious or critical violation fails the test with the page, the rule and
the elements. A page type is a path with its
ids taken out; a type already checked for an earlier role is not checked again (the template is the same), but
every role's own first pages (inbox, a task) are."""

from __future__ import annotations

import json
import os
import re
import threading
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from werkzeug.serving import make_server

from engine import install
from tests.browser.conftest import log_in
from tests.conftest import NOW, SETTINGS, fresh_database, make_app

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
ROLES = [
    "t01", "dzxy_reviewer", "c01", "s01", "zlc_admin", "rsc_reviewer", "xiaozhang", "xgb_reviewer", "kyc_staff",
    "admin",
]  # fmt: skip
PER_ROLE = 80
SKIP = re.compile(
    r"^/(static|vendor)/|logout|/export|\.(xlsx|docx|csv|pdf|json|ics|bpmn|zip)$|/download|/evidence|/api/"
)
RUN = """() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
  resultTypes: ['violations']}).then(r => r.violations.map(v => ({id: v.id, impact: v.impact,
  help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"""


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    url = fresh_database(tmp_path_factory.mktemp("axe"), "axe")
    install.install_database(url, NOW, SETTINGS, demo_year=True)
    app = make_app(DATABASE_URL=url, TESTING=False, WTF_CSRF_ENABLED=True, ZHENGAI_CLOCK=lambda: NOW)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def shape(url: str) -> str:
    return re.sub(r"\d+", "N", urlsplit(url).path)


ASYNC_CONTENT = {"#zg-api-docs": "#zg-api-docs .opblock", "#zg-modeler": "#zg-modeler[data-ready='1']"}


def audit(page, url: str) -> list[dict]:
    """axe over the page once the parts its scripts draw after loading are there (Swagger UI, the modeler)."""
    for container, drawn in ASYNC_CONTENT.items():
        if page.locator(container).count():
            page.wait_for_selector(drawn)
    return page.evaluate(RUN)  # axe is in every page of the context (add_init_script below)


def same_site_links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    out = []
    for href in hrefs:
        if href.startswith(base):
            path = href[len(base):].split("#")[0]
            if path and not SKIP.search(urlsplit(path).path):
                out.append(path)
    return out


def test_axe_finds_no_serious_violation_on_any_page_type(browser, demo_server):
    live_server = demo_server
    checked: set[str] = set()
    failures: list[str] = []
    counts = {"pages": 0, "minor": 0, "moderate": 0}
    others: list[str] = []
    for username in ROLES:
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", bypass_csp=True)
        context.add_init_script(path=str(AXE))
        page = context.new_page()
        page.set_default_timeout(20000)
        log_in(page, live_server, username)
        queue, seen, visited = deque(["/tasks", "/quality/", "/"]), set(), 0
        while queue and visited < PER_ROLE:
            url = queue.popleft()
            key = shape(url)
            if url in seen or (key in checked and visited > 1):
                continue
            seen.add(url)
            try:
                response = page.goto(live_server + url, wait_until="domcontentloaded")
            except PlaywrightError as e:  # a link to a file (evidence, an export) starts a download
                if "Download is starting" in str(e):
                    continue
                raise
            if response is not None and response.status >= 500:
                failures.append(f"{username} {url}: answered {response.status}")
                continue
            if response is None or response.status >= 400 or "html" not in response.headers.get("content-type", ""):
                continue
            visited += 1
            checked.add(key)
            counts["pages"] += 1
            for v in audit(page, url):
                if v["impact"] in ("serious", "critical"):
                    failures.append(f"{username} {url}: {v['impact']} {v['id']} ({v['help']}) {v['nodes']}")
                else:
                    counts[v["impact"] or "minor"] = counts.get(v["impact"] or "minor", 0) + 1
                    others.append(f"{username} {url}: {v['impact']} {v['id']} {v['nodes']}")
            queue.extend(u for u in same_site_links(page, live_server) if u not in seen)
        context.close()
    report = os.environ.get("ZHENGAI_AXE_REPORT")
    if report:
        found = {"counts": counts, "failures": failures, "others": others, "checked": sorted(checked)}
        Path(report).write_text(json.dumps(found, ensure_ascii=False, indent=1))
    print(f"axe-core: {counts['pages']} pages, {len(failures)} serious/critical, {counts}")
    assert counts["pages"] > 150
    assert not failures, f"{len(failures)} serious or critical violations:\n" + "\n".join(failures)
