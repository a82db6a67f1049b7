"""The quotation builder without JavaScript (Recalculate), the quotation's page and its
actions, and a buyer's documents on the lead and customer pages."""

from __future__ import annotations

import io
import re

from fastapi import FastAPI
from pypdf import PdfReader

from tests.documents.support import QUOTATIONS, quoting_world
from tests.support import TenantWorld
from tests.web.support import WebClient, logged_in

TOTAL = "₹1,16,65,250"


def _form(lead_id: str, inventory_id: str) -> dict[str, str]:
    return {
        "lead_id": lead_id,
        "inventory_id": inventory_id,
        "unit_label": "Tower B, 1203",
        "area_sqft": "1,450",
        "delivery_date": "2029-03-31",
        "per_sqft_base_price": "7,200",
        "per_sqft_floor_rise": "100",
        "amount_car_parking": "3,00,000",
        "amount_club_membership": "2,00,000",
    }


def test_build_send_and_accept_without_javascript(admin_web: WebClient, world: TenantWorld) -> None:
    lead_id, inventory_id = quoting_world(world.admin)
    lead_page = admin_web.get(f"/leads/{lead_id}")
    assert 'data-testid="buyer-documents"' in lead_page.text
    builder = admin_web.get(f"/quotations/new?lead_id={lead_id}")
    assert builder.status_code == 200
    assert "Ravi Kumar" in builder.text
    recalculated = admin_web.post(
        "/quotations/new", {**_form(lead_id, inventory_id), "action": "recalculate"}
    )
    assert recalculated.status_code == 200
    assert TOTAL in recalculated.text
    assert world.admin.ok("GET", QUOTATIONS)["items"] == []  # recalculating saves nothing
    refused = admin_web.post(
        "/quotations/new",
        {**_form(lead_id, inventory_id), "amount_car_parking": "lots", "action": "save"},
    )
    assert refused.status_code == 422
    assert 'id="amount_car_parking-error"' in refused.text

    saved = admin_web.post("/quotations/new", {**_form(lead_id, inventory_id), "action": "save"})
    assert saved.status_code == 200
    assert "Quotation saved." in saved.text
    assert TOTAL in saved.text
    quotation_id = re.search(r"/quotations/([0-9a-f-]{36})/pdf", saved.text).group(1)
    sent = admin_web.post(f"/quotations/{quotation_id}/send", {})
    assert "Quotation sent." in sent.text
    number = world.admin.ok("GET", f"{QUOTATIONS}/{quotation_id}")["number"]
    pdf = admin_web.get(f"/quotations/{quotation_id}/pdf")
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert number in text
    assert "₹1,16,65,250.00" in text
    accepted = admin_web.post(f"/quotations/{quotation_id}/accept", {"booking_status": "confirmed"})
    assert "Quotation accepted." in accepted.text
    assert 'data-testid="quotation-booking"' in accepted.text
    lead_page = admin_web.get(f"/leads/{lead_id}").text
    assert number in lead_page
    customer_id = world.admin.ok("GET", f"{QUOTATIONS}/{quotation_id}")["customer_id"]
    customer_page = admin_web.get(f"/customers/{customer_id}").text
    assert number in customer_page
    assert "Accepted" in customer_page


def test_a_refused_action_is_shown_on_the_page(admin_web: WebClient, world: TenantWorld) -> None:
    lead_id, inventory_id = quoting_world(world.admin)
    admin_web.get(f"/quotations/new?lead_id={lead_id}")
    admin_web.post("/quotations/new", {**_form(lead_id, inventory_id), "action": "save"})
    quotation_id = world.admin.ok("GET", QUOTATIONS)["items"][0]["id"]
    page = admin_web.post(f"/quotations/{quotation_id}/accept", {})
    assert page.status_code == 409
    assert 'data-testid="quotation-error"' in page.text


def test_reps_see_no_quotations(app: FastAPI, world: TenantWorld) -> None:
    lead_id, inventory_id = quoting_world(world.admin)
    quote = world.admin.ok(
        "POST",
        QUOTATIONS,
        201,
        json={
            "lead_id": lead_id,
            "inventory_id": inventory_id,
            "area_sqft": "1450",
            "lines": [{"charge_type": "base_price", "rate_per_sqft": "7200"}],
        },
    )
    rep = logged_in(app, world, "rep")
    assert rep.get(f"/quotations/{quote['id']}").status_code == 403
    assert rep.get(f"/quotations/new?lead_id={lead_id}").status_code == 403
    assert 'data-testid="buyer-documents"' not in rep.get(f"/leads/{lead_id}").text
    viewer = logged_in(app, world, "viewer")
    page = viewer.get(f"/quotations/{quote['id']}")
    assert page.status_code == 200
    assert 'data-testid="send-quotation"' not in page.text
