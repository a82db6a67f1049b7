"""Twenty milestones posted at once for one lead (PostgreSQL: real parallel connections)."""

from __future__ import annotations

import itertools
import threading
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.journey.helpers import SALES, new_lead
from tests.support import TenantWorld

TYPES = ["contacted", "site_visit", "demo", "proposal", "negotiation", "revisit", "booking"]
TYPES += ["cancellation"]


def test_parallel_milestones_leave_a_consistent_history(
    world: TenantWorld, app: FastAPI, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("needs real parallel connections (SQLite serialises writers)")
    api = world.admin
    lead_id = new_lead(api)["id"]
    barrier = threading.Barrier(20)
    results: list[Any] = [None] * 20

    def post(i: int) -> None:
        # No ``with``: entering a TestClient runs the app's lifespan, whose exit disposes
        # the engine that the other threads are still using.
        client = TestClient(app, raise_server_exceptions=False)
        body = {
            "lead_id": lead_id,
            "milestone_type": TYPES[i % len(TYPES)],
            "milestone_date": f"2025-02-{i + 1:02d}",
        }
        barrier.wait(timeout=30)
        response = client.post(f"{SALES}/milestones/lead", json=body, headers=api.headers)
        results[i] = response.status_code

    threads = [threading.Thread(target=post, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == [201] * 20

    history = api.ok("GET", f"{SALES}/leads/{lead_id}/status-history")["items"]
    assert [h["seq"] for h in history] == list(range(1, len(history) + 1))
    assert history[0]["from_status"] is None
    for previous, entry in itertools.pairwise(history):
        assert entry["from_status"] == previous["to_status"]
        assert entry["from_status"] != entry["to_status"]
    status = api.ok("GET", f"{SALES}/leads/{lead_id}")["status"]
    assert history[-1]["to_status"] == status

    # Each milestone saw the status the previous one left, in the order they were applied,
    # and exactly the milestones that moved the status appear in the history.
    milestones = api.ok("GET", f"{SALES}/milestones/lead/{lead_id}")["items"]
    applied = sorted(
        (m for m in milestones if m["milestone_type"] != "lead_generated"),
        key=lambda m: m["created_at"],
    )
    assert len(applied) == 20
    state = "new"
    for m in applied:
        assert m["status_before"] == state, applied
        state = m["status_after"]
    assert state == status
    movers = {m["id"]: (m["status_before"], m["status_after"]) for m in applied}
    moved = {k: v for k, v in movers.items() if v[0] != v[1]}
    from_history = {
        h["cause_id"]: (h["from_status"], h["to_status"])
        for h in history
        if h["cause"] == "milestone"
    }
    assert from_history == moved
