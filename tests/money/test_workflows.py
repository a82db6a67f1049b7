"""The issue's money workflows end to end through the API, on both databases."""

from __future__ import annotations

from tests.money.conftest import BOOKINGS, INVENTORY, LEDGER, book, buyer, new_inventory, post
from tests.support import ApiClient


def _timeline(api: ApiClient, lead: str) -> dict[str, object]:
    timeline: dict[str, object] = api.ok("GET", f"/api/v1/sales/reports/milestone-timeline/{lead}")
    return timeline


def test_booking_invoice_payment(api: ApiClient) -> None:
    stock = new_inventory(api, total=10)
    lead, customer = buyer(api)
    assert _timeline(api, lead)["conversion_value"] is None
    booking = book(api, customer, stock["id"], status="confirmed", unit_count=1)
    assert booking["units_available"] == 9

    [invoice] = api.ok("GET", f"{LEDGER}/{customer}")["entries"]
    assert (invoice["transaction_type"], invoice["balance_after"]) == ("invoice", "5000000.00")
    assert invoice["transaction_date"] == "2025-11-21"
    assert invoice["reference_document_id"] == booking["id"]

    first = post(
        api,
        customer,
        "payment",
        "2000000.00",
        reference_document_type="booking",
        reference_document_id=booking["id"],
    )
    assert first["balance_after"] == "3000000.00"
    last = post(api, customer, "payment", "3000000.00", balance_after="0.00")
    assert last["balance_after"] == "0.00"

    summary = api.ok("GET", f"/api/v1/sales/reports/customer-ledger/{customer}")
    assert summary["total_invoiced"] == "5000000.00"
    assert summary["total_paid"] == "5000000.00"
    assert summary["outstanding"] == "0.00"
    assert summary["payment_collection_percent"] == "100.00"

    assert api.ok("GET", f"/api/v1/sales/leads/{lead}")["status"] == "converted"
    timeline = _timeline(api, lead)
    assert timeline["conversion_value"] == "5000000.00"
    assert timeline["conversion_time_days"] is not None
    completed = api.ok("PATCH", f"{BOOKINGS}/{booking['id']}", json={"status": "completed"})
    assert completed["status"] == "completed"
    assert len(api.ok("GET", f"{LEDGER}/{customer}")["entries"]) == 3  # no second invoice


def test_cancellation_refund(api: ApiClient) -> None:
    stock = new_inventory(api, total=10)
    lead, customer = buyer(api)
    booking = book(api, customer, stock["id"], status="confirmed", unit_count=2)
    on_booking = {"reference_document_type": "booking", "reference_document_id": booking["id"]}
    paid = post(api, customer, "payment", "500000.00", **on_booking)
    assert paid["balance_after"] == "4500000.00"

    url = f"{BOOKINGS}/{booking['id']}"
    too_much = api.post(f"{url}/cancel", json={"reason": "budget", "refund_amount": "500000.01"})
    assert too_much.status_code == 409  # more than was paid: the booking's state
    cancelled = api.ok(
        "POST",
        f"{url}/cancel",
        json={
            "reason": "Budget constraints",
            "refund_amount": "400000.00",
            "cancellation_date": "2025-12-01",
        },
    )
    assert cancelled["status"] == "cancelled"
    assert cancelled["cancellation_date"] == "2025-12-01"
    assert cancelled["cancellation_reason"] == "Budget constraints"
    assert cancelled["cancellation_refund_amount"] == "400000.00"
    assert (cancelled["units_booked"], cancelled["units_available"]) == (0, 10)
    assert api.ok("GET", f"{INVENTORY}/{stock['id']}")["units_available"] == 10

    entries = api.ok("GET", f"{LEDGER}/{customer}")["entries"]
    note = entries[-1]
    assert (note["transaction_type"], note["credit_amount"]) == ("credit_note", "4900000.00")
    assert note["balance_after"] == "-400000.00"
    assert note["reference_document_id"] == booking["id"]

    assert api.ok("GET", f"/api/v1/sales/leads/{lead}")["status"] == "lost"
    milestones = api.ok("GET", f"/api/v1/sales/milestones/lead/{lead}")
    items = milestones["items"] if isinstance(milestones, dict) else milestones
    assert [m["milestone_type"] for m in items][-2:] == ["booking", "cancellation"]

    assert api.post(f"{url}/refund", json={"amount": "400000.01"}).status_code == 409
    refund = api.ok("POST", f"{url}/refund", 201, json={"transaction_date": "2025-12-05"})
    assert (refund["transaction_type"], refund["debit_amount"]) == ("adjustment", "400000.00")
    assert refund["reference_document_id"] == booking["id"]
    assert refund["balance_after"] == "0.00"
    assert api.post(f"{url}/refund", json={}).status_code == 409

    summary = api.ok("GET", f"/api/v1/sales/reports/customer-ledger/{customer}")
    assert summary["outstanding"] == "0.00"
    assert summary["total_credit_notes"] == "4900000.00"
    assert summary["total_refunded"] == "400000.00"
    # 100,000 kept as the cancellation fee against 100,000 net billed.
    assert summary["payment_collection_percent"] == "100.00"
    assert _timeline(api, lead)["conversion_value"] == "0.00"


def test_refund_in_parts_and_only_for_cancelled_bookings(api: ApiClient) -> None:
    stock = new_inventory(api)
    _, customer = buyer(api)
    booking = book(api, customer, stock["id"], status="confirmed", booking_amount="1000")
    url = f"{BOOKINGS}/{booking['id']}"
    assert api.post(f"{url}/refund", json={}).status_code == 409
    post(
        api,
        customer,
        "payment",
        "600",
        reference_document_type="booking",
        reference_document_id=booking["id"],
    )
    api.ok("POST", f"{url}/cancel", json={"reason": "moved", "refund_amount": "600"})
    assert api.ok("GET", f"{LEDGER}/{customer}")["entries"][-1]["balance_after"] == "-600.00"
    api.ok("POST", f"{url}/refund", 201, json={"amount": "250"})
    last = api.ok("POST", f"{url}/refund", 201, json={})
    assert (last["debit_amount"], last["balance_after"]) == ("350.00", "0.00")


def test_cancelling_an_unpaid_pending_booking_posts_nothing(api: ApiClient) -> None:
    stock = new_inventory(api)
    _, customer = buyer(api)
    booking = book(api, customer, stock["id"])
    api.ok("POST", f"{BOOKINGS}/{booking['id']}/cancel", json={"reason": "no show"})
    assert api.ok("GET", f"{LEDGER}/{customer}")["entries"] == []


def test_fee_kept_on_an_uninvoiced_advance_is_a_debit_note(api: ApiClient) -> None:
    stock = new_inventory(api)
    _, customer = buyer(api)
    booking = book(api, customer, stock["id"], status="on_hold")
    post(
        api,
        customer,
        "payment",
        "100000",
        reference_document_type="booking",
        reference_document_id=booking["id"],
    )
    api.ok(
        "POST",
        f"{BOOKINGS}/{booking['id']}/cancel",
        json={"reason": "changed plans", "refund_amount": "75000"},
    )
    note = api.ok("GET", f"{LEDGER}/{customer}")["entries"][-1]
    assert (note["transaction_type"], note["debit_amount"]) == ("debit_note", "25000.00")
    assert note["balance_after"] == "-75000.00"


def test_payment_referencing_someone_elses_booking_is_422(api: ApiClient) -> None:
    stock = new_inventory(api)
    _, customer = buyer(api)
    _, other = buyer(api, "Other")
    booking = book(api, customer, stock["id"])
    body = {
        "customer_id": other,
        "transaction_type": "payment",
        "credit_amount": "10",
        "reference_document_type": "booking",
        "reference_document_id": booking["id"],
    }
    assert api.post(LEDGER, json=body).status_code == 422
    body["reference_document_id"] = "not-a-uuid"
    assert api.post(LEDGER, json=body).status_code == 422
