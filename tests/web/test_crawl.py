"""Every demo role clicks through every page it can reach on the demo school's year: no 5xx, no template debris.

The database is what `zhengai init` loads by default (the organisation and its year in flight, played up
to NOW). For each role the crawler logs in, follows every same-origin link of every HTML page and submits
its GET forms as they stand (GET only: every state change in the product is a POST), a few pages per
page shape (the same path with other ids or filter values), and opens every task listed in each inbox
tab. Each role reports all of its failures at once, with the URL and what went wrong.
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest

from engine.workflow import tasks
from tests.conftest import NOW, login, make_app

pytestmark = pytest.mark.slow

ROLES = [
    "t01", "t02", "t06", "dzxy_reviewer", "dzxy_reviewer2", "rjxy_reviewer", "rjxy_reviewer2", "dzxy_office",
    "dzb_staff", "jwc_staff", "jwc_reviewer", "rsc_reviewer", "xgb_reviewer", "dzb_reviewer", "zlc_admin",
    "xxh_admin", "c01", "s01", "xiaozhang", "fxz_jiang", "admin",
]  # fmt: skip
MAX_PAGES = 150  # per role, besides the tasks of its inbox
PER_SHAPE = 3
SKIP = re.compile(r"^/(static|vendor)/|logout")
DEBRIS = ("{{", "{%", "Traceback", "UndefinedError", "jinja2.exceptions")


class Links(HTMLParser):
    """The targets of a page's links, and of its GET forms submitted as they stand (filters, comparisons)."""

    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.form: dict | None = None  # the GET form being read: {"action", "fields", "select"}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        elif tag == "form" and (a.get("method") or "get").lower() == "get":
            self.form = {"action": a.get("action") or "", "fields": [], "select": None}
        elif self.form is None or not a.get("name") or "disabled" in a:
            return
        elif tag == "input" and a.get("type", "text") not in ("submit", "button", "reset", "file", "image"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.form["fields"].append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self.form["select"] = [a["name"], None, None]  # name, first option, selected option
        elif tag == "option" and self.form["select"]:
            value = a.get("value") or ""
            select = self.form["select"]
            select[1] = value if select[1] is None else select[1]
            select[2] = value if "selected" in a else select[2]

    def handle_endtag(self, tag):
        if self.form is None:
            return
        if tag == "select" and self.form["select"]:
            name, first, chosen = self.form["select"]
            self.form["fields"].append((name, chosen if chosen is not None else first or ""))
            self.form["select"] = None
        elif tag == "form":
            query = urlencode(self.form["fields"])
            self.hrefs.append(self.form["action"].split("?")[0] + (f"?{query}" if query else ""))
            self.form = None


def links(base: str, html: str) -> list[str]:
    """Same-origin targets of a page's links, as path?query."""
    parser = Links()
    parser.feed(html)
    out = []
    for href in parser.hrefs:
        parts = urlsplit(urljoin("http://localhost" + base, href))
        if parts.scheme not in ("http", "https") or parts.netloc != "localhost":
            continue
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        if not SKIP.search(parts.path):
            out.append(target)
    return out


def shape(url: str) -> str:
    """A page's shape: its path with ids taken out and its query keys (values only for tabs): `/tasks/N?tab=mine`."""
    parts = urlsplit(url)
    query = sorted((k, v if k == "tab" else "") for k, v in parse_qsl(parts.query))
    return re.sub(r"\d+", "N", parts.path) + "?" + urlencode(query)


def problems_of(url: str, response) -> list[str]:
    if response.status_code >= 500:
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
        return [f"{response.status_code} {url}  {text.strip()[:160]}"]
    if "html" not in (response.content_type or ""):
        return []
    # The folded technical detail of an incident (流程异常, for administrators) quotes the step's traceback
    # on purpose; everything else on a page must be rendered text.
    body = re.sub(r"<details\b.*?</details>", "", response.get_data(as_text=True), flags=re.S)
    return [f"{word!r} in {url}" for word in DEBRIS if word in body]


class Crawl:
    def __init__(self, client):
        self.client = client
        self.seen: set[str] = set()
        self.failures: list[str] = []

    def get(self, url: str):
        self.seen.add(url)
        response = self.client.get(url)
        self.failures += problems_of(url, response)
        return response

    def pages(self, start: str = "/") -> None:
        """Breadth first over every link, a few pages per shape, MAX_PAGES at most."""
        queue, shapes = deque([start]), {}
        visited = 0
        while queue and visited < MAX_PAGES:
            url = queue.popleft()
            key = shape(url)
            if url in self.seen or shapes.get(key, 0) >= PER_SHAPE:
                continue
            shapes[key] = shapes.get(key, 0) + 1
            visited += 1
            response = self.get(url)
            if response.status_code in (301, 302, 303, 307, 308):
                queue.append(urlsplit(response.headers["Location"]).path or "/")
            elif "html" in (response.content_type or "") and response.status_code < 400:
                queue.extend(u for u in links(url, response.get_data(as_text=True)) if u not in self.seen)

    def inbox_tasks(self) -> list[int]:
        """Open every task listed in every inbox tab, following the tab's paging; returns the task ids."""
        opened = []
        for tab in tasks.TABS:
            url = f"/tasks?tab={tab}&per_page=100"
            listed: list[int] = []
            for _page in range(20):
                response = self.get(url)
                html = response.get_data(as_text=True)
                hrefs = links(url, html)
                listed += [int(m.group(1)) for h in hrefs if (m := re.fullmatch(r"/tasks/(\d+)", h))]
                following = [h for h in hrefs if "page=" in h and h not in self.seen and f"tab={tab}" in h]
                nxt = [h for h in following if int(dict(parse_qsl(urlsplit(h).query)).get("page", 0)) > _page + 1]
                if not nxt:
                    break
                url = nxt[0]
            for task_id in dict.fromkeys(listed):
                self.get(f"/tasks/{task_id}")
                opened.append(task_id)
        return opened


@pytest.fixture(scope="module")
def demo_app(demo_year_engine):
    connection = demo_year_engine.connect()
    transaction = connection.begin()
    yield make_app(ZHENGAI_DB_BIND=connection, ZHENGAI_CLOCK=lambda: NOW)
    transaction.rollback()
    connection.close()


@pytest.mark.parametrize("username", ROLES)
def test_every_page_a_role_reaches_renders(demo_app, username):
    crawl = Crawl(login(demo_app.test_client(), username))
    opened = crawl.inbox_tasks()
    crawl.pages()
    assert not crawl.failures, f"{username}: {len(crawl.failures)} failing pages\n" + "\n".join(crawl.failures)
    assert len(crawl.seen) > 10, f"{username} reached only {sorted(crawl.seen)}"
    if username in ("t01", "dzxy_reviewer", "c01", "zlc_admin", "jwc_reviewer"):
        assert opened, f"{username} has no task in any inbox tab"


@pytest.mark.parametrize("username", ["zlc_admin", "t01", "c01"])
def test_every_page_renders_in_english_too(demo_app, username):
    """The English catalogue: a translation whose placeholders differ from the message breaks a page."""
    client = login(demo_app.test_client(), username)
    client.post("/lang/en")
    crawl = Crawl(client)
    crawl.inbox_tasks()
    crawl.pages()
    assert not crawl.failures, f"{username} (en): {len(crawl.failures)} failing pages\n" + "\n".join(crawl.failures)
    assert 'lang="en"' in client.get("/tasks").get_data(as_text=True)


def test_the_crawler_reports_a_broken_page(demo_app, monkeypatch):
    """The crawl would notice: a page that raises is reported with its URL and status."""
    from web.workflow import inbox

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(inbox.documents, "my_documents", broken)
    crawl = Crawl(login(demo_app.test_client(), "t01"))
    crawl.pages()
    assert any(f.startswith("500 /my-documents") for f in crawl.failures), crawl.failures
