"""Logging in, and every way a token or tenant header can be wrong."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from fastapi.testclient import TestClient

from salestrack.config import Settings
from tests.support import ApiClient, TenantWorld, login

LEADS = "/api/v1/sales/leads"


def test_login_returns_a_bearer_token_that_works(http: TestClient, world: TenantWorld) -> None:
    response = login(http, world.slug, world.admin.email)
    body = response.json()
    assert response.status_code == 200
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    headers = {"Authorization": f"Bearer {body['access_token']}", "X-Tenant-ID": world.slug}
    assert http.get(LEADS, headers=headers).status_code == 200


def test_the_tenant_header_may_be_the_tenant_id(http: TestClient, world: TenantWorld) -> None:
    headers = {**world.admin.headers, "X-Tenant-ID": str(world.tenant_id)}
    assert http.get(LEADS, headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("tenant", "email", "password"),
    [
        ("own", "admin", "wrong password!"),
        ("own", "nobody@example.com", "correct horse battery"),
        ("no-such-tenant", "admin", "correct horse battery"),
    ],
)
def test_bad_credentials_are_401(
    http: TestClient, world: TenantWorld, tenant: str, email: str, password: str
) -> None:
    response = login(
        http,
        world.slug if tenant == "own" else tenant,
        world.admin.email if email == "admin" else email,
        password,
    )
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"] == "invalid tenant, email or password"


def test_a_user_of_another_tenant_cannot_log_in_here(
    http: TestClient, world: TenantWorld, other_world: TenantWorld
) -> None:
    assert login(http, world.slug, other_world.admin.email).status_code == 401


def test_repeated_failures_lock_the_account_with_retry_after(
    http: TestClient, world: TenantWorld
) -> None:
    for _ in range(5):
        assert login(http, world.slug, world.rep.email, "not the password").status_code == 401
    locked = login(http, world.slug, world.rep.email)  # even the right password now waits
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert login(http, world.slug, world.manager.email).status_code == 200  # others unaffected


def test_missing_or_malformed_authorization_is_401(http: TestClient, world: TenantWorld) -> None:
    tenant = {"X-Tenant-ID": world.slug}
    assert http.get(LEADS, headers=tenant).status_code == 401
    assert (
        http.get(LEADS, headers={**tenant, "Authorization": "Bearer nonsense"}).status_code == 401
    )
    basic = {**tenant, "Authorization": "Basic YWRtaW46YWRtaW4="}
    assert http.get(LEADS, headers=basic).status_code == 401


def _forge(settings: Settings, api: ApiClient, **changes: object) -> str:
    claims = jwt.decode(
        api.token,
        settings.signing_key(),
        algorithms=["HS256"],
        audience=settings.token_audience,
    )
    claims.update(changes)
    return jwt.encode(claims, settings.signing_key(), algorithm="HS256")


def test_expired_and_not_yet_valid_tokens_are_401(
    http: TestClient, settings: Settings, world: TenantWorld
) -> None:
    past = int((datetime.now(UTC) - timedelta(minutes=1)).timestamp())
    future = int((datetime.now(UTC) + timedelta(minutes=5)).timestamp())
    for token in (
        _forge(settings, world.admin, exp=past),
        _forge(settings, world.admin, nbf=future),
    ):
        headers = {"Authorization": f"Bearer {token}", "X-Tenant-ID": world.slug}
        assert http.get(LEADS, headers=headers).status_code == 401


def test_tampered_wrong_key_wrong_audience_and_alg_none_are_401(
    http: TestClient, settings: Settings, world: TenantWorld
) -> None:
    header, payload, signature = world.admin.token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["role"] = "admin" if claims["role"] != "admin" else "viewer"
    altered = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    claims_now = jwt.decode(
        world.admin.token,
        settings.signing_key(),
        algorithms=["HS256"],
        audience=settings.token_audience,
    )
    forged = [
        f"{header}.{altered}.{signature}",
        jwt.encode(claims_now, "another-key-entirely-0123456789abcdef", algorithm="HS256"),
        _forge(settings, world.admin, aud="someone-else"),
        _forge(settings, world.admin, iss="someone-else"),
        jwt.encode(claims_now, key=None, algorithm="none"),
    ]
    for token in forged:
        headers = {"Authorization": f"Bearer {token}", "X-Tenant-ID": world.slug}
        assert http.get(LEADS, headers=headers).status_code == 401, token


def test_tenant_header_must_match_the_token(
    http: TestClient, world: TenantWorld, other_world: TenantWorld
) -> None:
    mismatched = {**world.admin.headers, "X-Tenant-ID": other_world.slug}
    response = http.get(LEADS, headers=mismatched)
    assert response.status_code == 403
    assert "X-Tenant-ID" in response.json()["detail"]
    missing = {"Authorization": world.admin.headers["Authorization"]}
    assert http.get(LEADS, headers=missing).status_code == 403


def test_a_deactivated_user_loses_access_at_once(world: TenantWorld) -> None:
    world.admin.ok("PATCH", f"/api/v1/sales/users/{world.rep.user_id}", json={"is_active": False})
    assert world.rep.get(LEADS).status_code == 401
    assert login(world.rep.http, world.slug, world.rep.email).status_code == 401


def test_a_demoted_user_loses_rights_at_once(world: TenantWorld) -> None:
    world.admin.ok("PATCH", f"/api/v1/sales/users/{world.manager.user_id}", json={"role": "viewer"})
    assert world.manager.post(LEADS, json={"name": "Not allowed"}).status_code == 403
