"""What the journey's OpenAPI says matches what it answers (bugs the schema fuzzer found)."""

from __future__ import annotations

import re
import uuid

from fastapi import FastAPI

from tests.journey.helpers import SALES, milestone, new_lead
from tests.support import ApiClient


def test_local_times_are_documented_as_times_without_a_zone(app: FastAPI, api: ApiClient) -> None:
    """JSON Schema's "time" format needs a zone; these times have none, so it may not say so."""
    lead_id = new_lead(api)["id"]
    created = milestone(api, lead_id, "demo", "2025-05-01", milestone_time="15:30")
    timeline = api.ok("GET", f"{SALES}/reports/milestone-timeline/{lead_id}")
    event_time = next(e["event_time"] for e in timeline["events"] if e["id"] == created["id"])
    assert created["milestone_time"] == event_time == "15:30:00"

    schemas = app.openapi()["components"]["schemas"]
    documented = [
        schemas["TimelineEvent"]["properties"]["event_time"]["anyOf"][0],
        schemas["MilestonePublic"]["properties"]["milestone_time"]["anyOf"][0],
    ]
    for schema in documented:
        assert "format" not in schema
        assert re.fullmatch(schema["pattern"], event_time)
        assert not re.fullmatch(schema["pattern"], "25:00:00")


def test_posting_for_a_missing_lead_is_a_documented_404(app: FastAPI, api: ApiClient) -> None:
    paths = app.openapi()["paths"]
    for path in ("/milestones/lead", "/engagement"):
        assert "404" in paths[f"{SALES}{path}"]["post"]["responses"]
    body = {"lead_id": str(uuid.uuid4()), "milestone_type": "demo", "milestone_date": "2025-05-01"}
    response = api.post(f"{SALES}/milestones/lead", json=body)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
