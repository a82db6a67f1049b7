"""The milestone timeline as CSV rows: one row per event, the columns a sales head reads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TIMELINE = (
    "event_date",
    "event_time",
    "kind",
    "event_type",
    "status",
    "outcome",
    "location",
    "notes",
)


def timeline_rows(timeline: Mapping[str, Any]) -> list[list[Any]]:
    """The timeline's events in ``TIMELINE`` columns (a milestone's status after it, an
    engagement's status; notes, or an engagement's subject)."""
    rows = []
    for event in timeline["events"]:
        milestone, engagement = event.get("milestone"), event.get("engagement")
        if milestone:
            detail = [milestone["status_after"], milestone["outcome"], milestone["location_name"]]
            notes = milestone["notes"]
        else:
            detail = [engagement["status"], None, None] if engagement else [None, None, None]
            notes = (engagement or {}).get("subject") or (engagement or {}).get("notes")
        rows.append(
            [
                event["event_date"],
                event["event_time"],
                event["kind"],
                event["event_type"],
                *detail,
                notes,
            ]
        )
    return rows
