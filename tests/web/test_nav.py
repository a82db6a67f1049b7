"""The start page and navigation are one list: areas added later slot in by role."""

from __future__ import annotations

import uuid

from salestrack.auth.context import Actor
from salestrack.auth.roles import Role
from salestrack.web.kit import nav
from salestrack.web.kit.deps import WebUser
from salestrack.web.kit.filters import LocaleFormat


def _user(role: Role) -> WebUser:
    actor = Actor(uuid.uuid4(), "t", uuid.uuid4(), role, "u@example.com")
    return WebUser(actor, "U", "T", LocaleFormat())


def test_managers_and_admins_start_on_reports_viewers_on_leads() -> None:
    assert nav.start_page(_user(Role.manager)) == "/reports"
    assert nav.start_page(_user(Role.admin)) == "/reports"
    assert nav.start_page(_user(Role.viewer)) == "/leads"


def test_sales_reps_start_on_their_follow_ups_and_see_no_money_areas() -> None:
    rep = _user(Role.sales_rep)
    assert nav.start_page(rep) == "/follow-ups"
    # Construction stages carry no amount: reps read them (only managers mark one reached).
    assert [i.label for i in nav.nav_for(rep)] == [
        "Leads",
        "Follow-ups",
        "Customers",
        "Stages",
        "Campaigns",
        "Sources",
        "Duplicates",
    ]


def test_managers_see_reports_and_bookings() -> None:
    labels = [i.label for i in nav.nav_for(_user(Role.manager))]
    assert labels[0] == "Reports"
    assert "Bookings" in labels


def test_only_admins_see_the_capture_page() -> None:
    assert "Capture" in [i.label for i in nav.nav_for(_user(Role.admin))]
    assert "Capture" not in [i.label for i in nav.nav_for(_user(Role.manager))]
