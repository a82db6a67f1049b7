"""Helpers for the billing tests: the worked example's booking, stages and plan, built
over the API."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pypdf import PdfReader

from tests.documents.support import QUOTATIONS, quoting_world, worked_example_body
from tests.support import ApiClient

SALES = "/api/v1/sales"
STAGES = f"{SALES}/construction-stages"
DOCUMENTS = f"{SALES}/billing-documents"
LEDGER = f"{SALES}/ledger"
PROJECT = "Whitefield Towers"
TOTAL = "11665250.00"  # the quotation's total: the booking amount


def today() -> date:
    """The tenant's day (its zone is the default, Asia/Kolkata)."""
    return datetime.now(ZoneInfo("Asia/Kolkata")).date()


def plan_url(booking_id: str) -> str:
    return f"{SALES}/bookings/{booking_id}/payment-plan"


def accepted_booking(admin: ApiClient) -> dict[str, Any]:
    """The worked example quoted, sent and accepted: the confirmed booking."""
    lead_id, inventory_id = quoting_world(admin)
    quote = admin.ok("POST", QUOTATIONS, 201, json=worked_example_body(lead_id, inventory_id))
    admin.ok("POST", f"{QUOTATIONS}/{quote['id']}/send", json={})
    accepted = admin.ok("POST", f"{QUOTATIONS}/{quote['id']}/accept", json={})
    booking: dict[str, Any] = admin.ok("GET", f"{SALES}/bookings/{accepted['booking_id']}")
    return booking


def stage(api: ApiClient, name: str, position: int, project: str = PROJECT) -> dict[str, Any]:
    body = {"project": project, "name": name, "position": position}
    stage_row: dict[str, Any] = api.ok("POST", STAGES, 201, json=body)
    return stage_row


def construction_linked_plan(api: ApiClient, booking_id: str) -> dict[str, Any]:
    """10% on booking (due today), 20% on the plinth, 70% on slab 5."""
    plinth = stage(api, "Completion of plinth", 1)
    slab = stage(api, "Completion of slab 5", 2)
    body = {
        "instalments": [
            {"label": "On booking", "percentage": "10", "due_date": today().isoformat()},
            {"label": "On completion of plinth", "percentage": "20", "stage_id": plinth["id"]},
            {"label": "On completion of slab 5", "percentage": "70", "stage_id": slab["id"]},
        ]
    }
    plan: dict[str, Any] = api.ok("POST", plan_url(booking_id), 201, json=body)
    return plan


def pay(api: ApiClient, booking: dict[str, Any], amount: str, on: date | None = None) -> Any:
    body = {
        "customer_id": booking["customer_id"],
        "transaction_type": "payment",
        "credit_amount": amount,
        "transaction_date": (on or today()).isoformat(),
        "reference_document_type": "booking",
        "reference_document_id": booking["id"],
    }
    return api.ok("POST", LEDGER, 201, json=body)


def pdf_text(content: bytes) -> str:
    """The text of every page, as a reader of the PDF gets it."""
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)
