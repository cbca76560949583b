"""The browser signs in through the school's CAS (a fake CAS server on loopback) and out again."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from engine.org.sso import CasConfig, SsoConfig
from tests.browser.conftest import shot
from tests.conftest import fresh_database, make_app, seed
from tests.web.sso_fixtures import FakeCas

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def fake_cas():
    server = FakeCas()
    yield server
    server.close()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, fake_cas):
    url = fresh_database(tmp_path_factory.mktemp("browser_cas"), "browser_cas")
    seed(url)
    server = make_server("127.0.0.1", 0, None, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    sso = SsoConfig(cas=CasConfig(server_url=fake_cas.url), local_login="admins")
    server.app = make_app(DATABASE_URL=url, TESTING=False, WTF_CSRF_ENABLED=True, ZHENGAI_SSO=sso,
                          ZHENGAI_BASE_URL=base)  # fmt: skip
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()


def test_a_teacher_signs_in_through_cas_and_out_of_it(page, live_server, fake_cas):
    page.goto(live_server + "/profile")  # not signed in: the login page, which offers CAS
    page.click("[data-testid=cas-login]")
    page.wait_for_url(lambda url: url.startswith(fake_cas.url + "login"))
    page.fill("#cas-username", "t01")
    page.click("button[type=submit]")
    page.wait_for_url(live_server + "/profile")  # back where the teacher wanted to go, signed in
    assert page.inner_text("dl").count("t01") == 1
    assert fake_cas.requests[-1][0] == "/cas/p3/serviceValidate"
    shot(page, "cas-signed-in")

    page.click("[data-testid=user-menu]")  # 退出 sits in the user's menu
    page.click("form[action='/logout'] button")
    page.wait_for_url(lambda url: url.startswith(fake_cas.url + "logout"))
    assert "CAS: logged out" in page.content()
    page.goto(live_server + "/profile")
    assert "/login" in page.url
