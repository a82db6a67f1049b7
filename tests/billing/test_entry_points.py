"""A payment gets its receipt whichever way it reaches the ledger: the API, the customer
page's form; a cancellation's credit note gets its document."""

from __future__ import annotations

from fastapi import FastAPI

from tests.billing.support import DOCUMENTS, SALES
from tests.money.conftest import book, buyer, new_inventory
from tests.support import TenantWorld
from tests.web.support import logged_in


def test_a_payment_posted_on_the_customer_page_gets_its_receipt(
    app: FastAPI, world: TenantWorld
) -> None:
    stock = new_inventory(world.admin)
    _lead, customer = buyer(world.admin)
    booking = book(world.admin, customer, stock["id"], status="confirmed")
    page = logged_in(app, world, "manager")
    posted = page.post(
        f"/customers/{customer}/ledger",
        {
            "transaction_type": "payment",
            "amount": "20,50,000",
            "transaction_date": "2025-11-25",
            "booking_id": booking["id"],
            "description": "second instalment",
        },
    )
    assert posted.status_code == 200
    receipts = world.admin.ok("GET", DOCUMENTS, params={"customer_id": customer})["items"]
    assert [(r["kind"], r["number"], r["amount"]) for r in receipts] == [
        ("receipt", "RCT/2025-26/000001", "2050000.00")
    ]
    assert receipts[0]["amount_in_words"] == "Rupees Twenty Lakh Fifty Thousand Only"
    assert receipts[0]["booking_id"] == booking["id"]
    assert receipts[0]["description"] == "second instalment"


def test_a_cancellation_and_an_api_credit_note_get_their_documents(world: TenantWorld) -> None:
    stock = new_inventory(world.admin)
    _lead, customer = buyer(world.admin)
    booking = book(world.admin, customer, stock["id"], status="confirmed")
    body = {
        "customer_id": customer,
        "transaction_type": "credit_note",
        "credit_amount": "1000.00",
        "transaction_date": "2026-04-01",
    }
    world.manager.ok("POST", f"{SALES}/ledger", 201, json=body)
    cancel = {"reason": "moved city", "refund_amount": "0", "cancellation_date": "2026-04-02"}
    world.manager.ok("POST", f"{SALES}/bookings/{booking['id']}/cancel", json=cancel)
    notes = world.admin.ok("GET", DOCUMENTS, params={"customer_id": customer})["items"]
    assert sorted((n["kind"], n["number"], n["amount"]) for n in notes) == [
        ("credit_note", "CN/2026-27/000001", "1000.00"),
        ("credit_note", "CN/2026-27/000002", "5000000.00"),
    ]
