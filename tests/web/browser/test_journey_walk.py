"""A sales rep's day in a real browser: open a lead, log an email and its answer, record a
site visit where they stand, see it all on the timeline, close the follow-up; then the
customer pages and the API docs, which must load with no network beyond this server."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from tests.journey.helpers import SALES, follow_up_ids
from tests.support import PASSWORD, TenantWorld
from tests.web.browser.conftest import screenshot

pytestmark = pytest.mark.browser
WHITEFIELD = {"latitude": 12.9698, "longitude": 77.75}


def log_in(tab: Page, world: TenantWorld, role: str, lands_on: str) -> None:
    tab.goto("/login")
    tab.get_by_label("Company (tenant)").fill(world.slug)
    tab.get_by_label("Email").fill(getattr(world, role).email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Log in").click()
    expect(tab).to_have_url(re.compile(rf"{lands_on}$"))


def test_a_rep_records_the_journey_and_closes_the_follow_up(
    tab: Page, live_url: str, world: TenantWorld
) -> None:
    lead: dict[str, Any] = world.admin.ok(
        "POST",
        f"{SALES}/leads",
        201,
        json={
            "name": "Acme Corp",
            "lead_date": "2025-11-01",
            "assigned_to": str(world.rep.user_id),
        },
    )
    tab.context.grant_permissions(["geolocation"], origin=live_url)
    tab.context.set_geolocation(WHITEFIELD)
    log_in(tab, world, "rep", "/follow-ups")
    expect(tab.get_by_text("No open follow-ups.")).to_be_visible()
    screenshot(tab, "follow-ups-empty")

    # Pick the lead: suggestions while typing, then open it by its code.
    tab.get_by_role("navigation", name="Main").get_by_role("link", name="Leads").click()
    picker = tab.get_by_label("Open a lead")
    picker.fill("acme")
    expect(tab.locator("#lead-suggestions option")).to_have_count(1)
    expect(tab.locator("#lead-suggestions option")).to_have_attribute("value", lead["lead_code"])
    picker.fill(lead["lead_code"])
    tab.get_by_role("button", name="Open", exact=True).click()
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Acme Corp")

    # An email, and later its answer.
    tab.get_by_role("tab", name=re.compile("Engagement")).click()
    expect(tab.get_by_role("tabpanel")).to_have_count(1)
    tab.get_by_text("Log an engagement").click()
    form = tab.locator("#engagement-form")
    form.get_by_label("Type").select_option("email_sent")
    expect(form.get_by_label("Channel")).to_have_value("email")  # the only channel that fits
    form.get_by_label("When").fill("2025-11-05T10:00")
    form.get_by_label("Subject").fill("Acme Corp - Our Solutions")
    screenshot(tab, "engagement-form")
    form.get_by_role("button", name="Log engagement").click()
    expect(tab.get_by_text("Engagement logged.")).to_be_visible()
    row = tab.get_by_test_id("engagement-log").locator("tbody tr").first
    expect(row).to_contain_text("Awaiting")
    row.get_by_text("Record response").click()
    row.get_by_label("Response on").fill("2025-11-07T09:30")
    row.get_by_label("What they said").fill("Interested, send details")
    row.get_by_role("button", name="Save response").click()
    expect(tab.get_by_text("Response recorded.")).to_be_visible()
    expect(row).to_contain_text("Interested, send details")
    expect(tab.get_by_test_id("response-rate")).to_have_text("100%")
    screenshot(tab, "lead-engagement")

    # A site visit, located by the browser, with a follow-up.
    tab.get_by_role("tab", name=re.compile("Milestones")).click()
    tab.get_by_text("Add a milestone").click()
    form = tab.locator("#milestone-form")
    form.get_by_label("Milestone").select_option("contacted")
    expect(form.get_by_label("Location")).to_be_hidden()  # visits only
    form.get_by_label("Milestone").select_option("site_visit")
    form.get_by_label("Date", exact=True).fill("2025-11-10")
    form.get_by_label("Location").fill("Bangalore, Whitefield")
    form.get_by_role("button", name="Use my location").click()
    expect(form.get_by_label("Latitude")).to_have_value("12.969800")
    expect(form.get_by_label("Longitude")).to_have_value("77.750000")
    form.get_by_label("Outcome").select_option("positive")
    form.get_by_label("Duration (minutes)").fill("120")
    form.get_by_label("Follow up on").fill("2025-11-15")
    form.get_by_label("Notes").fill("Client very impressed, discussed timeline")
    screenshot(tab, "milestone-form")
    form.get_by_role("button", name="Add milestone").click()
    expect(tab.get_by_text("Milestone recorded.")).to_be_visible()

    events = tab.get_by_test_id("timeline-event")
    expect(events).to_have_count(3)
    types = [events.nth(i).get_attribute("data-type") for i in range(3)]
    assert types == ["lead_generated", "email_sent", "site_visit"]
    visit = events.nth(2)
    expect(visit).to_contain_text("Bangalore, Whitefield")
    expect(visit).to_contain_text("12.96980, 77.75000")
    expect(visit).to_contain_text("Positive")
    expect(visit).to_contain_text("2 hours")
    expect(visit.get_by_test_id("event-follow-up")).to_contain_text("15 Nov 2025")
    expect(visit.get_by_test_id("event-follow-up")).to_contain_text("Overdue")
    expect(events.nth(1).get_by_test_id("event-response")).to_contain_text("Yes (7 Nov 2025)")
    expect(tab.get_by_test_id("engagement-points")).to_have_text("2")
    expect(tab.get_by_test_id("lead-status")).to_have_text("Qualified")
    expect(tab.get_by_test_id("status-history").locator("li")).to_have_count(3)
    screenshot(tab, "lead-journey")
    tab.set_viewport_size({"width": 390, "height": 844})
    screenshot(tab, "lead-journey-phone")
    tab.set_viewport_size({"width": 1280, "height": 900})

    # The follow-up is waiting, overdue; one click closes it.
    tab.get_by_role("navigation", name="Main").get_by_role("link", name="Follow-ups").click()
    rows = tab.get_by_test_id("follow-up")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Acme Corp")
    expect(rows.first).to_contain_text("Overdue by")
    screenshot(tab, "follow-ups")
    rows.first.get_by_role("button", name=re.compile("^Mark done")).click()
    expect(tab.get_by_text("Follow-up marked done.")).to_be_visible()
    expect(tab.get_by_text("No open follow-ups.")).to_be_visible()
    assert follow_up_ids(world.admin) == []
    timeline = world.admin.ok("GET", f"{SALES}/reports/milestone-timeline/{lead['id']}")
    assert [e["event_type"] for e in timeline["events"]] == types
    assert timeline["engagement_points"] == 2


def test_customer_pages(tab: Page, world: TenantWorld) -> None:
    lead = world.admin.ok("POST", f"{SALES}/leads", 201, json={"name": "Priya Sharma"})
    world.admin.ok(
        "POST",
        f"{SALES}/customers",
        201,
        json={"name": "Priya Sharma", "email": "priya@example.com", "lead_id": lead["id"]},
    )
    log_in(tab, world, "manager", "/reports")
    tab.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    screenshot(tab, "customers")
    tab.get_by_role("link", name="Priya Sharma").click()
    expect(tab.get_by_test_id("linked-lead")).to_contain_text(lead["lead_code"])
    screenshot(tab, "customer-detail")
    tab.get_by_role("link", name="See the journey").click()
    expect(tab.get_by_test_id("timeline-event")).to_have_count(1)


def test_api_docs_load_with_no_network_beyond_this_server(tab: Page, live_url: str) -> None:
    outside: list[str] = []
    problems: list[str] = []

    def only_here(route: Route) -> None:
        if route.request.url.startswith(live_url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    tab.route("**/*", only_here)
    tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    tab.goto("/docs")
    expect(tab.locator(".swagger-ui .info .title")).to_contain_text("salestrack", timeout=30_000)
    expect(tab.get_by_text("/api/v1/sales/milestones/lead").first).to_be_visible()
    screenshot(tab, "api-docs", full_page=False)  # the first screen; the rest is long
    assert outside == []
    assert [p for p in problems if "Content Security Policy" in p] == []
