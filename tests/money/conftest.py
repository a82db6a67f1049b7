"""Helpers for the money tests: customers, ledger postings and a booking world."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.support import ApiClient

LEDGER = "/api/v1/sales/ledger"


def new_customer(api: ApiClient, name: str = "Priya Nair", **extra: Any) -> dict[str, Any]:
    return api.ok("POST", "/api/v1/sales/customers", 201, json={"name": name, **extra})


def post(api: ApiClient, customer_id: str, kind: str, amount: str, **extra: Any) -> Any:
    """Post one entry on the side its type takes (adjustments: pass the side in extra)."""
    side = "debit_amount" if kind in ("invoice", "debit_note") else "credit_amount"
    body: dict[str, Any] = {"customer_id": customer_id, "transaction_type": kind}
    if kind != "adjustment":
        body[side] = amount
    body.update(extra)
    return api.ok("POST", LEDGER, 201, json=body)


def money(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


INVENTORY = "/api/v1/sales/inventory"
BOOKINGS = "/api/v1/sales/bookings"


def new_inventory(
    api: ApiClient, total: int = 10, project: str = "Whitefield Towers", unit_type: str = "3BHK"
) -> dict[str, Any]:
    body = {"project": project, "unit_type": unit_type, "total_units": total}
    return api.ok("POST", INVENTORY, 201, json=body)


def buyer(api: ApiClient, name: str = "Ravi Kumar") -> tuple[str, str]:
    """A lead and the customer it became: (lead_id, customer_id)."""
    body = {"name": name, "lead_date": "2025-11-01"}
    lead = api.ok("POST", "/api/v1/sales/leads", 201, json=body)
    customer = new_customer(api, name, lead_id=lead["id"])
    return lead["id"], customer["id"]


def book(
    api: ApiClient,
    customer_id: str,
    inventory_id: str,
    expect: int = 201,
    **extra: Any,
) -> Any:
    body = {
        "customer_id": customer_id,
        "inventory_id": inventory_id,
        "booking_amount": "5000000.00",
        "booking_date": "2025-11-21",
        **extra,
    }
    return api.ok("POST", BOOKINGS, expect, json=body)
