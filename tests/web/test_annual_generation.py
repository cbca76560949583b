"""Generating a year's annual task table: a preview first, an explicit confirmation, late rows marked."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from engine.models import AnnualTask, AuditEntry, Notification, ScheduledEffect


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_preview_then_confirm(login_as, session):
    office = login_as("zlc_admin")  # NOW is 2026-11-24: most of the 2017 table's dates moved to 2026 are past
    year_page = office.get("/annual/2026").get_data(as_text=True)
    link = re.search(r'href="([^"]+)" data-testid="instantiate"', year_page).group(1)
    assert link == "/annual/2026/instantiate"

    preview = office.get(link).get_data(as_text=True)
    assert 'data-testid="count-total">100<' in preview and 'data-testid="count-overdue">82<' in preview
    assert 'data-testid="count-due_soon">8<' in preview and 'data-testid="count-flagged">0<' in preview
    assert "依据附件 2017 年任务表生成" in preview and 'data-testid="late-explained"' in preview
    assert len(re.findall(r'<tr data-no="\d+" data-status="overdue">', preview)) == 82
    assert "2027年2月28日" in preview and "附件原文：2018年2月28日" in preview  # a date moved, with the seed's text
    assert "过级学院" in preview.split('data-testid="unmatched"', 1)[1].split("</p>", 1)[0]
    assert count(session, AnnualTask) == 0 and count(session, ScheduledEffect) == 0  # a preview writes nothing

    refused = office.post(link, data={})  # no confirmation: nothing changes
    assert refused.status_code == 400 and 'data-testid="confirm-error"' in refused.get_data(as_text=True)
    assert count(session, AnnualTask) == 0

    response = office.post(link, data={"confirm": "yes"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/annual/2026")
    board = office.get("/annual/2026").get_data(as_text=True)
    assert "已生成 100 项年度任务" in board and "82 项生成时已逾期" in board
    assert board.count('data-testid="late-at-generation"') == 82 and 'data-testid="late-summary"' in board
    assert count(session, AnnualTask) == 100
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "annual.instantiate")).all()
    assert entry.after["late"] == 82
    assert count(session, Notification) == 0  # nothing one by one; the digest goes out with the next tick

    again = office.post(link, data={"confirm": "yes"})  # sent twice: no second table, no error page
    assert again.status_code == 302 and count(session, AnnualTask) == 100
    assert office.get(link).status_code == 302


def test_only_the_office_generates(login_as):
    for name in ("jwc_staff", "dzxy_reviewer", "t01"):
        client = login_as(name)
        assert client.get("/annual/2026/instantiate").status_code == 404
        assert client.post("/annual/2026/instantiate", data={"confirm": "yes"}).status_code == 404
    assert 'data-testid="instantiate"' not in login_as("jwc_staff").get("/annual/2026").get_data(as_text=True)
