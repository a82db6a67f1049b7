"""The seed documents' own requests, sent as written (only ids substituted), get the
answers the seed describes: "API Request Examples", "Example 3: Customer Financial
Tracking" and the quick reference's workflow 3 (cancellation)."""

from __future__ import annotations

import json
from typing import Any

from tests.money.conftest import BOOKINGS, LEDGER, new_inventory, post
from tests.support import ApiClient

SALES = "/api/v1/sales"

# Copied from 001_2017954370219148.txt, "API Request Examples".
SEED_MILESTONE = """{
    "lead_id": "lead-123",
    "milestone_type": "site_visit",
    "milestone_date": "2025-11-25",
    "location_name": "Bangalore Office",
    "visited_by": "sales-rep-1",
    "outcome": "positive",
    "notes": "Client very interested, follow-up in 2 days",
    "follow_up_required": true
  }"""
SEED_ENGAGEMENT = """{
    "lead_id": "lead-123",
    "engagement_type": "call_made",
    "engagement_channel": "phone",
    "subject": "Follow-up call - project discussion",
    "notes": "Discussed timeline and budget",
    "status": "completed"
  }"""
SEED_BOOKING = """{
    "customer_id": "cust-123",
    "lead_id": "lead-123",
    "booking_code": "BOOK-2025-001",
    "booking_date": "2025-11-25",
    "booking_amount": 500000,
    "unit_type": "apartment",
    "unit_count": 1,
    "units_booked": 1,
    "units_available": 2,
    "delivery_date": "2026-06-30",
    "status": "confirmed"
  }"""
# "Example 3: Customer Financial Tracking".
SEED_INVOICE = """{
     "customer_id": "cust-123",
     "transaction_type": "invoice",
     "debit_amount": 100000,
     "credit_amount": 0,
     "balance_after": 100000
   }"""
SEED_PAYMENT = """{
     "customer_id": "cust-123",
     "transaction_type": "payment",
     "debit_amount": 0,
     "credit_amount": 75000,
     "balance_after": 25000
   }"""
SEED_CREDIT_NOTE = """{
     "customer_id": "cust-123",
     "transaction_type": "credit_note",
     "debit_amount": 0,
     "credit_amount": 25000,
     "balance_after": 0
   }"""
# 002_f91ec7b42f594bf7.txt, "Workflow 3: Cancellation Tracking", steps 1-3 as JSON.
SEED_CANCELLATION_MILESTONE = """{
    "lead_id": "lead-123",
    "milestone_type": "cancellation",
    "notes": "Budget constraints - client company downsizing"
}"""
SEED_CANCEL_BOOKING = """{
    "status": "cancelled",
    "cancellation_reason": "Budget constraints",
    "cancellation_refund_amount": 500000
}"""
SEED_REFUND_NOTE = """{
    "customer_id": "cust-123",
    "transaction_type": "credit_note",
    "credit_amount": 500000,
    "remarks": "Full refund for cancelled booking"
}"""


def seed_body(text: str, **ids: str) -> dict[str, Any]:
    """The seed's body with its placeholder ids replaced by real ones."""
    names = {"lead": "lead-123", "customer": "cust-123", "rep": "sales-rep-1"}
    for key, value in ids.items():
        text = text.replace(f'"{names[key]}"', f'"{value}"')
    body: dict[str, Any] = json.loads(text)
    return body


def _lead_and_customer(api: ApiClient, name: str = "Acme Corp") -> tuple[str, str]:
    lead = api.ok("POST", f"{SALES}/leads", 201, json={"name": name, "lead_date": "2025-11-01"})
    body = {"name": name, "lead_id": lead["id"]}
    customer = api.ok("POST", f"{SALES}/customers", 201, json=body)
    return lead["id"], customer["id"]


def test_seed_site_visit_gets_the_default_follow_up_two_days_later(api: ApiClient) -> None:
    lead, _ = _lead_and_customer(api)
    body = seed_body(SEED_MILESTONE, lead=lead, rep=str(api.user_id))
    visit = api.ok("POST", f"{SALES}/milestones/lead", 201, json=body)
    assert (visit["follow_up_required"], visit["follow_up_date"]) == (True, "2025-11-27")
    assert visit["follow_up_status"] == "open"
    assert visit["defaults_applied"] == [
        "follow_up_date: 2025-11-27 (2 days after the milestone, the default follow-up)"
    ]
    assert (visit["status_before"], visit["status_after"]) == ("new", "qualified")
    stored = api.ok("GET", f"{SALES}/milestones/{visit['id']}")
    assert stored["follow_up_date"] == "2025-11-27"
    assert stored["defaults_applied"] == []


def test_a_positive_site_visit_asks_for_a_follow_up(api: ApiClient) -> None:
    lead, _ = _lead_and_customer(api)
    body = seed_body(SEED_MILESTONE, lead=lead, rep=str(api.user_id))
    del body["follow_up_required"]
    visit = api.ok("POST", f"{SALES}/milestones/lead", 201, json=body)
    assert (visit["follow_up_required"], visit["follow_up_date"]) == (True, "2025-11-27")
    assert visit["defaults_applied"][0].startswith("follow_up_required: true")
    declined = api.ok(
        "POST", f"{SALES}/milestones/lead", 201, json={**body, "follow_up_required": False}
    )
    assert (declined["follow_up_required"], declined["follow_up_date"]) == (False, None)
    neutral = api.ok("POST", f"{SALES}/milestones/lead", 201, json={**body, "outcome": "neutral"})
    assert neutral["follow_up_required"] is False


def test_seed_engagement_and_a_local_time_read_in_the_tenants_zone(api: ApiClient) -> None:
    lead, _ = _lead_and_customer(api)
    call = api.ok("POST", f"{SALES}/engagement", 201, json=seed_body(SEED_ENGAGEMENT, lead=lead))
    assert (call["engagement_type"], call["status"]) == ("call_made", "completed")
    assert call["subject"] == "Follow-up call - project discussion"
    assert api.ok("GET", f"{SALES}/leads/{lead}")["status"] == "contacted"
    local = {**seed_body(SEED_ENGAGEMENT, lead=lead), "engagement_date": "2025-11-05T10:00:00"}
    at_ten = api.ok("POST", f"{SALES}/engagement", 201, json=local)
    # The tenant's zone is Asia/Kolkata (+05:30): 10:00 there is 04:30 UTC.
    assert at_ten["engagement_date"].startswith("2025-11-05T04:30:00")
    answered = api.ok(
        "PATCH",
        f"{SALES}/engagements/{at_ten['id']}",
        json={"response_received": True, "response_date": "2025-11-05T10:15:00"},
    )
    assert answered["response_date"].startswith("2025-11-05T04:45:00")
    early = api.patch(
        f"{SALES}/engagements/{at_ten['id']}", json={"response_date": "2025-11-05T09:59:00"}
    )
    assert early.status_code == 422  # before the engagement, both read in the same zone


def test_seed_booking_finds_its_inventory_and_checks_the_units(api: ApiClient) -> None:
    lead, customer = _lead_and_customer(api)
    stock = new_inventory(api, total=3, project="Whitefield Heights", unit_type="apartment")
    new_inventory(api, total=5, project="Whitefield Heights", unit_type="villa")
    body = seed_body(SEED_BOOKING, lead=lead, customer=customer)
    booking = api.ok("POST", BOOKINGS, 201, json=body)
    assert booking["inventory_id"] == stock["id"]
    assert (booking["units_booked"], booking["units_available"]) == (1, 2)
    assert (booking["status"], booking["booking_code"]) == ("confirmed", "BOOK-2025-001")
    assert booking["defaults_applied"] == [
        f"inventory_id: {stock['id']} (Whitefield Heights, the only apartment inventory)"
    ]
    [invoice] = api.ok("GET", f"{LEDGER}/{customer}")["entries"]
    assert invoice["debit_amount"] == "500000.00"

    again = {**body, "booking_code": "BOOK-2025-002"}
    stale = api.post(BOOKINGS, json=again)  # one unit left now, not two
    assert stale.status_code == 409, stale.text
    assert stale.json()["units_available"] == 1
    assert api.ok("GET", f"{SALES}/inventory/{stock['id']}")["units_available"] == 2
    wrong_units = api.post(BOOKINGS, json={**again, "units_available": 1, "units_booked": 2})
    assert wrong_units.status_code == 409
    assert wrong_units.json()["units_booked"] == 1

    other = new_inventory(api, total=4, project="Sarjapur Greens", unit_type="apartment")
    ambiguous = api.post(BOOKINGS, json={**again, "units_available": 1})
    assert ambiguous.status_code == 422
    choices = {c["inventory_id"]: c for c in ambiguous.json()["choices"]}
    assert set(choices) == {stock["id"], other["id"]}
    assert choices[other["id"]]["units_available"] == 4
    chosen = {**again, "inventory_id": other["id"], "units_available": 3}
    assert api.ok("POST", BOOKINGS, 201, json=chosen)["defaults_applied"] == []


def test_seed_customer_financial_tracking(api: ApiClient) -> None:
    _, customer = _lead_and_customer(api)
    for text, balance in ((SEED_INVOICE, "100000.00"), (SEED_PAYMENT, "25000.00")):
        entry = api.ok("POST", LEDGER, 201, json=seed_body(text, customer=customer))
        assert entry["balance_after"] == balance
    note = api.ok("POST", LEDGER, 201, json=seed_body(SEED_CREDIT_NOTE, customer=customer))
    assert note["balance_after"] == "0.00"
    summary = api.ok("GET", f"{LEDGER}/{customer}")["summary"]
    assert (summary["total_invoiced"], summary["total_paid"]) == ("100000.00", "75000.00")
    assert (summary["total_credit_notes"], summary["outstanding"]) == ("25000.00", "0.00")
    off = api.post(LEDGER, json=seed_body(SEED_PAYMENT, customer=customer))
    assert off.status_code == 409  # the balance would be -75000, not 25000
    assert off.json()["balance_after"] == "-75000.00"


def test_seed_cancellation_workflow(api: ApiClient) -> None:
    lead, customer = _lead_and_customer(api, "Budget Corp")
    new_inventory(api, total=2, project="Hinjewadi Towers", unit_type="apartment")
    body = {**seed_body(SEED_BOOKING, lead=lead, customer=customer), "units_available": 1}
    booking = api.ok("POST", BOOKINGS, 201, json=body)
    reference = {"reference_document_type": "booking", "reference_document_id": booking["id"]}
    post(api, customer, "payment", "500000.00", **reference)

    step1 = seed_body(SEED_CANCELLATION_MILESTONE, lead=lead)
    cancelled_lead = api.ok("POST", f"{SALES}/milestones/lead", 201, json=step1)
    assert cancelled_lead["status_after"] == "lost"
    assert cancelled_lead["defaults_applied"][0].startswith("milestone_date: ")

    alone = api.patch(f"{BOOKINGS}/{booking['id']}", json={"status": "cancelled"})
    assert alone.status_code == 422
    assert "cancellation_reason" in alone.json()["detail"]
    step2 = seed_body(SEED_CANCEL_BOOKING)
    cancelled = api.ok("PATCH", f"{BOOKINGS}/{booking['id']}", json=step2)
    assert (cancelled["status"], cancelled["cancellation_reason"]) == (
        "cancelled",
        "Budget constraints",
    )
    assert cancelled["cancellation_refund_amount"] == "500000.00"
    assert (cancelled["units_booked"], cancelled["units_available"]) == (0, 2)
    entries = api.ok("GET", f"{LEDGER}/{customer}")["entries"]
    # The cancellation posts the refund's credit note itself, as POST …/cancel does.
    assert [(e["transaction_type"], e["credit_amount"]) for e in entries] == [
        ("invoice", "0.00"),
        ("payment", "500000.00"),
        ("credit_note", "500000.00"),
    ]
    assert entries[-1]["balance_after"] == "-500000.00"
    again = api.patch(f"{BOOKINGS}/{booking['id']}", json=step2)
    assert again.status_code == 409  # a cancelled booking is final


def test_seed_credit_note_remarks_are_its_description(api: ApiClient) -> None:
    _, customer = _lead_and_customer(api)
    post(api, customer, "invoice", "500000.00")
    note = api.ok("POST", LEDGER, 201, json=seed_body(SEED_REFUND_NOTE, customer=customer))
    assert note["description"] == "Full refund for cancelled booking"
    assert note["balance_after"] == "0.00"
