"""Reminder test fixtures: a local SMTP server, settings that mail to it with quick retries,
and an in-process worker serving only the test's tenant."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from salestrack.app import create_app
from salestrack.core.config import Settings
from salestrack.core.tenancy import tenant_transaction
from salestrack.core.worker import Worker
from salestrack.reminders import worker as reminder_tasks
from salestrack.reminders.models import Reminder
from tests.journey.helpers import SALES, milestone, new_lead
from tests.reminders.smtp import Inbox, free_port, smtp_server
from tests.support import ApiClient, TenantWorld, build_tenant

PUBLIC_URL = "https://crm.example.com"
RETRY_BASE = 0.4
ME = "/api/v1/me/preferences"


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def smtp(inbox: Inbox, smtp_port: int) -> Iterator[Inbox]:
    with smtp_server(inbox, smtp_port):
        yield inbox


@pytest.fixture(scope="session")
def base_mail_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "public_url": PUBLIC_URL,
            "mail_from": "salestrack <reminders@crm.example.com>",
            "mail_retry_base_seconds": RETRY_BASE,
            "mail_max_attempts": 5,
            "smtp_timeout_seconds": 5.0,
            "worker_lease_seconds": 2.0,
            "worker_schedule_seconds": 0.0,
            "worker_idle_seconds": 0.1,
        }
    )


@pytest.fixture
def mail_settings(base_mail_settings: Settings, smtp_port: int) -> Settings:
    url = SecretStr(f"smtp://127.0.0.1:{smtp_port}")
    return base_mail_settings.model_copy(update={"smtp_url": url})


@pytest.fixture(scope="session")
def mail_app(base_mail_settings: Settings, engine: Engine) -> FastAPI:
    return create_app(base_mail_settings, engine=engine)


@pytest.fixture(scope="session")
def mail_http(mail_app: FastAPI) -> TestClient:
    return TestClient(mail_app, raise_server_exceptions=False)


@pytest.fixture
def team(mail_http: TestClient, session_factory: sessionmaker[Session]) -> TenantWorld:
    """A fresh tenant; every user's digest off until a test turns on the ones it checks."""
    world = build_tenant(mail_http, session_factory)
    for client in world.clients.values():
        client.ok(
            "PATCH",
            ME,
            json={"digest_enabled": False, "team_digest_enabled": False}
            if client is world.manager or client is world.admin
            else {"digest_enabled": False},
        )
    return world


def worker_for(
    settings: Settings, engine: Engine, factory: sessionmaker[Session], tenant_id: uuid.UUID
) -> Worker:
    return Worker(engine, factory, reminder_tasks.tasks(settings), only=[tenant_id])


@pytest.fixture
def worker(
    mail_settings: Settings,
    engine: Engine,
    session_factory: sessionmaker[Session],
    team: TenantWorld,
) -> Worker:
    return worker_for(mail_settings, engine, session_factory, team.tenant_id)


def drain(worker: Worker, *, quiet_passes: int = 2, timeout: float = 30.0) -> None:
    """Run passes until ``quiet_passes`` in a row handle nothing."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while quiet < quiet_passes:
        assert time.monotonic() < deadline, "the worker did not settle in time"
        quiet = 0 if worker.run_once() else quiet + 1


def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def reminders(
    factory: sessionmaker[Session], world: TenantWorld, user: ApiClient | None = None
) -> list[Reminder]:
    """The tenant's send records (oldest first), of one user if given."""
    with tenant_transaction(factory, world.tenant_id) as session:
        stmt = select(Reminder).where(Reminder.tenant_id == world.tenant_id)
        if user is not None:
            stmt = stmt.where(Reminder.user_id == user.user_id)
        return list(session.scalars(stmt.order_by(Reminder.created_at, Reminder.id)))


def lead_for(owner: ApiClient, name: str, **fields: Any) -> str:
    return str(new_lead(owner, name=name, assigned_to=str(owner.user_id), **fields)["id"])


def follow_up(
    api: ApiClient, lead_id: str, due: str, *, on: str | None = None, **extra: Any
) -> str:
    created = milestone(
        api,
        lead_id,
        "site_visit",
        on or min(due, "2025-01-01"),
        follow_up_required=True,
        follow_up_date=due,
        **extra,
    )
    return str(created["id"])


def done(api: ApiClient, milestone_id: str) -> None:
    api.ok("POST", f"{SALES}/follow-ups/{milestone_id}/done")


def at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment
