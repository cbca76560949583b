"""Assets and pages go out compressed; static files have versioned URLs that may be cached for a year."""

from __future__ import annotations

import gzip
import re

import brotli

from tests.conftest import login


def asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/(?:static|vendor)/[^"]+)"', html)


def test_static_urls_are_versioned_and_cached_for_a_year(client):
    login(client, "t01")
    html = client.get("/tasks").get_data(as_text=True)
    urls = asset_urls(html)
    assert any("bootstrap.min.css?v=" in u for u in urls) and any("/static/app.js?v=" in u for u in urls)
    response = client.get([u for u in urls if "app.css" in u][0].replace("&amp;", "&"))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    unversioned = client.get("/static/app.css")
    assert "immutable" not in unversioned.headers["Cache-Control"]


def test_bootstrap_goes_out_compressed_and_unchanged(client):
    login(client, "t01")
    url = [u for u in asset_urls(client.get("/tasks").get_data(as_text=True)) if "bootstrap.min.css" in u][0]
    plain = client.get(url).get_data()
    br = client.get(url, headers={"Accept-Encoding": "br, gzip"})
    assert br.headers["Content-Encoding"] == "br"
    assert brotli.decompress(br.get_data()) == plain
    assert len(br.get_data()) < len(plain) / 5  # 230 KB of CSS travel as some 30 KB
    again = client.get(url, headers={"Accept-Encoding": "br"})  # the second time from memory, the same bytes
    assert again.get_data() == br.get_data()
    gz = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip" and gzip.decompress(gz.get_data()) == plain


def test_pages_are_compressed_when_the_browser_accepts_it(client):
    login(client, "t01")
    page = client.get("/tasks", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    assert "我的待办" in gzip.decompress(page.get_data()).decode()
    assert "Content-Encoding" not in client.get("/tasks").headers


def test_only_the_front_end_packages_are_served(client):
    assert client.get("/vendor/bootstrap/package.json").status_code == 404
    assert client.get("/vendor/../package.json").status_code == 404
    assert client.get("/static/no-such-file.css").status_code == 404


def test_every_page_names_the_school_icon_and_the_old_address_finds_it(client):
    """Browsers ask for an icon on every page; without one each page logged a 404 in the console."""
    assert 'rel="icon"' in client.get("/login").get_data(as_text=True)
    login(client, "t01")
    html = client.get("/tasks").get_data(as_text=True)
    icon = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    response = client.get(icon)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert "诊" in response.get_data(as_text=True)
    old = client.get("/favicon.ico")  # asked for by pages without the link and by old browsers
    assert old.status_code == 301 and old.headers["Location"].startswith("/static/favicon.svg?v=")


def test_assets_carry_no_session_cookie_and_pages_still_refresh_it(client):
    """An asset said `public, immutable` and carried the signed-in user's session cookie: a shared cache could
    hand it to the next user, and a late icon put a signed-out browser's session back."""
    login(client, "t01")
    page = client.get("/tasks")
    assert any(c.startswith("zhengai_session_") for c in page.headers.getlist("Set-Cookie"))  # idle time restarts
    urls = [u.replace("&amp;", "&") for u in asset_urls(page.get_data(as_text=True))]
    for url in [*urls, "/favicon.ico"]:
        response = client.get(url)
        assert response.status_code in (200, 301), url
        assert response.headers.getlist("Set-Cookie") == [], url
        assert "Cookie" not in response.headers.get("Vary", ""), url
    assert client.get("/tasks").status_code == 200  # still signed in
