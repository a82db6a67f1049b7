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
