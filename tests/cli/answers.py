"""What a user reads from the report API, minus what differs between two equal tenants."""

from __future__ import annotations

from typing import Any

from tests.support import ApiClient

REPORTS = "/api/v1/sales/reports"
NAMES = (
    "funnel",
    "dashboard",
    "source-performance",
    "campaign-performance",
    "bookings",
    "receivables",
)


def _comparable(value: Any) -> Any:
    """Without row ids and the moment of reading (``as_of``), which no two reads share."""
    if isinstance(value, dict):
        return {
            key: _comparable(item)
            for key, item in value.items()
            if key not in ("as_of", "id") and not key.endswith("_id")
        }
    if isinstance(value, list):
        return [_comparable(item) for item in value]
    return value


def report_answers(client: ApiClient, **window: str) -> dict[str, Any]:
    """Every report's JSON for the window (``from``/``to``), comparable across tenants."""
    params = {key.rstrip("_"): value for key, value in window.items()}
    return {
        name: _comparable(client.ok("GET", f"{REPORTS}/{name}", params=params)) for name in NAMES
    }
