"""A date left out of a write is today in the tenant's time zone, not the server's UTC day.

The tenant's zone is picked so that its calendar day differs from UTC's while the test runs
(UTC+14 from 11:00 UTC, UTC-12 before): every assertion would fail on the UTC day. A date
that was a day off made a same-day cancellation of a booking dated "today" a 422 for an
Indian tenant between midnight and 05:30.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.money.conftest import BOOKINGS, INVENTORY, LEDGER, new_customer, new_inventory
from tests.support import ApiClient, build_tenant, local_today, zone_off_the_utc_day

SALES = "/api/v1/sales"


@pytest.fixture
def far_away(http: TestClient, session_factory: sessionmaker[Session]) -> tuple[ApiClient, date]:
    zone = zone_off_the_utc_day()
    today = local_today(zone)
    assert today != datetime.now(UTC).date()
    return build_tenant(http, session_factory, timezone=zone).admin, today


def _undated_booking(api: ApiClient, **extra: str) -> dict[str, str]:
    """A booking's body for a new customer and a new inventory row of 10 units, no date."""
    customer, stock = new_customer(api), new_inventory(api)
    return {
        "customer_id": customer["id"],
        "inventory_id": stock["id"],
        "booking_amount": "900",
        **extra,
    }


def test_a_lead_left_undated_is_dated_the_tenants_today(far_away: tuple[ApiClient, date]) -> None:
    api, today = far_away
    lead = api.ok("POST", f"{SALES}/leads", 201, json={"name": "Asha Rao"})
    assert lead["lead_date"] == today.isoformat()
    assert lead["lead_code"].startswith(f"LEAD-{today.year}-")  # the tenant's year, too
    milestones = api.ok("GET", f"{SALES}/leads/{lead['id']}/milestones")["items"]
    assert [m["milestone_date"] for m in milestones] == [today.isoformat()]


def test_bookings_and_ledger_entries_left_undated_are_the_tenants_today(
    far_away: tuple[ApiClient, date],
) -> None:
    api, today = far_away
    day = today.isoformat()
    booking = api.ok("POST", BOOKINGS, 201, json=_undated_booking(api, status="confirmed"))
    assert booking["booking_date"] == day
    customer_id = booking["customer_id"]
    invoice = api.ok("GET", f"{LEDGER}/{customer_id}")["entries"][0]
    assert (invoice["transaction_type"], invoice["transaction_date"]) == ("invoice", day)
    # Days since the oldest unpaid invoice count from the tenant's today: 0, not ±1.
    summary = api.ok("GET", f"{SALES}/reports/customer-ledger/{customer_id}")
    assert summary["days_since_oldest_unpaid_invoice"] == 0

    payment = {"customer_id": customer_id, "transaction_type": "payment"}
    paid = api.ok("POST", LEDGER, 201, json={**payment, "credit_amount": "500"})
    assert paid["transaction_date"] == day
    reversal = api.ok("POST", f"{LEDGER}/{paid['id']}/reverse", 201)
    assert reversal["transaction_date"] == day
    for_booking = {"reference_document_type": "booking", "reference_document_id": booking["id"]}
    api.ok("POST", LEDGER, 201, json={**payment, **for_booking, "credit_amount": "300"})

    # Cancelled the day it was booked, no date given: allowed, and dated today.
    cancelled = api.ok(
        "POST",
        f"{BOOKINGS}/{booking['id']}/cancel",
        200,
        json={"reason": "changed plans", "refund_amount": "300"},
    )
    assert cancelled["cancellation_date"] == day
    refund = api.ok("POST", f"{BOOKINGS}/{booking['id']}/refund", 201, json={})
    assert (refund["transaction_date"], refund["debit_amount"]) == (day, "300.00")


def test_a_booking_confirmed_later_is_invoiced_on_the_tenants_today(
    far_away: tuple[ApiClient, date],
) -> None:
    api, today = far_away
    body = _undated_booking(api, booking_date="2025-01-15")
    booking = api.ok("POST", BOOKINGS, 201, json=body)
    api.ok("PATCH", f"{BOOKINGS}/{booking['id']}", 200, json={"status": "confirmed"})
    invoice = api.ok("GET", f"{LEDGER}/{body['customer_id']}")["entries"][0]
    assert (invoice["transaction_type"], invoice["transaction_date"]) == (
        "invoice",
        today.isoformat(),
    )


def test_a_delivery_before_the_booking_day_left_out_is_refused(
    far_away: tuple[ApiClient, date],
) -> None:
    api, today = far_away
    before = date.fromordinal(today.toordinal() - 1).isoformat()
    body = _undated_booking(api, delivery_date=before)
    refused = api.ok("POST", BOOKINGS, 422, json=body)
    assert refused["detail"] == "delivery_date may not be before booking_date"
    stock = api.ok("GET", f"{INVENTORY}/{body['inventory_id']}")
    assert stock["units_available"] == 10  # none taken
