"""An Idempotency-Key replay is answered only to a caller who could make the request now.

Keys belong to the caller who sent them (tenant and user), and a repeat gets its stored
answer only after every check a fresh request gets: a valid token, ``X-Tenant-ID`` naming
its tenant, the user still active with the token's role, the route's permission. Another
user's identical key is simply another key: their request runs as their own. On both
databases.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from salestrack.app import create_app
from salestrack.auth.context import Actor
from salestrack.auth.deps import current_actor
from salestrack.core.config import Settings
from salestrack.http.deps import SessionDep
from salestrack.http.idempotency_asgi import SALES_PREFIX
from salestrack.leads.schemas import LeadCreate
from salestrack.leads.service import create_lead
from tests.security.routes import api_operations
from tests.support import PASSWORD, ApiClient, TenantWorld

LEDGER = "/api/v1/sales/ledger"
USERS = "/api/v1/sales/users"
CUSTOMERS = "/api/v1/sales/customers"


def _customer(api: ApiClient) -> str:
    customer: str = api.ok("POST", CUSTOMERS, 201, json={"name": "Asha Rao"})["id"]
    return customer


def _payment(customer: str, amount: str = "100.00") -> dict[str, str]:
    return {"customer_id": customer, "transaction_type": "payment", "credit_amount": amount}


def _entries(api: ApiClient, customer: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = api.ok("GET", f"{LEDGER}/{customer}")["entries"]
    return entries


def _key() -> dict[str, str]:
    return {"Idempotency-Key": f"k-{uuid.uuid4()}"}


def _paid_with_key(world: TenantWorld, payer: ApiClient) -> tuple[str, dict[str, Any], Any]:
    """A payment posted by ``payer`` with a fresh key: (customer, key header, answer)."""
    customer = _customer(world.admin)
    key = _key()
    first = payer.ok("POST", LEDGER, 201, json=_payment(customer), headers=key)
    return customer, key, first


def _refused(response: Any, status: int, first: Any) -> None:
    assert response.status_code == status, (response.status_code, response.text)
    assert "idempotent-replayed" not in response.headers
    assert str(first["id"]) not in response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_the_same_caller_gets_the_stored_answer_and_nothing_runs(world: TenantWorld) -> None:
    customer, key, first = _paid_with_key(world, world.admin)
    audit_before = world.admin.ok(
        "GET", "/api/v1/sales/audit", params={"entity": "ledger_entry", "entity_id": first["id"]}
    )
    again = world.admin.post(LEDGER, json=_payment(customer), headers=key)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first
    assert [e["id"] for e in _entries(world.admin, customer)] == [first["id"]]
    audit_after = world.admin.ok(
        "GET", "/api/v1/sales/audit", params={"entity": "ledger_entry", "entity_id": first["id"]}
    )
    assert audit_after == audit_before


@pytest.mark.parametrize("role", ["viewer", "rep"])
def test_a_role_that_may_not_post_gets_403_not_the_stored_answer(
    world: TenantWorld, role: str
) -> None:
    customer, key, first = _paid_with_key(world, world.admin)
    caller: ApiClient = getattr(world, role)
    replay = caller.post(LEDGER, json=_payment(customer), headers=key)
    _refused(replay, 403, first)
    assert "money:write" in replay.json()["detail"]  # the fresh request's refusal
    assert len(_entries(world.admin, customer)) == 1


def test_a_manager_cannot_replay_an_admins_user_creation(world: TenantWorld) -> None:
    key = _key()
    body = {"email": f"new-{uuid.uuid4().hex[:8]}@example.com", "password": PASSWORD}
    first = world.admin.ok("POST", USERS, 201, json={**body, "role": "viewer"}, headers=key)
    replay = world.manager.post(USERS, json={**body, "role": "viewer"}, headers=key)
    _refused(replay, 403, first)
    emails = [u["email"] for u in world.admin.ok("GET", USERS)]
    assert emails.count(body["email"]) == 1


def test_a_user_deactivated_since_gets_401(world: TenantWorld) -> None:
    customer, key, first = _paid_with_key(world, world.manager)
    world.admin.ok("PATCH", f"{USERS}/{world.manager.user_id}", json={"is_active": False})
    replay = world.manager.post(LEDGER, json=_payment(customer), headers=key)
    _refused(replay, 401, first)
    assert len(_entries(world.admin, customer)) == 1


def test_a_user_whose_role_changed_since_gets_403(world: TenantWorld) -> None:
    customer, key, first = _paid_with_key(world, world.manager)
    world.admin.ok("PATCH", f"{USERS}/{world.manager.user_id}", json={"role": "viewer"})
    replay = world.manager.post(LEDGER, json=_payment(customer), headers=key)
    _refused(replay, 403, first)
    assert "sign in again" in replay.json()["detail"]


def test_a_replay_needs_the_tokens_tenant_in_the_header(
    world: TenantWorld, other_world: TenantWorld
) -> None:
    customer, key, first = _paid_with_key(world, world.admin)
    token = {"Authorization": f"Bearer {world.admin.token}"}
    http = world.admin.http
    for tenant in (None, other_world.slug, str(other_world.tenant_id), "no-such-tenant"):
        headers = {**token, **key, **({"X-Tenant-ID": tenant} if tenant else {})}
        replay = http.post(LEDGER, json=_payment(customer), headers=headers)
        _refused(replay, 403, first)
    without_token = http.post(
        LEDGER, json=_payment(customer), headers={"X-Tenant-ID": world.slug, **key}
    )
    _refused(without_token, 401, first)
    # Another tenant's admin naming this tenant: 403 like any request of theirs.
    foreign = {**other_world.admin.headers, "X-Tenant-ID": world.slug, **key}
    _refused(http.post(LEDGER, json=_payment(customer), headers=foreign), 403, first)
    assert len(_entries(world.admin, customer)) == 1


def test_another_users_same_key_and_body_is_their_own_request(world: TenantWorld) -> None:
    customer, key, first = _paid_with_key(world, world.admin)
    theirs = world.manager.post(LEDGER, json=_payment(customer), headers=key)
    assert theirs.status_code == 201
    assert "idempotent-replayed" not in theirs.headers
    assert theirs.json()["id"] != first["id"]
    assert len(_entries(world.admin, customer)) == 2
    # ... and their own repeat replays their own answer.
    again = world.manager.post(LEDGER, json=_payment(customer), headers=key)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == theirs.json()
    assert len(_entries(world.admin, customer)) == 2


def test_another_users_key_says_nothing_of_the_request_it_was_used_for(
    world: TenantWorld,
) -> None:
    _customer_id, key, _first = _paid_with_key(world, world.admin)
    mine = world.manager.post(CUSTOMERS, json={"name": "Ravi Kumar"}, headers=key)
    assert mine.status_code == 201
    assert "idempotent-replayed" not in mine.headers
    assert LEDGER not in mine.text


def test_reusing_ones_own_key_is_422_without_naming_the_first_request(
    world: TenantWorld,
) -> None:
    customer, key, _first = _paid_with_key(world, world.admin)
    for method_path, body in (
        (LEDGER, _payment(customer, "200.00")),
        (CUSTOMERS, {"name": "Other"}),
    ):
        reused = world.admin.post(method_path, json=body, headers=key)
        assert reused.status_code == 422
        detail = reused.json()["detail"]
        assert "different request" in detail
        assert LEDGER not in detail
        assert "POST" not in detail
    assert len(_entries(world.admin, customer)) == 1


def test_a_refused_replay_leaves_no_connection_behind(world: TenantWorld, engine: Engine) -> None:
    customer, key, _first = _paid_with_key(world, world.manager)
    world.admin.ok("PATCH", f"{USERS}/{world.manager.user_id}", json={"is_active": False})
    for _ in range(5):
        assert world.manager.post(LEDGER, json=_payment(customer), headers=key).status_code == 401
        assert world.viewer.post(LEDGER, json=_payment(customer), headers=key).status_code == 403
    assert engine.pool.checkedout() == 0


def test_every_sales_post_claims_its_key_after_a_permission_check(app: FastAPI) -> None:
    """``auth.deps.require`` is where a key is claimed: every POST the idempotency layer
    covers must depend on it (a keyed request to a route without it gets 500)."""
    posts = [
        op for op in api_operations(app) if op.method == "POST" and op.path.startswith(SALES_PREFIX)
    ]
    assert len(posts) >= 10
    assert [op.key for op in posts if op.permission is None] == []


def test_a_route_that_never_claims_its_key_is_refused_and_writes_nothing(
    settings: Settings, engine: Engine, world: TenantWorld
) -> None:
    app = create_app(settings, engine=engine)
    router = APIRouter()

    @router.post(f"{SALES_PREFIX}unguarded", status_code=201)
    def unguarded(
        session: SessionDep, actor: Annotated[Actor, Depends(current_actor)], name: str
    ) -> dict[str, str]:
        return {"id": str(create_lead(session, actor=actor, data=LeadCreate(name=name)).id)}

    app.include_router(router)
    client = TestClient(app, raise_server_exceptions=False)  # no ``with``: no lifespan
    url, headers = f"{SALES_PREFIX}unguarded", world.admin.headers
    assert client.post(url, params={"name": "Plain"}, headers=headers).status_code == 201
    keyed = client.post(url, params={"name": "Keyed"}, headers={**headers, **_key()})
    assert keyed.status_code == 500
    names = [lead["name"] for lead in world.admin.ok("GET", "/api/v1/sales/leads")["items"]]
    assert "Plain" in names
    assert "Keyed" not in names
    assert engine.pool.checkedout() == 0
