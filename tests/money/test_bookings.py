"""Bookings: units, the state machine, confirmation side effects, filters, roles."""

from __future__ import annotations

import pytest

from tests.money.conftest import BOOKINGS, INVENTORY, LEDGER, book, buyer, new_inventory
from tests.support import ApiClient, TenantWorld


def _milestones(api: ApiClient, lead_id: str) -> list[str]:
    rows = api.ok("GET", f"/api/v1/sales/milestones/lead/{lead_id}")
    items = rows["items"] if isinstance(rows, dict) else rows
    return [m["milestone_type"] for m in items]


def test_pending_booking_takes_units_and_gets_a_code(api: ApiClient) -> None:
    stock = new_inventory(api, total=10)
    lead, customer = buyer(api)
    booking = book(api, customer, stock["id"], unit_count=2, delivery_date="2027-06-30")
    assert booking["booking_code"].startswith("BKG-")
    assert booking["status"] == "pending"
    assert booking["lead_id"] == lead  # taken from the customer
    assert (booking["unit_type"], booking["project"]) == ("3BHK", "Whitefield Towers")
    assert (booking["unit_count"], booking["units_booked"], booking["units_available"]) == (2, 2, 8)
    assert booking["booking_amount"] == "5000000.00"
    assert booking["invoice_entry_id"] is None
    assert api.ok("GET", f"{LEDGER}/{customer}")["entries"] == []
    assert "booking" not in _milestones(api, lead)


def test_overbooking_is_409_with_units_left(api: ApiClient) -> None:
    stock = new_inventory(api, total=3)
    _, customer = buyer(api)
    book(api, customer, stock["id"], unit_count=2)
    refused = api.post(
        BOOKINGS,
        json={
            "customer_id": customer,
            "inventory_id": stock["id"],
            "booking_amount": "100",
            "unit_count": 2,
        },
    )
    assert refused.status_code == 409
    assert refused.json()["units_available"] == 1
    assert api.ok("GET", f"{INVENTORY}/{stock['id']}")["units_available"] == 1


def test_confirming_invoices_and_converts_the_lead(api: ApiClient) -> None:
    stock = new_inventory(api)
    lead, customer = buyer(api)
    booking = book(api, customer, stock["id"])
    confirmed = api.ok("PATCH", f"{BOOKINGS}/{booking['id']}", json={"status": "confirmed"})
    assert confirmed["invoice_entry_id"]
    [invoice] = api.ok("GET", f"{LEDGER}/{customer}")["entries"]
    assert invoice["id"] == confirmed["invoice_entry_id"]
    assert (invoice["transaction_type"], invoice["debit_amount"]) == ("invoice", "5000000.00")
    assert invoice["reference_document_type"] == "booking"
    assert invoice["reference_document_id"] == booking["id"]
    assert api.ok("GET", f"/api/v1/sales/leads/{lead}")["status"] == "converted"
    assert _milestones(api, lead)[-1] == "booking"
    # Invoiced once: the amount is now the ledger's business.
    change = api.patch(f"{BOOKINGS}/{booking['id']}", json={"booking_amount": "1.00"})
    assert change.status_code == 409


def test_amount_may_change_before_confirmation(api: ApiClient) -> None:
    stock = new_inventory(api)
    _, customer = buyer(api)
    booking = book(api, customer, stock["id"])
    changed = api.ok("PATCH", f"{BOOKINGS}/{booking['id']}", json={"booking_amount": "4500000"})
    assert changed["booking_amount"] == "4500000.00"


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        (["on_hold", "pending", "confirmed", "completed"], "pending"),
        (["confirmed"], "pending"),
        (["confirmed"], "on_hold"),
        (["on_hold"], "completed"),
        (["pending"], "completed"),
    ],
)
def test_state_machine(api: ApiClient, path: list[str], refused: str) -> None:
    stock = new_inventory(api)
    _, customer = buyer(api)
    booking = book(api, customer, stock["id"])
    url = f"{BOOKINGS}/{booking['id']}"
    for status in path:
        if status != "pending" or booking["status"] != "pending":
            booking = api.ok("PATCH", url, json={"status": status})
    response = api.patch(url, json={"status": refused})
    assert response.status_code == 409, response.text
    assert api.ok("GET", url)["status"] == path[-1]


def test_cancelled_is_final_and_cancel_goes_through_its_endpoint(api: ApiClient) -> None:
    stock = new_inventory(api)
    _, customer = buyer(api)
    booking = book(api, customer, stock["id"], status="confirmed")
    url = f"{BOOKINGS}/{booking['id']}"
    reasonless = api.patch(url, json={"status": "cancelled"})
    assert reasonless.status_code == 422
    assert "cancellation_reason" in reasonless.json()["detail"]
    api.ok("POST", f"{url}/cancel", json={"reason": "budget"})
    for status in ("completed", "confirmed", "pending"):
        assert api.patch(url, json={"status": status}).status_code == 409
    assert api.post(f"{url}/cancel", json={"reason": "again"}).status_code == 409
    done = book(api, customer, stock["id"], status="confirmed")
    api.ok("PATCH", f"{BOOKINGS}/{done['id']}", json={"status": "completed"})
    assert api.post(f"{BOOKINGS}/{done['id']}/cancel", json={"reason": "x"}).status_code == 409


@pytest.mark.parametrize(
    "extra",
    [
        {"delivery_date": "2025-11-01"},
        {"unit_type": "villa"},
        {"status": "cancelled"},
        {"status": "completed"},
        {"status": "shipped"},
        {"booking_amount": "0"},
        {"booking_amount": "-10"},
        {"booking_amount": "10.005"},
        {"unit_count": 0},
        {"lead_id": "00000000-0000-4000-8000-000000000000"},
        {"booking_date": "not-a-date"},
    ],
)
def test_bad_bookings_are_422(api: ApiClient, extra: dict[str, str]) -> None:
    stock = new_inventory(api)
    _, customer = buyer(api)
    book(api, customer, stock["id"], expect=422, **extra)
    assert api.ok("GET", f"{INVENTORY}/{stock['id']}")["units_available"] == 10


def test_booking_codes_are_unique_per_tenant(world: TenantWorld, other_world: TenantWorld) -> None:
    for side in (world, other_world):
        stock = new_inventory(side.admin)
        _, customer = buyer(side.admin)
        book(side.admin, customer, stock["id"], booking_code="BK-1")
    stock = new_inventory(world.admin, project="Other")
    _, customer = buyer(world.admin)
    book(world.admin, customer, stock["id"], expect=409, booking_code="BK-1")


def test_filters(api: ApiClient) -> None:
    towers = new_inventory(api, project="Whitefield Towers")
    grove = new_inventory(api, project="Palm Grove", unit_type="villa")
    lead_a, cust_a = buyer(api, "A")
    _, cust_b = buyer(api, "B")
    a1 = book(api, cust_a, towers["id"], booking_date="2025-10-01")
    a2 = book(api, cust_a, grove["id"], booking_date="2025-11-15", status="confirmed")
    b1 = book(api, cust_b, grove["id"], booking_date="2025-12-01", status="on_hold")

    def ids(**params: str) -> set[str]:
        return {b["id"] for b in api.ok("GET", BOOKINGS, params=params)["items"]}

    assert ids(customer_id=cust_a) == {a1["id"], a2["id"]}
    assert ids(lead_id=lead_a) == {a1["id"], a2["id"]}
    assert ids(status="on_hold") == {b1["id"]}
    assert ids(project="Palm Grove") == {a2["id"], b1["id"]}
    assert ids(booking_date_from="2025-11-01", booking_date_to="2025-11-30") == {a2["id"]}
    assert api.get(BOOKINGS, params={"status": "shipped"}).status_code == 422


def test_booking_roles_tenancy_and_audit(world: TenantWorld, other_world: TenantWorld) -> None:
    stock = new_inventory(world.admin)
    _, customer = buyer(world.admin)
    booking = book(world.manager, customer, stock["id"])
    url = f"{BOOKINGS}/{booking['id']}"
    body = {"customer_id": customer, "inventory_id": stock["id"], "booking_amount": "1"}
    assert world.rep.post(BOOKINGS, json=body).status_code == 403
    assert world.rep.get(url).status_code == 403
    assert world.viewer.patch(url, json={"notes": "x"}).status_code == 403
    assert world.viewer.ok("GET", url)["id"] == booking["id"]
    assert other_world.admin.get(url).status_code == 404
    assert other_world.admin.post(f"{url}/cancel", json={"reason": "x"}).status_code == 404
    other_stock = new_inventory(other_world.admin)
    _, other_customer = buyer(other_world.admin)
    foreign = {"customer_id": customer, "inventory_id": other_stock["id"], "booking_amount": "1"}
    assert other_world.admin.post(BOOKINGS, json=foreign).status_code == 422
    theirs = {**foreign, "customer_id": other_customer, "inventory_id": stock["id"]}
    assert other_world.admin.post(BOOKINGS, json=theirs).status_code == 422

    world.admin.ok("PATCH", url, json={"notes": "corner unit"})
    log = world.admin.ok(
        "GET", "/api/v1/sales/audit", params={"entity": "booking", "entity_id": booking["id"]}
    )
    items = log["items"] if isinstance(log, dict) else log
    assert sorted(i["action"] for i in items) == ["create", "update"]


def test_patch_keeps_units_and_dates_consistent(api: ApiClient) -> None:
    stock = new_inventory(api)
    _, customer = buyer(api)
    booking = book(api, customer, stock["id"], delivery_date="2026-01-31")
    url = f"{BOOKINGS}/{booking['id']}"
    for body in ({"unit_count": 5}, {"inventory_id": stock["id"]}, {"status": None}):
        assert api.patch(url, json=body).status_code == 422, body
    assert api.patch(url, json={"delivery_date": "2025-11-01"}).status_code == 422
    assert api.patch(url, json={"booking_date": "2026-02-01"}).status_code == 422
    moved = api.ok("PATCH", url, json={"delivery_date": "2026-03-31", "notes": "phase 2"})
    assert (moved["delivery_date"], moved["notes"]) == ("2026-03-31", "phase 2")
