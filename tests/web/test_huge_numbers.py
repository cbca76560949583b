"""Numbers in the query string beyond what the database can bind are treated like any other bad value:
the page answers (the default is used), never a 500."""

from __future__ import annotations

import pytest

HUGE = [str(2**64), str(2**63 - 1)]


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize(
    "user, path",
    [
        ("t01", "/?page={}"),
        ("t01", "/?per_page={}"),
        ("t01", "/notifications?page={}"),
        ("t01", "/my-documents?page={}"),
        ("t01", "/api/v1/tasks?page={}"),
        ("zlc_admin", "/warnings?page={}"),
        ("zlc_admin", "/monitor/tasks?page={}"),
        ("zlc_admin", "/cycle/progress?department={}"),
        ("zlc_admin", "/cycle/progress?year={}"),
        ("zlc_admin", "/cycle/progress/subjects?page={}"),
    ],
)
def test_a_huge_number_in_the_query_string_is_no_server_error(login_as, user, path, value):
    response = login_as(user).get(path.format(value))
    assert response.status_code < 500, f"{path.format(value)}: {response.status_code}"
