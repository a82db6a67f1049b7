"""A buyer enquires twice on the hosted form; the admin finds the re-enquiry on the lead,
then the likely duplicate the buyer's old spreadsheet row made, and merges it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.support import TenantWorld
from tests.web.browser.conftest import screenshot
from tests.web.browser.test_journey_walk import log_in

pytestmark = pytest.mark.browser
LEADS = "/api/v1/sales/leads"


def _enquire(tab: Page, slug: str, query: str, name: str, phone: str, message: str) -> None:
    tab.goto(f"/enquire/{slug}?{query}")
    tab.get_by_label("Your name").fill(name)
    tab.get_by_label("Phone").fill(phone)
    tab.get_by_label("Message").fill(message)
    tab.get_by_role("button", name="Send enquiry").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Thank you")


def test_capture_form_lead_page_duplicates_merge(tab: Page, world: TenantWorld) -> None:
    _enquire(tab, world.slug, "utm_source=facebook", "Asha Rao", "+91 98100 00051", "2BHK?")
    screenshot(tab, "capture-thanks")
    _enquire(tab, world.slug, "gclid=abc", "Asha", "098100 00051", "Still keen on a 2BHK")
    leads = world.admin.ok("GET", LEADS)["items"]
    assert len(leads) == 1  # the second enquiry was a re-enquiry, not a lead
    first = leads[0]
    # An old row for the same buyer, typed in by hand without a phone.
    old = world.admin.ok("POST", LEADS, 201, json={"name": "Asha Rao", "company": "Rao & Co"})

    log_in(tab, world, "admin", "/reports")
    tab.goto(f"/leads/{first['id']}")
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Asha Rao")
    timeline = tab.locator("#panel-milestones")  # the timeline shows the re-enquiry
    expect(timeline.get_by_text("Still keen on a 2BHK")).to_be_visible()
    expect(timeline).to_contain_text("Enquiry received")
    screenshot(tab, "capture-lead-re-enquiry")

    tab.get_by_role("navigation", name="Main").get_by_role("link", name="Duplicates").click()
    table = tab.get_by_test_id("duplicates")
    expect(table).to_contain_text(first["lead_code"])
    expect(table).to_contain_text(old["lead_code"])
    screenshot(tab, "capture-duplicates")
    tab.get_by_role("button", name=f"Merge into {first['lead_code']}").click()
    expect(tab).to_have_url(re.compile(rf"/leads/{first['id']}"))
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Asha Rao")
    screenshot(tab, "capture-merged")
    assert world.admin.get(f"{LEADS}/{old['id']}").status_code == 404
    assert world.admin.ok("GET", f"{LEADS}/{first['id']}")["company"] == "Rao & Co"
