"""What each role may do, through the API (403 for the rest)."""

from __future__ import annotations

import uuid

import pytest
from salestrack.core.config import Settings
from salestrack.core.tenancy import set_tenant
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth.models import User
from salestrack.auth.roles import Role
from salestrack.auth.security import configure_hashing
from tests.support import TenantWorld, login

BODIES = {
    "/api/v1/sales/leads": {"name": "Role Test"},
    "/api/v1/sales/customers": {"name": "Role Test Customer"},
    "/api/v1/sales/campaigns": {"campaign_name": "Role Test", "campaign_type": "email"},
    "/api/v1/sales/lead-sources": {"source_type": "website", "channel": "Direct"},
}
# (method, path) -> roles allowed
MATRIX: dict[tuple[str, str], set[Role]] = {
    ("GET", "/api/v1/sales/leads"): set(Role),
    ("POST", "/api/v1/sales/leads"): {Role.admin, Role.manager, Role.sales_rep},
    ("GET", "/api/v1/sales/customers"): set(Role),
    ("POST", "/api/v1/sales/customers"): {Role.admin, Role.manager, Role.sales_rep},
    ("GET", "/api/v1/sales/campaigns"): set(Role),
    ("POST", "/api/v1/sales/campaigns"): {Role.admin, Role.manager},
    ("GET", "/api/v1/sales/lead-sources"): set(Role),
    ("POST", "/api/v1/sales/lead-sources"): {Role.admin, Role.manager},
    ("GET", "/api/v1/sales/users"): {Role.admin},
    ("GET", "/api/v1/sales/audit?entity=lead"): {Role.admin},
}


@pytest.mark.parametrize(("method", "path"), list(MATRIX))
def test_role_matrix(world: TenantWorld, method: str, path: str) -> None:
    for role in Role:
        response = world.clients[role].request(method, path, json=BODIES.get(path))
        expected = (201 if method == "POST" else 200) if role in MATRIX[(method, path)] else 403
        assert response.status_code == expected, (role, response.text)


def test_only_admins_manage_users(world: TenantWorld) -> None:
    body = {"email": "new.rep@example.com", "password": "a long password", "role": "sales_rep"}
    assert world.manager.post("/api/v1/sales/users", json=body).status_code == 403
    created = world.admin.ok("POST", "/api/v1/sales/users", 201, json=body)
    assert created["role"] == "sales_rep"
    assert "password" not in created
    assert "password_hash" not in created
    assert (
        login(world.admin.http, world.slug, "new.rep@example.com", "a long password").status_code
        == 200
    )
    assert world.admin.post("/api/v1/sales/users", json=body).status_code == 409


def test_viewers_cannot_change_or_delete(world: TenantWorld) -> None:
    lead = world.admin.ok("POST", "/api/v1/sales/leads", 201, json={"name": "Kept"})
    url = f"/api/v1/sales/leads/{lead['id']}"
    assert world.viewer.patch(url, json={"name": "Changed"}).status_code == 403
    assert world.viewer.delete(url).status_code == 403
    assert world.admin.ok("GET", url)["name"] == "Kept"


def test_sales_reps_see_no_money_or_audit(world: TenantWorld) -> None:
    assert world.rep.get("/api/v1/sales/audit?entity=lead").status_code == 403
    campaign = world.admin.ok(
        "POST", "/api/v1/sales/campaigns", 201, json=BODIES["/api/v1/sales/campaigns"]
    )
    url = f"/api/v1/sales/campaigns/{campaign['id']}"
    assert world.rep.patch(url, json={"budget": "1.00"}).status_code == 403


def test_password_hashes_are_argon2id_and_upgraded_at_login(
    world: TenantWorld, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    def stored_hash() -> str:
        with session_factory() as session:
            set_tenant(session, world.tenant_id)
            return session.scalars(
                select(User.password_hash).where(
                    User.tenant_id == world.tenant_id, User.id == world.viewer.user_id
                )
            ).one()

    assert stored_hash().startswith("$argon2id$")
    stronger = settings.model_copy(update={"argon2_time_cost": settings.argon2_time_cost + 1})
    configure_hashing(stronger)
    try:
        assert login(world.viewer.http, world.slug, world.viewer.email).status_code == 200
        assert f"t={stronger.argon2_time_cost}," in stored_hash()
    finally:
        configure_hashing(settings)


def test_default_argon2_parameters_meet_owasp() -> None:
    defaults = Settings(database_url="sqlite://")
    assert defaults.argon2_memory_kib >= 19 * 1024
    assert defaults.argon2_time_cost >= 2
    assert defaults.argon2_parallelism >= 1


def test_unknown_user_id_is_404(world: TenantWorld) -> None:
    response = world.admin.patch(f"/api/v1/sales/users/{uuid.uuid4()}", json={"role": "viewer"})
    assert response.status_code == 404
