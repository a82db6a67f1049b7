"""A manager imports last year's spreadsheet: upload, the guessed column mapping over a
preview, the rows with problems (nothing written), then the valid rows only, with a buyer
who already has an open lead recorded as a re-enquiry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support import TenantWorld
from tests.web.browser.conftest import screenshot
from tests.web.browser.test_journey_walk import log_in

pytestmark = pytest.mark.browser
LEADS = "/api/v1/sales/leads"
SHEET = (
    "Full Name,Mobile,E-mail,Budget,Remarks\n"
    "Asha Rao,+91 98100 00601,asha@example.com,4500000,wants a 2BHK\n"
    "Bala Iyer,+91 98100 00602,,lots,budget unclear\n"
    "Chitra Nair,098100 00603,chitra@example.com,,enquired last year\n"
    "Dev Menon,,dev@example.com,5200000,\n"
)


def _upload(tab: Page, path: Path) -> None:
    tab.get_by_role("navigation", name="Main").get_by_role("link", name="Import").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Import leads")
    tab.get_by_label("File").set_input_files(str(path))
    tab.get_by_role("button", name="Upload and preview").click()
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Map the columns")


def test_upload_mapping_errors_then_valid_rows(
    tab: Page, world: TenantWorld, tmp_path: Path
) -> None:
    open_lead = world.admin.ok(
        "POST", LEADS, 201, json={"name": "Chitra N", "phone": "+91 98100 00603"}
    )
    path = tmp_path / "last-year.csv"
    path.write_text(SHEET, encoding="utf-8")
    log_in(tab, world, "manager", "/reports")

    _upload(tab, path)
    expect(tab.get_by_test_id("preview")).to_contain_text("Asha Rao")
    expect(tab.get_by_label("Full Name")).to_have_value("name")
    expect(tab.get_by_label("Budget")).to_have_value("expected_value")
    tab.get_by_label("Remarks").select_option("notes")
    screenshot(tab, "import-mapping")
    tab.get_by_role("button", name="Import").click()
    status = tab.get_by_test_id("import-status")
    expect(status).to_have_attribute("data-status", "refused", timeout=30_000)
    expect(status).to_contain_text("Nothing was imported")
    expect(tab.get_by_test_id("import-problems")).to_contain_text("expected_value")
    expect(tab.get_by_role("link", name="Download all problems (CSV)")).to_be_visible()
    screenshot(tab, "import-errors")
    assert [lead["name"] for lead in world.admin.ok("GET", LEADS)["items"]] == ["Chitra N"]

    _upload(tab, path)
    tab.get_by_label("Remarks").select_option("notes")
    tab.get_by_label("Import the valid rows only, and list the others").check()
    tab.get_by_label("Record a re-enquiry on the open lead (no second lead)").check()
    tab.get_by_role("button", name="Import").click()
    expect(status).to_have_attribute("data-status", "done", timeout=30_000)
    expect(status).to_contain_text("Imported: 2 new leads, 1 re-enquiry on open leads")
    expect(tab.get_by_test_id("import-reenquiries")).to_contain_text(open_lead["lead_code"])
    screenshot(tab, "import-done")
    names = sorted(lead["name"] for lead in world.admin.ok("GET", LEADS)["items"])
    assert names == ["Asha Rao", "Chitra N", "Dev Menon"]
    tab.get_by_role("link", name="Import another file").click()
    expect(tab.get_by_test_id("recent-imports")).to_contain_text("last-year.csv")
    expect(tab).to_have_url(re.compile(r"/imports$"))
