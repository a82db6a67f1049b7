"""The live floor's tests: an app of their own with a quick heartbeat, and a stream reader.

The app shares the test database with the suite's ``app`` (whose client makes the writes in
most tests), so a change reaches these streams the way it reaches another app process: by
PostgreSQL's notifications, or on SQLite through this process's bus.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx2 as httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from salestrack.app import create_app
from salestrack.core.config import Settings
from tests.support import ApiClient

HEARTBEAT = 0.2  # seconds: a silent stream still yields a line this often


@pytest.fixture(scope="session")
def live_app(settings: Settings, engine: Engine) -> FastAPI:
    quick = settings.model_copy(update={"live_heartbeat_seconds": HEARTBEAT})
    return create_app(quick, engine=engine)


@pytest.fixture(scope="session")
def live_http(live_app: FastAPI) -> Iterator[TestClient]:
    """A client of the live app, its lifespan running (the listener on PostgreSQL)."""
    with TestClient(live_app, raise_server_exceptions=False) as client:
        yield client


@dataclass
class Event:
    event: str
    id: str | None
    data: dict[str, Any]

    @property
    def kinds(self) -> list[str]:
        return [c["kind"] for c in self.data.get("changes", [])]


@dataclass
class EventReader:
    """Reads one open stream's events; heartbeats bound every wait."""

    response: httpx.Response
    ended: bool = False
    ready: Event | None = None
    _lines: Iterator[str] = field(init=False)

    def __post_init__(self) -> None:
        self._lines = self.response.iter_lines()

    def next(self, within: float = 5.0) -> Event | None:
        """The next event, or None if none came within ``within`` seconds (or it ended)."""
        deadline = time.monotonic() + within
        fields: dict[str, str] = {}
        for line in self._lines:
            if line == "" and "data" in fields:  # a block without data (retry:) is no event
                return Event(fields.get("event", "message"), fields.get("id"), _data(fields))
            if line == "":
                fields = {}
            elif not line.startswith(":"):
                name, _, value = line.partition(":")
                fields[name] = value.removeprefix(" ")
            if not fields and time.monotonic() > deadline:
                return None
        self.ended = True
        return None

    def changes(self, within: float) -> list[Event]:
        """Every event that comes within ``within`` seconds (the stream stays open)."""
        found = []
        deadline = time.monotonic() + within
        while (left := deadline - time.monotonic()) > 0:
            event = self.next(left)
            if event is None:
                break
            found.append(event)
        return found

    def until(self, kind: str, within: float = 5.0, **ids: str) -> list[Event]:
        """Events up to the first ``change`` with a change of ``kind`` (and these ids:
        ``lead_id=``, ``id=``); AssertionError if none comes in time."""
        found = []
        deadline = time.monotonic() + within
        while (left := deadline - time.monotonic()) > 0:
            event = self.next(left)
            if event is None:
                break
            found.append(event)
            if any(_matches(c, kind, ids) for c in event.data.get("changes", [])):
                return found
        raise AssertionError(f"no {kind} within {within} s; got {found}")


def _matches(change: dict[str, Any], kind: str, ids: dict[str, str]) -> bool:
    return change["kind"] == kind and all(change[k] == v for k, v in ids.items())


def _data(fields: dict[str, str]) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(fields["data"])
    return found


@contextmanager
def watching(
    client: TestClient, headers: dict[str, str] | None = None, last_event_id: str | None = None
) -> Iterator[EventReader]:
    """An open stream of ``/live/events`` whose ``ready`` event has been read."""
    sent = dict(headers or {})
    if last_event_id is not None:
        sent["Last-Event-ID"] = last_event_id
    with client.stream("GET", "/live/events", headers=sent) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        reader = EventReader(response)
        reader.ready = reader.next()
        assert reader.ready is not None
        assert reader.ready.event == "ready", reader.ready
        yield reader


def as_user(api: ApiClient) -> dict[str, str]:
    """The headers a user's API client streams with (bearer token and tenant)."""
    return api.headers
