"""Building report scenarios through the API, one call per business event."""

from __future__ import annotations

from typing import Any

from tests.support import ApiClient

SALES = "/api/v1/sales"


def campaign(api: ApiClient, name: str, budget: str, **extra: Any) -> dict[str, Any]:
    body = {"campaign_name": name, "campaign_type": "digital", "budget": budget, **extra}
    return api.ok("POST", f"{SALES}/campaigns", 201, json=body)


def source(api: ApiClient, kind: str, name: str, **extra: Any) -> dict[str, Any]:
    body = {"source_type": kind, "subsource_name": name, "channel": "Paid Search", **extra}
    return api.ok("POST", f"{SALES}/lead-sources", 201, json=body)


def lead(api: ApiClient, lead_date: str, **extra: Any) -> dict[str, Any]:
    body = {"name": "Lead", "lead_date": lead_date, **extra}
    return api.ok("POST", f"{SALES}/leads", 201, json=body)


def milestone(api: ApiClient, lead_id: str, kind: str, day: str, **extra: Any) -> Any:
    body = {"lead_id": lead_id, "milestone_type": kind, "milestone_date": day, **extra}
    return api.ok("POST", f"{SALES}/milestones/lead", 201, json=body)


def engagement(api: ApiClient, lead_id: str, when: str, **extra: Any) -> Any:
    body = {
        "lead_id": lead_id,
        "engagement_type": "email_sent",
        "engagement_channel": "email",
        "engagement_date": when,
        "status": "completed",
        **extra,
    }
    return api.ok("POST", f"{SALES}/engagement", 201, json=body)


def customer(api: ApiClient, name: str, lead_id: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name}
    if lead_id:
        body["lead_id"] = lead_id
    return api.ok("POST", f"{SALES}/customers", 201, json=body)


def inventory(api: ApiClient, total: int = 100, unit_type: str = "3BHK") -> dict[str, Any]:
    body = {"project": "Whitefield Towers", "unit_type": unit_type, "total_units": total}
    return api.ok("POST", f"{SALES}/inventory", 201, json=body)


def booking(
    api: ApiClient, customer_id: str, inventory_id: str, amount: str, day: str, **extra: Any
) -> dict[str, Any]:
    body = {
        "customer_id": customer_id,
        "inventory_id": inventory_id,
        "booking_amount": amount,
        "booking_date": day,
        **extra,
    }
    return api.ok("POST", f"{SALES}/bookings", 201, json=body)


def payment(api: ApiClient, customer_id: str, amount: str, day: str, **extra: Any) -> Any:
    body = {
        "customer_id": customer_id,
        "transaction_type": "payment",
        "credit_amount": amount,
        "transaction_date": day,
        **extra,
    }
    return api.ok("POST", f"{SALES}/ledger", 201, json=body)


def report(api: ApiClient, name: str, **params: Any) -> Any:
    return api.ok("GET", f"{SALES}/reports/{name}", params=params)
