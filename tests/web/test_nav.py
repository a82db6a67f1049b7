"""The start page and navigation are one list: areas added later slot in by role."""

from __future__ import annotations

import uuid

import pytest

from salestrack.auth.context import Actor
from salestrack.auth.roles import Permission, Role
from salestrack.web import nav
from salestrack.web.deps import WebUser
from salestrack.web.filters import LocaleFormat


def _user(role: Role) -> WebUser:
    actor = Actor(uuid.uuid4(), "t", uuid.uuid4(), role, "u@example.com")
    return WebUser(actor, "U", "T", LocaleFormat())


@pytest.mark.parametrize("role", [Role.admin, Role.manager, Role.viewer])
def test_everyone_but_reps_starts_on_leads_until_reports_exist(role: Role) -> None:
    assert nav.start_page(_user(role)) == "/leads"


def test_sales_reps_start_on_their_follow_ups() -> None:
    assert nav.start_page(_user(Role.sales_rep)) == "/follow-ups"


def test_reports_become_the_start_page_of_managers_once_they_exist(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        nav, "NAV", [*nav.NAV, nav.NavItem("Reports", "/reports", Permission.reports_read)]
    )
    assert nav.start_page(_user(Role.manager)) == "/reports"
    assert nav.start_page(_user(Role.admin)) == "/reports"
    assert nav.start_page(_user(Role.sales_rep)) == "/follow-ups"  # reps may not read reports
    assert [i.label for i in nav.nav_for(_user(Role.sales_rep))] == [
        "Leads",
        "Follow-ups",
        "Customers",
        "Campaigns",
        "Sources",
    ]
