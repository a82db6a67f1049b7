"""A quotation's figures stay within what a money column holds (issue 16, hostile input):
an area times a rate, a line with its GST or the sum of the lines beyond 10^16 rupees is a
422 naming it and writes nothing, on the API and the builder page; the largest quotation
that fits is sent, accepted into its booking and printed."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from salestrack.core.schema_base import MAX_MONEY
from tests.documents.support import QUOTATIONS, quoting_world, worked_example_body
from tests.support import TenantWorld
from tests.web.support import logged_in

MAX = str(MAX_MONEY)
BEYOND = {
    "area times rate": {
        "area_sqft": MAX,
        "lines": [{"charge_type": "base_price", "rate_per_sqft": MAX}],
    },
    "area times rate, realistic digits": {
        "area_sqft": "123456789.12",
        "lines": [{"charge_type": "base_price", "rate_per_sqft": "98765432.10"}],
    },
    "a line with its GST": {"lines": [{"charge_type": "club_membership", "amount": MAX}]},
    "the sum of the lines": {
        "lines": [
            {"charge_type": "maintenance_deposit", "amount": "6000000000000000"},
            {"charge_type": "other", "amount": "5000000000000000"},
        ]
    },
}


@pytest.mark.parametrize("case", list(BEYOND))
def test_figures_beyond_a_money_column_are_refused_whole(world: TenantWorld, case: str) -> None:
    lead_id, inventory_id = quoting_world(world.admin)
    body = worked_example_body(lead_id, inventory_id, **BEYOND[case])
    response = world.manager.post(QUOTATIONS, json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "the largest amount salestrack keeps" in response.json()["detail"]
    assert world.manager.ok("GET", QUOTATIONS)["items"] == []


def test_the_builder_refuses_them_beside_the_form(app: FastAPI, world: TenantWorld) -> None:
    lead_id, inventory_id = quoting_world(world.admin)
    page = logged_in(app, world, "manager")
    page.get(f"/quotations/new?lead_id={lead_id}")
    form = {
        "lead_id": lead_id,
        "inventory_id": inventory_id,
        "area_sqft": "99,99,99,99,99,99,999",
        "per_sqft_base_price": "99,99,99,99,99,99,999",
    }
    live = page.post("/quotations/preview", form)
    assert live.status_code == 422, live.text
    assert "more than" in str(live.json()["errors"])
    saved = page.post("/quotations/new", {**form, "action": "save"})
    assert saved.status_code == 422, saved.text
    assert "more than" in saved.text
    assert world.manager.ok("GET", QUOTATIONS)["items"] == []


def test_the_largest_quotation_that_fits_is_sent_accepted_and_printed(world: TenantWorld) -> None:
    lead_id, inventory_id = quoting_world(world.admin)
    body: dict[str, Any] = worked_example_body(
        lead_id, inventory_id, lines=[{"charge_type": "maintenance_deposit", "amount": MAX}]
    )
    quote = world.manager.ok("POST", QUOTATIONS, 201, json=body)
    assert quote["grand_total"] == MAX
    world.manager.ok("POST", f"{QUOTATIONS}/{quote['id']}/send", json={})
    accepted = world.manager.ok("POST", f"{QUOTATIONS}/{quote['id']}/accept", json={})
    booking = world.manager.ok("GET", f"/api/v1/sales/bookings/{accepted['booking_id']}")
    assert booking["booking_amount"] == MAX
    pdf = world.manager.get(f"{QUOTATIONS}/{quote['id']}/pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
