"""What a browser transfers for a page on a first visit (empty cache): the HTML and every stylesheet and script it
links, as they travel compressed (Brotli, what Chromium asks for). Targets (issue #19): an ordinary page under
60 KB, the 监控 dashboard under 450 KB; the modeler is printed for information.
Run: `.venv/bin/python bench/page_weight.py` (the demo school, a fresh SQLite database).
"""

from __future__ import annotations

import re

from _setup import NOW, fresh_database

from web import create_app

PAGES = [
    ("t01", "/tasks", "我的待办 (ordinary page)", 60),
    ("t01", "/my-documents", "我的文档 (ordinary page)", 60),
    ("zlc_admin", "/warnings", "预警 (ordinary page)", 60),
    ("zlc_admin", "/monitor", "监控 dashboard", 450),
    ("zlc_admin", "/annual/", "年度任务", 60),
    ("zlc_admin", "/feeds/", "过程数据 (charts)", 450),
    ("admin", "/processes", "流程设计 list", 60),
]
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/(?:static|vendor)/[^"]+)"')


def weigh(client, path: str) -> tuple[int, int, int]:
    """(compressed bytes in all, uncompressed bytes in all, number of requests)"""
    headers = {"Accept-Encoding": "br, gzip"}
    page = client.get(path, headers=headers, follow_redirects=True)
    html = client.get(path, follow_redirects=True).get_data(as_text=True)
    wire, raw, n = len(page.get_data()), len(html.encode()), 1
    for url in dict.fromkeys(ASSET.findall(html)):
        url = url.replace("&amp;", "&")
        wire += len(client.get(url, headers=headers).get_data())
        raw += len(client.get(url).get_data())
        n += 1
    return wire, raw, n


def main() -> None:
    url = fresh_database("weight")
    app = create_app({"DATABASE_URL": url, "ZHENGAI_CLOCK": lambda: NOW, "WTF_CSRF_ENABLED": False})
    for username, path, label, target in PAGES:
        client = app.test_client()
        client.post("/login", data={"username": username, "password": "demo1234"})
        wire, raw, n = weigh(client, path)
        verdict = "ok" if wire <= target * 1024 else f"OVER the {target} KB target"
        print(f"{label:<28} {path:<16} {n:>2} requests  {wire / 1024:7.1f} KB transferred "
              f"({raw / 1024:7.1f} KB uncompressed)  target {target} KB: {verdict}")  # fmt: skip


if __name__ == "__main__":
    main()
