"""Real ``salestrack serve`` processes: a change made on one app server reaches a page
streaming from another, and a server with open streams stops promptly."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx2 as httpx
import pytest

from salestrack.core.config import Settings
from tests.live.conftest import EventReader
from tests.ops.real_server import serving, serving_processes
from tests.support import ApiClient, TenantWorld

QUICK = {"live_heartbeat_seconds": "0.3"}


@contextmanager
def stream_from(base: str, user: ApiClient) -> Iterator[EventReader]:
    timeout = httpx.Timeout(10.0, read=5.0)
    with httpx.stream("GET", f"{base}/live/events", headers=user.headers, timeout=timeout) as r:
        assert r.status_code == 200, r.read()
        reader = EventReader(r)
        reader.ready = reader.next()
        assert reader.ready is not None
        assert reader.ready.event == "ready"
        yield reader


@pytest.mark.postgres_only
def test_a_change_on_one_server_reaches_a_stream_on_another(
    settings: Settings, world: TenantWorld, other_world: TenantWorld
) -> None:
    with (
        serving(settings, QUICK, QUICK) as (first, second),
        stream_from(second, world.manager) as ours,
        stream_from(second, other_world.manager) as theirs,
    ):
        answer = httpx.post(
            f"{first}/api/v1/sales/leads",
            headers=world.admin.headers,
            json={"name": "Across servers"},
            timeout=10,
        )
        assert answer.status_code == 201, answer.text
        # Within 2 s of the answer (the commit) on the first server.
        seen = ours.until("lead.created", lead_id=answer.json()["id"], within=2.0)
        assert seen[-1].id
        assert theirs.changes(1.0) == []


def test_a_server_with_open_streams_stops_promptly(settings: Settings, world: TenantWorld) -> None:
    with serving_processes(settings, QUICK) as [(process, base)]:
        with stream_from(base, world.manager) as stream:
            process.send_signal(signal.SIGTERM)
            started = time.monotonic()
            leftovers = stream.changes(5.0)
            assert stream.ended, leftovers  # the server ended the stream itself
        process.wait(timeout=10)
        assert time.monotonic() - started < 5.0
        # uvicorn, once stopped, re-raises the SIGTERM it stopped on.
        assert process.returncode in (0, -signal.SIGTERM)
