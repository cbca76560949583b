"""质量评价: every role finds the menu and its hub page renders (the parts hang their cards on it)."""

from __future__ import annotations

import pytest

from tests.conftest import login


@pytest.mark.parametrize("username", ["t01", "s01", "xiaozhang", "zlc_admin"])
def test_the_quality_menu_leads_to_the_hub(client, username):
    login(client, username)
    home = client.get("/inbox/").get_data(as_text=True)
    assert 'data-testid="quality-menu"' in home
    hub = client.get("/quality/")
    assert hub.status_code == 200
    assert 'data-testid="quality-cards"' in hub.get_data(as_text=True)


def test_the_hub_needs_a_login(client):
    assert client.get("/quality/").status_code == 302
