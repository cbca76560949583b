"""Service requests in a real browser (table 38): a teacher requests a network service; 信息化处's staff claim it
and close it with a 服务结束反馈; the teacher confirms. A second request: the teacher reports 服务未落实,
党政办公室 feeds it back to the provider, the provider finishes, 党政办公室 closes the case."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, shot

pytestmark = pytest.mark.browser


def ask(page, base, description: str) -> str:
    """As the logged-in teacher: submit a network request from 服务; the request's URL."""
    page.goto(base + "/")
    page.click("[data-testid=services-menu]")
    page.select_option("[data-testid=service]", "network")
    page.fill("[data-testid=description]", description)
    page.fill("[data-testid=place]", "实训楼 B305")
    page.fill("[data-testid=contact]", "分机 6305")
    page.click("[data-testid=submit-request]")
    page.wait_for_selector("[data-testid=request-title]")
    return page.url


def step(page, url: str, decision: str | None, comment: str, claim: bool = False) -> None:
    """Open the request's current step from its page, claim it if asked, decide and send."""
    page.goto(url)
    page.click("[data-testid=open-step]")
    if claim:
        page.click("[data-testid=claim]")
    page.wait_for_selector("[data-testid=service-form]")
    if decision:
        page.check(f"#decision-{decision}")
    page.fill("[data-testid=service-form] textarea[name=comment]", comment)
    page.click("[data-testid=submit-service]")
    page.wait_for_url(lambda u: "/tasks/" not in u)


def status(page, url: str) -> str:
    page.goto(url)
    return page.inner_text("[data-testid=status]")


def test_both_paths_of_a_service_request(live_server, page):
    base = live_server
    log_in(page, base, "t01")
    page.click("[data-testid=services-menu]")
    page.click("[data-testid=submit-request]")  # nothing filled in: refused at the fields
    assert "请选择服务项目" in page.inner_text("[data-testid=service-error]")
    assert "请填写需求描述" in page.inner_text("[data-testid=description-error]")
    first = ask(page, base, "机房电脑无法上网")
    second = ask(page, base, "办公室网络频繁掉线")
    shot(page, "service-request")

    log_in(page, base, "xxh_staff")
    page.goto(base + "/services/queue")
    assert page.locator("[data-testid=request-row]").count() == 2
    shot(page, "service-queue")
    step(page, first, None, "已更换交换机端口", claim=True)
    step(page, second, None, "已重启路由器", claim=True)

    log_in(page, base, "t01")
    step(page, first, "resolved", "")
    assert status(page, first) == "服务已落实"
    page.goto(second)
    page.click("[data-testid=open-step]")
    page.check("#decision-unresolved")
    page.click("[data-testid=submit-service]")  # no reason: refused
    assert "请说明服务未落实的原因" in page.inner_text("[data-testid=comment-error]")
    step(page, second, "unresolved", "下午仍然掉线")
    assert "党政办公室" in status(page, second)

    log_in(page, base, "dzb_staff")
    page.goto(base + "/services/unresolved")
    assert page.locator("[data-testid=request-row]").count() == 1
    shot(page, "service-unresolved")
    step(page, second, None, "请信息化处到现场排查")  # 反馈服务提供方: the step's one decision

    log_in(page, base, "xxh_staff")
    step(page, second, None, "已现场更换网线")

    log_in(page, base, "dzb_staff")
    step(page, second, "close", "经回访已落实")
    assert status(page, second) == "已结案"
    assert "请信息化处到现场排查" in page.inner_text("[data-testid=history]")
    shot(page, "service-closed")
