"""A person's first session in a real browser: log in, add and fix a lead, find it again,
and bump into the guard rails (another tenant's lead, a forged form)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.support import PASSWORD, TenantWorld
from tests.web.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def log_in(tab: Page, world: TenantWorld, role: str = "admin") -> None:
    """Log in, land on the role's start page, then open Leads from the navigation."""
    tab.goto("/")
    expect(tab).to_have_url(re.compile(r"/login"))
    tab.get_by_label("Company (tenant)").fill(world.slug)
    tab.get_by_label("Email").fill(getattr(world, role).email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Log in").click()
    expect(tab).to_have_url(re.compile(r"/leads$" if role == "viewer" else r"/reports$"))
    tab.get_by_role("navigation", name="Main").get_by_role("link", name="Leads").click()
    expect(tab).to_have_url(re.compile(r"/leads$"))


def test_log_in_create_edit_and_filter_a_lead(tab: Page, world: TenantWorld) -> None:
    tab.goto("/login")
    screenshot(tab, "login")
    log_in(tab, world, "manager")
    header = tab.get_by_role("banner")
    expect(header.get_by_test_id("tenant")).to_have_text(f"Tenant {world.slug}")
    expect(header.get_by_test_id("user")).to_have_text(world.manager.email)
    expect(header.get_by_test_id("role")).to_have_text("Manager")
    expect(tab.get_by_text("No leads yet.")).to_be_visible()
    screenshot(tab, "leads-empty")

    tab.get_by_role("link", name="New lead").first.click()
    tab.get_by_label("Company").fill("Infosys")
    tab.get_by_label("Email").fill("priya-at-example")
    tab.get_by_label("Expected value (INR)").fill("4,50,00,000")
    tab.get_by_role("button", name="Create lead").click()
    expect(tab.get_by_text("This field is required.")).to_be_visible()
    expect(tab.get_by_label("Company")).to_have_value("Infosys")
    expect(tab.get_by_label("Expected value (INR)")).to_have_value("4,50,00,000")
    screenshot(tab, "lead-form-errors")

    tab.get_by_label("Name", exact=True).fill("Priya Sharma")
    tab.get_by_label("Email").fill("priya@example.com")
    tab.get_by_label("Lead date").fill("2026-02-14")
    tab.get_by_role("button", name="Create lead").click()
    expect(tab.get_by_text("Lead created.")).to_be_visible()
    expect(tab.get_by_test_id("expected-value")).to_have_text("₹4,50,00,000")
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Priya Sharma")
    screenshot(tab, "lead-detail")

    tab.get_by_role("link", name="Edit").click()
    tab.get_by_label("Status", exact=True).select_option("qualified")
    tab.get_by_label("Expected value (INR)").fill("50,00,000")
    screenshot(tab, "lead-edit")
    tab.get_by_role("button", name="Save changes").click()
    expect(tab.get_by_text("Lead updated.")).to_be_visible()
    expect(tab.get_by_test_id("lead-status")).to_have_text("Qualified")
    expect(tab.get_by_test_id("expected-value")).to_have_text("₹50,00,000")
    lead_id = tab.url.split("/leads/")[1].split("?")[0]
    stored = world.admin.ok("GET", f"/api/v1/sales/leads/{lead_id}")
    assert (stored["status"], stored["expected_value"]) == ("qualified", "5000000.00")

    world.admin.ok("POST", "/api/v1/sales/leads", 201, json={"name": "Ravi Kumar"})
    tab.get_by_role("navigation", name="Main").get_by_role("link", name="Leads").click()
    expect(tab.locator("table.data tbody tr")).to_have_count(2)
    tab.get_by_text("Search and filter").click()
    tab.get_by_label("Status", exact=True).select_option("qualified")
    tab.get_by_role("button", name="Apply").click()
    rows = tab.locator("table.data tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Priya Sharma")
    expect(tab.locator('[data-status="qualified"] .count')).to_have_text("1")
    expect(tab.locator('[data-status="all"] .count')).to_have_text("2")
    screenshot(tab, "leads-filtered")

    tab.set_viewport_size({"width": 390, "height": 844})
    tab.get_by_role("link", name="Clear").click()
    expect(tab.locator("table.data tbody tr")).to_have_count(2)
    screenshot(tab, "leads-phone")


def test_another_tenants_lead_shows_not_found(
    tab: Page, world: TenantWorld, other_world: TenantWorld
) -> None:
    theirs = other_world.admin.ok("POST", "/api/v1/sales/leads", 201, json={"name": "Not Yours"})
    log_in(tab, world)
    response = tab.goto(f"/leads/{theirs['id']}")
    assert response is not None
    assert response.status == 404
    expect(tab.get_by_role("heading", name="Not found")).to_be_visible()
    expect(tab.get_by_text("Not Yours")).to_have_count(0)
    screenshot(tab, "not-found")


def test_a_forged_form_is_refused(tab: Page, world: TenantWorld) -> None:
    log_in(tab, world)
    tab.goto("/leads/new")
    tab.get_by_label("Name", exact=True).fill("Forged Lead")
    tab.locator('form.form-grid input[name="csrf_token"]').evaluate("el => el.value = 'forged'")
    tab.get_by_role("button", name="Create lead").click()
    expect(tab.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(tab.get_by_text("did not come from this site")).to_be_visible()
    screenshot(tab, "csrf-refused")
    assert world.admin.ok("GET", "/api/v1/sales/leads")["items"] == []


def test_campaigns_and_sources(tab: Page, world: TenantWorld) -> None:
    log_in(tab, world)
    tab.goto("/campaigns")
    expect(tab.get_by_text("No campaigns yet.")).to_be_visible()
    tab.get_by_role("link", name="New campaign").first.click()
    tab.get_by_label("Name", exact=True).fill("Whitefield Towers launch")
    tab.get_by_label("Type", exact=True).select_option("digital")
    tab.get_by_label("Budget (INR)").fill("2,50,000")
    tab.get_by_label("Expected ROI (%)").fill("300")
    screenshot(tab, "campaign-form")
    tab.get_by_role("button", name="Create campaign").click()
    expect(tab.get_by_text("Campaign created.")).to_be_visible()
    expect(tab.locator("table.data")).to_contain_text("₹2,50,000")
    screenshot(tab, "campaigns")

    tab.get_by_role("navigation", name="Main").get_by_role("link", name="Sources").click()
    tab.get_by_role("link", name="New source").first.click()
    tab.get_by_label("Type", exact=True).select_option("social")
    tab.get_by_label("Sub-source").fill("LinkedIn")
    tab.get_by_label("Channel").select_option("Social Media")
    campaign = tab.get_by_label("Campaign", exact=True)
    campaign.select_option(label=campaign.locator("option", has_text="Whitefield").inner_text())
    screenshot(tab, "source-form")
    tab.get_by_role("button", name="Create source").click()
    expect(tab.get_by_text("Source created.")).to_be_visible()
    expect(tab.locator("table.data")).to_contain_text("Whitefield Towers launch")
    screenshot(tab, "sources")


def test_keyboard_users_can_skip_to_the_content(tab: Page, world: TenantWorld) -> None:
    log_in(tab, world, "viewer")
    tab.keyboard.press("Tab")
    skip = tab.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    expect(tab.get_by_role("link", name="New lead")).to_have_count(0)
    tab.goto("/leads/new")
    expect(tab.get_by_role("heading", name="Not allowed")).to_be_visible()
    screenshot(tab, "forbidden")
