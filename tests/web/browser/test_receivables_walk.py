"""Receivables in a real browser: the dashboard's long lakh/crore figures fit their cards at
360, 768 and 1280 px, the Outstanding card leads to the receivables page, whose health
bands and sorting work, and a customer's ledger shows its band."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.money.conftest import new_customer, post
from tests.support import TenantWorld
from tests.web.browser.conftest import screenshot
from tests.web.browser.test_journey_walk import log_in

pytestmark = pytest.mark.browser

WIDTHS = (360, 768, 1280)

# Cards whose content spills past their border, and whether the page scrolls sideways.
OVERFLOW = """() => {
  const spilled = [];
  for (const card of document.querySelectorAll('.kpi')) {
    const box = card.getBoundingClientRect();
    for (const part of card.querySelectorAll('.kpi-value, dt, .kpi-part, .trend')) {
      const r = part.getBoundingClientRect();
      if (r.right > box.right + 0.5 || r.left < box.left - 0.5) {
        spilled.push(card.dataset.testid + ': ' + part.textContent.trim());
      }
    }
    if (card.scrollWidth > card.clientWidth + 1) spilled.push(card.dataset.testid + ' scrolls');
  }
  const page = document.documentElement.scrollWidth > window.innerWidth + 1;
  return {spilled, page};
}"""


def _owing_tenant(world: TenantWorld) -> dict[str, str]:
    """Customers in every band, owing ₹20,03,10,000 in all (the issue's figure)."""
    api = world.admin
    old = (date.today() - timedelta(days=45)).isoformat()
    ids = {}
    for name, amount, day in (
        ("Ananya Iyer", "40000.00", None),  # good
        ("Rohan Deshmukh", "75000.00", None),  # monitor
        ("Kavya Reddy", "200175000.00", None),  # high risk: ₹20,01,75,000
        ("Vikram Malhotra", "20000.00", old),  # escalate: unpaid 45 days
    ):
        customer = new_customer(api, name)["id"]
        extra: dict[str, Any] = {"transaction_date": day} if day else {}
        post(api, customer, "invoice", amount, **extra)
        ids[name] = customer
    return ids


def test_dashboard_figures_fit_their_cards_at_every_width(tab: Page, world: TenantWorld) -> None:
    _owing_tenant(world)
    log_in(tab, world, "manager", "/reports")
    outstanding = tab.get_by_test_id("kpi-outstanding_balance").get_by_test_id("kpi-value")
    expect(outstanding).to_have_text("₹20,03,10,000")
    for width in WIDTHS:
        tab.set_viewport_size({"width": width, "height": 900})
        tab.reload()
        expect(outstanding).to_be_visible()
        found: dict[str, Any] = tab.evaluate(OVERFLOW)
        assert found["spilled"] == [], (width, found["spilled"])
        assert found["page"] is False, width
        screenshot(tab, f"dashboard-{width}")


def test_receivables_page_bands_and_sorting(tab: Page, world: TenantWorld) -> None:
    ids = _owing_tenant(world)
    log_in(tab, world, "manager", "/reports")
    health = tab.get_by_test_id("ar-health")
    expect(health).to_have_attribute("data-status", "escalate")
    expect(tab.get_by_test_id("kpi-ar-health")).to_contain_text("AR health: Escalate")
    tab.get_by_test_id("receivables-link").click()
    expect(tab).to_have_url(re.compile(r"/reports\?tab=receivables$"))
    expect(tab.get_by_role("heading", name="Receivables", exact=True)).to_be_visible()
    rows = tab.get_by_test_id("debtor")
    expect(rows).to_have_count(4)
    expect(rows.first).to_have_attribute("data-customer", ids["Kavya Reddy"])  # owes most
    expect(rows.first.get_by_test_id("health-band")).to_have_text("High risk")
    for band, count in (("good", 1), ("monitor", 1), ("high_risk", 1), ("escalate", 1)):
        item = tab.locator(f'[data-testid="band-count"][data-band="{band}"]')
        expect(item).to_have_attribute("data-value", str(count))
    screenshot(tab, "receivables")

    tab.locator("[data-sort=health]").click()
    expect(rows.first).to_have_attribute("data-customer", ids["Vikram Malhotra"])
    expect(rows.first.get_by_test_id("health-band")).to_have_text("Escalate")
    tab.locator("[data-sort=name]").click()
    expect(rows.first).to_contain_text("Ananya Iyer")
    screenshot(tab, "receivables-by-name")
    for width in (360, 768):
        tab.set_viewport_size({"width": width, "height": 900})
        tab.reload()
        assert tab.evaluate(OVERFLOW)["page"] is False, width
        screenshot(tab, f"receivables-{width}")

    tab.set_viewport_size({"width": 1280, "height": 900})
    with tab.expect_download() as download:
        tab.get_by_test_id("download-csv").click()
    assert download.value.suggested_filename == "receivables.csv"

    rows.filter(has_text="Vikram Malhotra").get_by_role("link", name="Vikram Malhotra").click()
    expect(tab.get_by_test_id("customer-health")).to_have_text("Escalate")
    screenshot(tab, "customer-health")
