"""A manager's billing day in a real browser: build and send a quotation, the buyer accepts
it (the unit is booked), set a construction-linked payment plan, mark the stage reached,
raise the demand, record the payment and download its receipt, whose text carries the
amount; a screenshot at each step (artifacts/screenshots/billing-*.png)."""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from salestrack.documents.numbers import financial_year
from tests.documents.support import quoting_world
from tests.support import TenantWorld
from tests.web.browser.conftest import screenshot
from tests.web.browser.test_journey_walk import log_in

pytestmark = pytest.mark.browser
TOTAL = "₹1,16,65,250"
PROJECT = "Whitefield Towers"


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


def _today() -> str:
    """The tenant's day (its zone is the default, Asia/Kolkata)."""
    return datetime.now(ZoneInfo("Asia/Kolkata")).date().isoformat()


def test_quotation_to_receipt(tab: Page, world: TenantWorld) -> None:
    lead_id, inventory_id = quoting_world(world.admin)
    log_in(tab, world, "manager", "/reports")
    _quote_send_accept(tab, world, lead_id, inventory_id)
    booking_url = tab.url
    expect(tab.get_by_test_id("no-plan")).to_be_visible()

    # The project's construction stages, added on their page.
    tab.get_by_role("navigation", name="Main").get_by_role("link", name="Stages").click()
    expect(tab.get_by_text("No construction stages yet.")).to_be_visible()
    for position, name in enumerate(("Completion of plinth", "Completion of slab 5"), 1):
        tab.get_by_label("Project").select_option(PROJECT)
        tab.get_by_label("Stage", exact=True).fill(name)
        tab.get_by_label("Order").fill(str(position))
        tab.get_by_role("button", name="Add stage").click()
        expect(tab.get_by_text("Stage added.")).to_be_visible()
    expect(tab.get_by_test_id("stage")).to_have_count(2)
    screenshot(tab, "billing-05-stages")

    # A 10/20/70 construction-linked plan through the booking page's form.
    tab.goto(booking_url)
    plan = tab.locator("#plan-form")
    rows = (
        ("On booking", "10", None),
        ("On completion of plinth", "20", "Completion of plinth"),
        ("On completion of slab 5", "70", "Completion of slab 5"),
    )
    for n, (label, share, stage) in enumerate(rows, 1):
        plan.get_by_label(f"Instalment {n}", exact=True).fill(label)
        plan.get_by_label(f"Instalment {n} share %").fill(share)
        if stage is None:
            plan.get_by_label(f"Instalment {n} due on").fill(_today())
        else:
            plan.get_by_label(f"Instalment {n} stage").select_option(label=stage)
    screenshot(tab, "billing-06-plan-form")
    plan.get_by_role("button", name="Save payment plan").click()
    expect(tab.get_by_text("Payment plan saved.")).to_be_visible()
    states = tab.get_by_test_id("instalment-state")
    expect(states).to_have_text(["Due", "Upcoming", "Upcoming"])
    expect(tab.get_by_test_id("instalment-amount")).to_have_text(
        ["₹11,66,525", "₹23,33,050", "₹81,65,675"]
    )
    screenshot(tab, "billing-07-plan")

    # The plinth is reached: its instalment falls due.
    tab.get_by_role("link", name=f"Construction stages of {PROJECT}").click()
    tab.get_by_test_id("stage").filter(has_text="Completion of plinth").get_by_test_id(
        "mark-reached"
    ).click()
    expect(tab.get_by_test_id("stage-reached")).to_be_visible()
    expect(tab.get_by_test_id("mark-reached")).to_have_count(1)
    screenshot(tab, "billing-08-stage-reached")
    tab.goto(booking_url)
    expect(states).to_have_text(["Due", "Due", "Upcoming"])

    # The demands: the first instalment's, then the plinth's.
    fy = financial_year(datetime.now(ZoneInfo("Asia/Kolkata")).date())
    tab.get_by_test_id("raise-demand").first.click()
    expect(tab.get_by_test_id("demand-raised")).to_contain_text(f"INV/{fy}/000001")
    tab.get_by_test_id("raise-demand").click()
    expect(tab.get_by_test_id("demand-raised")).to_contain_text(f"INV/{fy}/000002")
    expect(states).to_have_text(["Demanded", "Demanded", "Upcoming"])
    screenshot(tab, "billing-09-demands")

    # The first demand paid on the customer's ledger: its receipt is issued.
    tab.get_by_role("link", name=re.compile("Ravi Kumar")).first.click()
    tab.get_by_text("Add an entry").click()
    entry = tab.locator("#entry-form")
    entry.get_by_label("Type").select_option("payment")
    entry.get_by_label("Amount (INR)").fill("11,66,525")
    entry.get_by_label("For booking").select_option(index=1)
    screenshot(tab, "billing-10-payment-form")
    entry.get_by_role("button", name="Post entry").click()
    expect(tab.get_by_text(re.compile(r"Entry .* posted\."))).to_be_visible()
    documents = tab.get_by_test_id("buyer-documents")
    expect(documents).to_contain_text(f"RCT/{fy}/000001")
    screenshot(tab, "billing-11-customer-documents")

    tab.goto(booking_url)
    expect(states).to_have_text(["Paid", "Demanded", "Upcoming"])
    receipt = tab.get_by_test_id("booking-document").filter(has_text=f"RCT/{fy}/000001")
    screenshot(tab, "billing-12-booking-paid")
    with tab.expect_download() as download:
        receipt.get_by_role("link", name=re.compile("PDF")).click()
    content = Path(download.value.path()).read_bytes()
    assert content.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert f"RCT/{fy}/000001" in text
    assert "11,66,525.00" in text
    assert "Eleven Lakh Sixty Six Thousand Five Hundred Twenty Five" in text
