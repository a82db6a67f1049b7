"""The customer ledger section: entries with running balances, the summary, posting an
entry (the server computes the balance) and reversing one; errors, roles, tenancy."""

from __future__ import annotations

import re

from tests.journey.helpers import SALES
from tests.money.conftest import book, buyer, new_customer, new_inventory, post
from tests.support import TenantWorld
from tests.web.support import WebClient, text_of


def _balances(page_text: str) -> list[str]:
    return re.findall(r'data-testid="entry-balance" data-value="([-0-9.]+)"', page_text)


def test_a_customer_without_entries_shows_an_empty_ledger(
    admin_web: WebClient, world: TenantWorld
) -> None:
    customer = new_customer(world.admin)
    page = admin_web.get(f"/customers/{customer['id']}")
    assert "No ledger entries yet." in page.text
    text = text_of(page)
    assert "Outstanding ₹0" in text
    assert "Collected —" in text
    assert "Oldest unpaid invoice None unpaid" in text


def test_entries_summary_and_posting_a_payment(admin_web: WebClient, world: TenantWorld) -> None:
    stock = new_inventory(world.admin)
    _lead, customer = buyer(world.admin)
    booking = book(world.admin, customer, stock["id"], status="confirmed")
    url = f"/customers/{customer}"
    page = admin_web.get(url)
    assert _balances(page.text) == ["5000000.00"]
    assert "Outstanding ₹50,00,000" in text_of(page)
    posted = admin_web.post(
        f"{url}/ledger",
        {
            "transaction_type": "payment",
            "amount": "12,50,000",
            "transaction_date": "2025-11-25",
            "booking_id": booking["id"],
            "description": "first instalment",
        },
    )
    assert posted.status_code == 200
    text = text_of(posted)
    assert re.search(r"Entry LED-[A-Z0-9-]+-\d{4} posted\. Balance now ₹37,50,000\.", text)
    assert _balances(posted.text) == ["5000000.00", "3750000.00"]
    assert "Paid ₹12,50,000" in text
    assert "Collected 25%" in text
    assert "Last payment 25 Nov 2025" in text
    api = world.admin.ok("GET", f"{SALES}/ledger/{customer}")
    assert [e["balance_after"] for e in api["entries"]] == _balances(posted.text)
    assert api["entries"][1]["reference_document_id"] == booking["id"]
    assert api["summary"]["payment_collection_percent"] == "25.00"


def test_a_refused_entry_keeps_what_was_typed_with_errors_beside_fields(
    admin_web: WebClient, world: TenantWorld
) -> None:
    customer = new_customer(world.admin)
    url = f"/customers/{customer['id']}"
    admin_web.get(url)
    bad = admin_web.post(
        f"{url}/ledger",
        {"transaction_type": "adjustment", "amount": "lots", "description": "goodwill"},
    )
    assert bad.status_code == 422
    assert 'id="entry-amount-error"' in bad.text
    assert 'id="entry-direction-error"' in bad.text
    assert 'value="lots"' in bad.text
    assert 'value="goodwill"' in bad.text
    huge = admin_web.post(f"{url}/ledger", {"transaction_type": "invoice", "amount": "1.234"})
    assert huge.status_code == 422
    assert 'id="entry-amount-error"' in huge.text
    assert world.admin.ok("GET", f"{SALES}/ledger/{customer['id']}")["entries"] == []
    adjusted = admin_web.post(
        f"{url}/ledger",
        {"transaction_type": "adjustment", "amount": "1,000.50", "direction": "debit"},
    )
    assert "Balance now ₹1,000.50" in adjusted.text


def test_reversing_an_entry_and_refusing_a_second_reversal(
    admin_web: WebClient, world: TenantWorld
) -> None:
    customer = new_customer(world.admin)
    post(world.admin, customer["id"], "invoice", "200000.00")
    payment = post(world.admin, customer["id"], "payment", "50000.00")
    url = f"/customers/{customer['id']}"
    admin_web.get(url)
    reversed_page = admin_web.post(
        f"{url}/ledger/{payment['id']}/reverse", {"description": "cheque bounced"}
    )
    assert "Entry reversed. Balance now ₹2,00,000." in text_of(reversed_page)
    assert _balances(reversed_page.text) == ["200000.00", "150000.00", "200000.00"]
    assert "cheque bounced" in reversed_page.text
    assert "Paid ₹0" in text_of(reversed_page)
    # No reverse button for the reversed entry or the reversal; forcing it is refused.
    assert reversed_page.text.count("Post reversal") == 1
    again = admin_web.post(f"{url}/ledger/{payment['id']}/reverse", {})
    assert again.status_code == 409
    assert "is reversed, not active" in again.text
    entries = world.admin.ok("GET", f"{SALES}/ledger/{customer['id']}")["entries"]
    assert [e["status"] for e in entries] == ["active", "reversed", "active"]


def test_reps_see_no_ledger_and_viewers_get_no_forms(
    rep_web: WebClient, viewer_web: WebClient, world: TenantWorld
) -> None:
    customer = new_customer(world.admin)
    invoice = post(world.admin, customer["id"], "invoice", "100000.00")
    url = f"/customers/{customer['id']}"
    rep_page = rep_web.get(url)
    assert rep_page.status_code == 200
    assert "Ledger" not in rep_page.text
    assert "₹1,00,000" not in rep_page.text
    forced = rep_web.post(f"{url}/ledger", {"transaction_type": "payment", "amount": "1"})
    assert forced.status_code == 403
    assert rep_web.post(f"{url}/ledger/{invoice['id']}/reverse", {}).status_code == 403
    viewer_page = viewer_web.get(url)
    assert "Outstanding ₹1,00,000" in text_of(viewer_page)
    assert "Add an entry" not in viewer_page.text
    assert "Post reversal" not in viewer_page.text
    assert (
        viewer_web.post(f"{url}/ledger", {"transaction_type": "payment", "amount": "1"}).status_code
        == 403
    )
    assert len(world.admin.ok("GET", f"{SALES}/ledger/{customer['id']}")["entries"]) == 1


def test_another_customers_or_tenants_entry_is_not_found(
    admin_web: WebClient, world: TenantWorld, other_world: TenantWorld
) -> None:
    mine = new_customer(world.admin)
    other = new_customer(world.admin, "Asha Rao")
    entry = post(world.admin, other["id"], "invoice", "100.00")
    theirs = new_customer(other_world.admin)
    their_entry = post(other_world.admin, theirs["id"], "invoice", "100.00")
    admin_web.get(f"/customers/{mine['id']}")
    assert (
        admin_web.post(f"/customers/{mine['id']}/ledger/{entry['id']}/reverse", {}).status_code
        == 404
    )
    assert (
        admin_web.post(
            f"/customers/{mine['id']}/ledger/{their_entry['id']}/reverse", {}
        ).status_code
        == 404
    )
    assert (
        admin_web.post(
            f"/customers/{theirs['id']}/ledger", {"transaction_type": "payment", "amount": "1"}
        ).status_code
        == 404
    )
