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
