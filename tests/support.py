"""Test helpers: tenants built through the public services, clients that carry a token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx2 as httpx
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth import service as auth
from salestrack.auth.context import system_actor
from salestrack.auth.roles import Role
from salestrack.auth.schemas import UserCreate
from salestrack.core.db import transaction
from salestrack.core.formatting import DEFAULT_TIMEZONE

PASSWORD = "correct horse battery"


@dataclass
class ApiClient:
    """An HTTP client acting as one user of one tenant."""

    http: TestClient
    tenant: str
    token: str
    user_id: uuid.UUID
    email: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "X-Tenant-ID": self.tenant}

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.http.request(method, url, headers=headers, **kwargs)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)

    def ok(self, method: str, url: str, status: int = 200, **kwargs: Any) -> Any:
        """Send and assert the status; return the JSON body (None for 204)."""
        response = self.request(method, url, **kwargs)
        assert response.status_code == status, (response.status_code, response.text)
        return None if status == 204 else response.json()


@dataclass
class TenantWorld:
    slug: str
    tenant_id: uuid.UUID
    clients: dict[Role, ApiClient] = field(default_factory=dict)

    @property
    def admin(self) -> ApiClient:
        return self.clients[Role.admin]

    @property
    def manager(self) -> ApiClient:
        return self.clients[Role.manager]

    @property
    def rep(self) -> ApiClient:
        return self.clients[Role.sales_rep]

    @property
    def viewer(self) -> ApiClient:
        return self.clients[Role.viewer]


def login(http: TestClient, tenant: str, email: str, password: str = PASSWORD) -> httpx.Response:
    return http.post(
        "/api/v1/auth/token",
        headers={"X-Tenant-ID": tenant},
        data={"username": email, "password": password},
    )


def build_tenant(
    http: TestClient, factory: sessionmaker[Session], timezone: str = DEFAULT_TIMEZONE
) -> TenantWorld:
    """A new tenant (as `salestrack create-tenant` makes it) with a user per role, logged in."""
    slug = f"t-{uuid.uuid4().hex[:10]}"
    with transaction(factory) as session:
        tenant = auth.create_tenant(session, slug=slug, name=f"Tenant {slug}", timezone=timezone)
        actor = system_actor(tenant.tenant_id, slug)
        users = {
            role: auth.create_user(
                session,
                actor=actor,
                data=UserCreate(
                    email=f"{role.value}@{slug}.example.com", password=PASSWORD, role=role
                ),
            )
            for role in Role
        }
        world = TenantWorld(slug=slug, tenant_id=tenant.tenant_id)
        user_ids = {role: (user.id, user.email) for role, user in users.items()}
    for role, (user_id, email) in user_ids.items():
        response = login(http, slug, email)
        assert response.status_code == 200, response.text
        world.clients[role] = ApiClient(http, slug, response.json()["access_token"], user_id, email)
    return world


def zone_off_the_utc_day() -> str:
    """A time zone whose calendar day is not UTC's now, nor for at least the next hour
    (UTC+14 from 11:00 UTC, UTC-12 before): a date taken from the UTC day fails a test."""
    return "Pacific/Kiritimati" if datetime.now(UTC).hour >= 11 else "Etc/GMT+12"


def local_today(zone: str) -> date:
    return datetime.now(ZoneInfo(zone)).date()


def tenant_today() -> date:
    """Today where the test tenants are (the default zone, Asia/Kolkata): the day a date
    left out of a write takes, and the day reports and ageing count from."""
    return local_today(DEFAULT_TIMEZONE)
