"""Unit inventory: derived availability, uniqueness, limits, roles and tenancy."""

from __future__ import annotations

from tests.money.conftest import INVENTORY, book, buyer, new_inventory
from tests.support import ApiClient, TenantWorld


def test_availability_is_derived_from_bookings(api: ApiClient) -> None:
    stock = new_inventory(api, total=10)
    assert (stock["units_booked"], stock["units_available"]) == (0, 10)
    _, customer = buyer(api)
    book(api, customer, stock["id"], unit_count=3)
    held = book(api, customer, stock["id"], unit_count=2, status="on_hold")
    api.ok("POST", f"/api/v1/sales/bookings/{held['id']}/cancel", json={"reason": "changed mind"})
    row = api.ok("GET", f"{INVENTORY}/{stock['id']}")
    assert (row["total_units"], row["units_booked"], row["units_available"]) == (10, 3, 7)
    listed = api.ok("GET", INVENTORY, params={"project": "Whitefield Towers"})["items"]
    assert [(r["id"], r["units_available"]) for r in listed] == [(stock["id"], 7)]


def test_only_pending_confirmed_and_on_hold_bookings_hold_units(api: ApiClient) -> None:
    stock = new_inventory(api, total=10)
    _, customer = buyer(api)
    book(api, customer, stock["id"], unit_count=1, status="pending")
    book(api, customer, stock["id"], unit_count=2, status="on_hold")
    done = book(api, customer, stock["id"], unit_count=4, status="confirmed")
    assert api.ok("GET", f"{INVENTORY}/{stock['id']}")["units_available"] == 3
    api.ok("PATCH", f"/api/v1/sales/bookings/{done['id']}", json={"status": "completed"})
    row = api.ok("GET", f"{INVENTORY}/{stock['id']}")
    assert (row["units_booked"], row["units_available"]) == (3, 7)


def test_one_row_per_project_and_unit_type(api: ApiClient) -> None:
    new_inventory(api, project="Palm Grove", unit_type="villa")
    again = api.post(
        INVENTORY, json={"project": "Palm Grove", "unit_type": "villa", "total_units": 4}
    )
    assert again.status_code == 409
    new_inventory(api, project="Palm Grove", unit_type="office")
    assert len(api.ok("GET", INVENTORY, params={"project": "Palm Grove"})["items"]) == 2
    assert len(api.ok("GET", INVENTORY, params={"unit_type": "office"})["items"]) == 1


def test_total_cannot_drop_below_units_held(api: ApiClient) -> None:
    stock = new_inventory(api, total=5)
    _, customer = buyer(api)
    book(api, customer, stock["id"], unit_count=4)
    low = api.patch(f"{INVENTORY}/{stock['id']}", json={"total_units": 3})
    assert low.status_code == 409
    assert low.json()["units_booked"] == 4
    assert api.patch(f"{INVENTORY}/{stock['id']}", json={"unit_type": "4BHK"}).status_code == 409
    row = api.ok("PATCH", f"{INVENTORY}/{stock['id']}", json={"total_units": 4})
    assert row["units_available"] == 0


def test_bad_inventory_input_is_422(api: ApiClient) -> None:
    for body in (
        {"project": "P", "unit_type": "3BHK", "total_units": -1},
        {"project": "P", "unit_type": "3BHK", "total_units": "many"},
        {"project": "", "unit_type": "3BHK", "total_units": 1},
        {"project": "P", "unit_type": "3BHK", "total_units": 1, "units_available": 1},
    ):
        assert api.post(INVENTORY, json=body).status_code == 422, body
    stock = new_inventory(api)
    assert api.patch(f"{INVENTORY}/{stock['id']}", json={"total_units": None}).status_code == 422


def test_inventory_roles_and_tenancy(world: TenantWorld, other_world: TenantWorld) -> None:
    stock = new_inventory(world.manager)
    body = {"project": "X", "unit_type": "villa", "total_units": 1}
    assert world.rep.post(INVENTORY, json=body).status_code == 403
    assert world.rep.get(INVENTORY).status_code == 403
    assert world.viewer.post(INVENTORY, json=body).status_code == 403
    assert world.viewer.ok("GET", f"{INVENTORY}/{stock['id']}")["total_units"] == 10
    assert other_world.admin.get(f"{INVENTORY}/{stock['id']}").status_code == 404
    patch = other_world.admin.patch(f"{INVENTORY}/{stock['id']}", json={"total_units": 1})
    assert patch.status_code == 404
    assert other_world.admin.ok("GET", INVENTORY)["items"] == []
