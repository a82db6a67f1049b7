"""A manager's money day in a real browser: book a unit (the lead converts), post a
payment (the balance follows), then every report tab, whose numbers must equal the API's."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from salestrack.web.reports.views import HEADLINE, RATIOS
from tests.journey.helpers import SALES
from tests.money.conftest import new_customer
from tests.support import TenantWorld
from tests.web.browser.conftest import screenshot
from tests.web.browser.test_journey_walk import log_in
from tests.web.report_data import FMT, api_report, expected_kpi_text, sales_month

pytestmark = pytest.mark.browser


def _csp_errors(tab: Page) -> list[str]:
    problems: list[str] = []

    def seen(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(message.text)

    tab.on("console", seen)
    return problems


def test_book_a_unit_and_post_a_payment(tab: Page, world: TenantWorld) -> None:
    lead: dict[str, Any] = world.admin.ok(
        "POST", f"{SALES}/leads", 201, json={"name": "Priya Sharma"}
    )
    customer = new_customer(world.admin, "Priya Sharma", lead_id=lead["id"])
    log_in(tab, world, "manager", "/reports")
    nav = tab.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Bookings").click()
    expect(tab.get_by_text("No bookings yet.")).to_be_visible()
    screenshot(tab, "bookings-empty")

    # Inventory first: a first-day tenant has none.
    tab.get_by_role("link", name="Inventory").click()
    expect(tab.get_by_text("No inventory yet.")).to_be_visible()
    tab.get_by_label("Project").fill("Whitefield Towers")
    tab.get_by_label("Unit type").fill("3BHK")
    tab.get_by_label("Total units").fill("12")
    tab.get_by_role("button", name="Add inventory").click()
    expect(tab.get_by_text("Inventory created.")).to_be_visible()
    expect(tab.get_by_test_id("units-left")).to_have_text("12")
    screenshot(tab, "inventory")

    # Book one unit, confirmed: the invoice is posted and the lead converts.
    tab.get_by_role("link", name="Book Whitefield Towers 3BHK").click()
    form = tab.locator("form.form-grid")
    form.get_by_label("Customer").select_option(customer["id"])
    expect(form.get_by_label("Project and unit type")).to_contain_text("12 of 12 left")
    form.get_by_label("Booking amount (INR)").fill("45,00,000")
    form.get_by_label("Status").select_option("confirmed")
    screenshot(tab, "booking-form")
    form.get_by_role("button", name="Book").click()
    expect(tab.get_by_text("Booking created.")).to_be_visible()
    expect(tab.get_by_test_id("booking-status")).to_have_text("Confirmed")
    expect(tab.get_by_test_id("booking-amount")).to_have_text("₹45,00,000")
    expect(tab.get_by_test_id("lead-status")).to_have_text("Converted")
    expect(tab.get_by_role("button", name="Complete")).to_be_visible()
    expect(tab.get_by_role("button", name="Confirm")).to_have_count(0)
    screenshot(tab, "booking-detail")
    tab.get_by_role("link", name=re.compile(lead["lead_code"])).click()
    expect(tab.get_by_test_id("lead-status")).to_have_text("Converted")
    assert world.admin.ok("GET", f"{SALES}/leads/{lead['id']}")["status"] == "converted"

    nav.get_by_role("link", name="Bookings").click()
    expect(tab.get_by_test_id("booking-row")).to_have_count(1)
    expect(tab.locator('[data-status="confirmed"] .count')).to_have_text("1")
    screenshot(tab, "bookings")

    # The customer's ledger: the invoice, then a payment and the balance after it.
    tab.get_by_test_id("booking-row").get_by_role("link", name="Priya Sharma").click()
    expect(tab.get_by_test_id("outstanding")).to_have_text("₹45,00,000")
    tab.get_by_text("Add an entry").click()
    entry = tab.locator("#entry-form")
    entry.get_by_label("Type").select_option("payment")
    entry.get_by_label("Amount (INR)").fill("12,50,000")
    entry.get_by_label("Description").fill("first instalment")
    entry.get_by_role("button", name="Post entry").click()
    expect(tab.get_by_text(re.compile(r"posted\. Balance now ₹32,50,000\."))).to_be_visible()
    expect(tab.get_by_test_id("outstanding")).to_have_text("₹32,50,000")
    balances = tab.get_by_test_id("entry-balance")
    expect(balances).to_have_text(["₹45,00,000", "₹32,50,000"])
    ledger = world.admin.ok("GET", f"{SALES}/ledger/{customer['id']}")
    assert ledger["summary"]["outstanding"] == "3250000.00"
    assert [e["balance_after"] for e in ledger["entries"]] == ["4500000.00", "3250000.00"]
    screenshot(tab, "customer-ledger")
    tab.set_viewport_size({"width": 390, "height": 844})
    screenshot(tab, "customer-ledger-phone")


def _cells(scope: Any) -> dict[str, str]:
    """The ``data-key`` cells of ``scope``, once it is on the page (a tab's link was just
    clicked: the previous tab may still be showing)."""
    expect(scope.first).to_be_visible()
    found: dict[str, str] = {}
    for cell in scope.locator("[data-key]").all():
        found[cell.get_attribute("data-key") or ""] = cell.inner_text().strip()
    return found


def test_every_report_tab_shows_the_apis_numbers(tab: Page, world: TenantWorld) -> None:
    made = sales_month(world.admin)
    csp = _csp_errors(tab)
    log_in(tab, world, "manager", "/reports")

    # Dashboard: every KPI card against the API's value.
    dashboard = api_report(world.admin, "dashboard")
    for key, _label, kind in (*HEADLINE, *RATIOS):
        card = tab.get_by_test_id(f"kpi-{key}")
        expect(card.get_by_test_id("kpi-value")).to_have_text(
            expected_kpi_text(kind, dashboard["kpis"][key]["value"])
        )
    expect(tab.get_by_test_id("kpi-new_leads")).to_have_text(
        f"New {dashboard['kpis']['new_leads']['value']}"
    )
    screenshot(tab, "reports-dashboard")

    tabs = tab.get_by_role("navigation", name="Reports")
    tabs.get_by_role("link", name="Lead Funnel").click()
    funnel = api_report(world.admin, "funnel")
    total = _cells(tab.get_by_test_id("funnel-total"))
    for stage in ("new", "contacted", "qualified", "negotiation", "converted", "lost"):
        assert total[stage] == FMT.number(funnel["totals"][stage]), stage
    assert total["conversion_rate"] == expected_kpi_text(
        "percent", funnel["totals"]["conversion_rate"]
    )
    this_month = funnel["months"][-1]
    row = _cells(tab.locator(f'[data-month="{this_month["month"]}"]'))
    assert row["new"] == FMT.number(this_month["new"])
    expect(tab.locator("figure.chart svg")).to_be_visible()
    tab.get_by_role("link", name="New", exact=True).click()  # sort by leads
    expect(tab.locator('th[aria-sort="descending"]')).to_contain_text("New")  # most first
    screenshot(tab, "reports-funnel")

    tabs.get_by_role("link", name="Source Performance").click()
    sources = api_report(world.admin, "source-performance")
    cards = tab.get_by_test_id("source-card")
    expect(cards).to_have_count(len(sources["sources"]))
    for source in sources["sources"]:
        cells = _cells(tab.locator(f'[data-source-id="{source["source_id"]}"]'))
        assert cells["total_leads"] == FMT.number(source["total_leads"])
        assert cells["converted"] == FMT.number(source["converted"])
        assert cells["conversion_rate"] == expected_kpi_text("percent", source["conversion_rate"])
        assert cells["cost_per_lead"] == expected_kpi_text("money", source["cost_per_lead"])
    screenshot(tab, "reports-sources")

    tabs.get_by_role("link", name="Campaigns").click()
    campaigns = api_report(world.admin, "campaign-performance")
    row_data = next(r for r in campaigns["campaigns"] if r["campaign_id"] == made["campaign"]["id"])
    cells = _cells(tab.locator(f'[data-campaign-id="{row_data["campaign_id"]}"]'))
    for key in ("revenue", "budget", "cost_per_lead", "cost_per_conversion"):
        assert cells[key] == expected_kpi_text("money", row_data[key]), key
    for key in ("roi", "expected_roi", "cash_roi", "conversion_rate"):
        assert cells[key] == expected_kpi_text("percent", row_data[key]), key
    assert cells["roi"] == "200%"
    screenshot(tab, "reports-campaigns")

    tabs.get_by_role("link", name="Bookings").click()
    bookings = api_report(world.admin, "bookings")
    for status in bookings["statuses"]:
        cells = _cells(
            tab.locator(f'[data-testid="booking-status-card"][data-status="{status["status"]}"]')
        )
        assert cells["count"] == FMT.number(status["count"])
        assert cells["total_amount"] == expected_kpi_text("money", status["total_amount"])
    totals = _cells(tab.get_by_test_id("booking-totals"))
    assert totals["churn_rate"] == expected_kpi_text("percent", bookings["churn_rate"])
    screenshot(tab, "reports-bookings")

    # A date range with nothing in it: every tab still answers, the API agrees.
    tab.get_by_label("From").fill("2020-01-01")
    tab.get_by_label("To").fill("2020-01-31")
    tab.get_by_role("button", name="Show").click()
    expect(tab.get_by_test_id("report-period")).to_contain_text("1 Jan 2020 to 31 Jan 2020")
    old = api_report(world.admin, "bookings", **{"from": "2020-01-01", "to": "2020-01-31"})
    assert old["total_count"] == 0
    expect(tab.get_by_test_id("booking-totals").locator('[data-key="total_count"]')).to_have_text(
        "0"
    )
    with tab.expect_download() as download:
        tab.get_by_test_id("download-xlsx").click()
    assert download.value.suggested_filename == "bookings-2020-01-01-2020-01-31.xlsx"
    assert csp == []  # the charts' inline styles carried the page's nonce
