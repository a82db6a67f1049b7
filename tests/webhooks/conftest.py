"""Webhook test fixtures: an app that may deliver to this machine, and an in-process worker
connected as the app role (row-level security in force on PostgreSQL)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from salestrack.app import create_app
from salestrack.core.config import Settings
from salestrack.core.worker import Worker
from salestrack.webhooks import delivery
from salestrack.webhooks import worker as webhook_tasks
from salestrack.webhooks.events import EventType
from tests.support import ApiClient, TenantWorld, build_tenant

ENDPOINTS = "/api/v1/sales/webhooks/endpoints"
ALL_EVENTS = [e.value for e in EventType]
RETRY_BASE = 0.4


@pytest.fixture(scope="session")
def hook_settings(settings: Settings) -> Settings:
    """The test settings, with receivers on 127.0.0.1 allowed and quick retries."""
    return settings.model_copy(
        update={
            "webhook_allow_private": True,
            "webhook_retry_base_seconds": RETRY_BASE,
            "webhook_max_attempts": 5,
            "webhook_timeout_seconds": 5.0,
            "worker_lease_seconds": 2.0,
            "worker_schedule_seconds": 0.0,
            "worker_idle_seconds": 0.1,
        }
    )


@pytest.fixture(scope="session")
def hook_app(hook_settings: Settings, engine: Engine) -> FastAPI:
    return create_app(hook_settings, engine=engine)


@pytest.fixture(scope="session")
def hook_http(hook_app: FastAPI) -> TestClient:
    return TestClient(hook_app, raise_server_exceptions=False)


@pytest.fixture
def hook_world(hook_http: TestClient, session_factory: sessionmaker[Session]) -> TenantWorld:
    return build_tenant(hook_http, session_factory)


@pytest.fixture
def worker(
    hook_settings: Settings,
    engine: Engine,
    session_factory: sessionmaker[Session],
    request: pytest.FixtureRequest,
) -> Iterator[Worker]:
    """A worker serving the test's own tenants only (``hook_world``, or those it adds to
    ``worker.only``): other tests' endpoints are never contacted."""
    with delivery.client(hook_settings.webhook_timeout_seconds) as http:
        runner = Worker(
            engine, session_factory, webhook_tasks.tasks(hook_settings, http), only=[uuid.uuid4()]
        )
        if "hook_world" in request.fixturenames:
            runner.only = frozenset({request.getfixturevalue("hook_world").tenant_id})
        yield runner


def register(api: ApiClient, url: str, events: list[str] | None = None) -> tuple[str, str]:
    """An endpoint for ``events`` (default: all); returns (id, secret)."""
    body = {"url": url, "events": events or ALL_EVENTS, "description": "test receiver"}
    created = api.ok("POST", ENDPOINTS, 201, json=body)
    assert created["secret"].startswith("whsec_")
    return created["id"], created["secret"]


def deliveries(api: ApiClient, endpoint_id: str) -> list[dict[str, Any]]:
    page = api.ok("GET", f"{ENDPOINTS}/{endpoint_id}/deliveries", params={"limit": 500})
    items: list[dict[str, Any]] = page["items"]
    return items


def drain(worker: Worker, done: Callable[[], bool], *, timeout: float = 30.0) -> None:
    """Run worker passes until ``done()`` (fails the test after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "the worker did not finish in time"
        if not worker.run_once():
            time.sleep(0.05)


def settled(api: ApiClient, endpoint_id: str, count: int) -> Callable[[], bool]:
    """``count`` deliveries of the endpoint exist and none is still pending or running."""

    def check() -> bool:
        items = deliveries(api, endpoint_id)
        return len(items) >= count and all(d["status"] in ("succeeded", "failed") for d in items)

    return check
