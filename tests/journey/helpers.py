"""Building journey data through the API, as a client would."""

from __future__ import annotations

from typing import Any

from tests.support import ApiClient

SALES = "/api/v1/sales"


def new_lead(api: ApiClient, **fields: Any) -> dict[str, Any]:
    body = {"name": "Acme Corp", **fields}
    lead: dict[str, Any] = api.ok("POST", f"{SALES}/leads", 201, json=body)
    return lead


def milestone(
    api: ApiClient, lead_id: str, milestone_type: str, day: str, expect: int = 201, **extra: Any
) -> Any:
    body = {"lead_id": lead_id, "milestone_type": milestone_type, "milestone_date": day, **extra}
    return api.ok("POST", f"{SALES}/milestones/lead", expect, json=body)


def engagement(
    api: ApiClient,
    lead_id: str,
    engagement_type: str,
    channel: str,
    at: str,
    expect: int = 201,
    **extra: Any,
) -> Any:
    body = {
        "lead_id": lead_id,
        "engagement_type": engagement_type,
        "engagement_channel": channel,
        "engagement_date": at,
        **extra,
    }
    return api.ok("POST", f"{SALES}/engagement", expect, json=body)


def history(api: ApiClient, lead_id: str) -> list[tuple[str | None, str, str]]:
    items = api.ok("GET", f"{SALES}/leads/{lead_id}/status-history")["items"]
    return [(h["from_status"], h["to_status"], h["cause"]) for h in items]


def lead_status(api: ApiClient, lead_id: str) -> str:
    status: str = api.ok("GET", f"{SALES}/leads/{lead_id}")["status"]
    return status


def follow_up_ids(api: ApiClient, **params: Any) -> list[str]:
    page = api.ok("GET", f"{SALES}/follow-ups", params=params)
    return [f["milestone_id"] for f in page["items"]]
