"""Helpers for the capture tests: keys, sources, campaigns and captures through the API."""

from __future__ import annotations

from typing import Any

import httpx2 as httpx

from tests.support import ApiClient

KEYS = "/api/v1/sales/integration-keys"
CAPTURE = "/api/v1/capture/leads"
RULES = "/api/v1/sales/attribution-rules"
ASSIGNMENT = "/api/v1/sales/assignment-rules"
SETTINGS = "/api/v1/sales/capture-settings"
REPORTS = "/api/v1/sales/reports"


def new_key(admin: ApiClient, scope: str = "capture", name: str = "website") -> str:
    body = admin.ok("POST", KEYS, 201, json={"name": name, "scope": scope})
    key: str = body["key"]
    return key


def send(admin: ApiClient, key: str, body: dict[str, Any], **headers: str) -> httpx.Response:
    """POST a capture with ``key`` as X-API-Key (no user token, no tenant header)."""
    return admin.http.post(CAPTURE, json=body, headers={"X-API-Key": key, **headers})


def source(admin: ApiClient, name: str, source_type: str = "social") -> str:
    channel = "Social Media" if source_type == "social" else "Paid Search"
    body = admin.ok(
        "POST",
        "/api/v1/sales/lead-sources",
        201,
        json={"source_type": source_type, "subsource_name": name, "channel": channel},
    )
    return str(body["id"])


def campaign(admin: ApiClient, code: str) -> str:
    body = admin.ok(
        "POST",
        "/api/v1/sales/campaigns",
        201,
        json={
            "campaign_code": code,
            "campaign_name": f"Campaign {code}",
            "campaign_type": "social",
        },
    )
    return str(body["id"])


def rule(admin: ApiClient, field: str, value: str, **target: str) -> None:
    admin.ok("POST", RULES, 201, json={"field": field, "value": value, **target})


def report_rows(admin: ApiClient, name: str, touch: str) -> dict[str | None, int]:
    """Leads per source or campaign in a report read by ``touch``."""
    if name == "sources":
        body = admin.ok("GET", f"{REPORTS}/source-performance?touch={touch}")
        return {r["source_id"]: r["total_leads"] for r in body["sources"] if r["total_leads"]}
    body = admin.ok("GET", f"{REPORTS}/campaign-performance?touch={touch}")
    return {r["campaign_id"]: r["leads"] for r in body["campaigns"] if r["leads"]}
