"""Helpers for the document tests: a tenant's letterhead and GST rates, set over the API."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from tests.support import ApiClient

SETTINGS = "/api/v1/sales/document-settings"
GSTIN = "29AAPFU0939F1ZR"  # Karnataka; its check character is right
RATES = [
    {"charge_type": "base_price", "rate": "5", "sac_code": "995411"},
    {"charge_type": "floor_rise", "rate": "5", "sac_code": "995411"},
    {"charge_type": "preferred_location", "rate": "5", "sac_code": "995411"},
    {"charge_type": "car_parking", "rate": "5", "sac_code": "995411"},
    {"charge_type": "club_membership", "rate": "18", "sac_code": "999652"},
    {"charge_type": "maintenance_deposit", "rate": "0"},
    {"charge_type": "other", "rate": "18"},
]
LETTERHEAD: dict[str, Any] = {
    "legal_name": "Sea View Developers Pvt Ltd",
    "address": "12 MG Road\nBengaluru 560001",
    "contact": "+91 80 4000 1234 · sales@seaview.example.in",
    "gstin": GSTIN,
    "pan": "AAPFU0939F",
    "bank_name": "HDFC Bank",
    "bank_account_name": "Sea View Developers Pvt Ltd",
    "bank_account_number": "50200012345678",
    "bank_ifsc": "HDFC0000123",
    "bank_branch": "MG Road",
    "quotation_validity_days": 15,
    "quotation_terms": "Stamp duty and registration are extra.",
    "tax_rates": RATES,
}


def set_letterhead(admin: ApiClient, **changes: Any) -> Any:
    return admin.ok("PUT", SETTINGS, json={**LETTERHEAD, **changes})


def png(width: int = 120, height: int = 48) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 80, 160)).save(buffer, "PNG")
    return buffer.getvalue()


QUOTATIONS = "/api/v1/sales/quotations"


def worked_example_body(lead_id: str, inventory_id: str, **changes: Any) -> dict[str, Any]:
    """The issue's worked example: a 3BHK of 1,450 sq ft at ₹7,200/sq ft, floor rise
    ₹100/sq ft, a car park ₹3,00,000 and the club membership ₹2,00,000."""
    body: dict[str, Any] = {
        "lead_id": lead_id,
        "inventory_id": inventory_id,
        "unit_label": "Tower B, 1203",
        "area_sqft": "1450",
        "delivery_date": "2029-03-31",
        "lines": [
            {"charge_type": "base_price", "rate_per_sqft": "7200"},
            {"charge_type": "floor_rise", "rate_per_sqft": "100"},
            {"charge_type": "car_parking", "amount": "300000"},
            {"charge_type": "club_membership", "amount": "200000"},
        ],
    }
    body.update(changes)
    return body


def quoting_world(admin: ApiClient) -> tuple[str, str]:
    """Letterhead and rates set, a 3BHK inventory row and a lead: (lead_id, inventory_id)."""
    set_letterhead(admin)
    inventory = admin.ok(
        "POST",
        "/api/v1/sales/inventory",
        201,
        json={"project": "Whitefield Towers", "unit_type": "3BHK", "total_units": 20},
    )
    lead = admin.ok(
        "POST",
        "/api/v1/sales/leads",
        201,
        json={"name": "Ravi Kumar", "email": "ravi@example.com", "lead_date": "2026-11-01"},
    )
    return lead["id"], inventory["id"]
