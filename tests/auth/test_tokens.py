"""Logging in, and every way a token or tenant header can be wrong."""

from __future__ import annotations

import base64
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from salestrack.core.config import Settings
from tests.support import TenantWorld, login

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


def test_failures_from_one_address_block_it_for_every_account(
    app: FastAPI, http: TestClient, settings: Settings, world: TenantWorld
) -> None:
    """Password spraying: many accounts, one address. Other addresses are not blocked."""
    for i in range(settings.login_max_failures_per_address):
        guess = login(http, world.slug, f"user{i}@{world.slug}.example.com", "Summer2025!")
        assert guess.status_code == 401
    blocked = login(http, world.slug, world.manager.email)  # right password, same address
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    elsewhere = TestClient(app, client=("203.0.113.7", 40000))
    assert login(elsewhere, world.slug, world.manager.email).status_code == 200


def test_missing_or_malformed_authorization_is_401(http: TestClient, world: TenantWorld) -> None:
    tenant = {"X-Tenant-ID": world.slug}
    assert http.get(LEADS, headers=tenant).status_code == 401
    assert (
        http.get(LEADS, headers={**tenant, "Authorization": "Bearer nonsense"}).status_code == 401
    )
    basic = {**tenant, "Authorization": "Basic YWRtaW46YWRtaW4="}
    assert http.get(LEADS, headers=basic).status_code == 401


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _json_b64(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value, separators=(",", ":"), default=str).encode())


def _hmac_by_hand(
    claims: dict[str, Any], key: bytes, alg: str = "HS256", hash_name: str = "sha256"
) -> str:
    """An HMAC token signed with any bytes (PyJWT refuses PEM keys as HMAC secrets)."""
    signing_input = f"{_json_b64({'alg': alg, 'typ': 'JWT'})}.{_json_b64(claims)}"
    digest = hmac.new(key, signing_input.encode(), hash_name).digest()
    return f"{signing_input}.{_b64(digest)}"


def _unsigned(claims: dict[str, Any], alg: str) -> str:
    return f"{_json_b64({'alg': alg, 'typ': 'JWT'})}.{_json_b64(claims)}."


def _forged_tokens(
    settings: Settings, world: TenantWorld, other: TenantWorld
) -> dict[str, tuple[str, str, int]]:
    """name -> (token, X-Tenant-ID to send, expected status)."""
    key = settings.signing_key()
    genuine = world.admin.token
    claims: dict[str, Any] = jwt.decode(
        genuine, key, algorithms=["HS256"], audience=settings.token_audience
    )

    def signed(**changes: Any) -> str:
        payload = {**claims, **changes}
        return jwt.encode({k: v for k, v in payload.items() if v is not _DROP}, key, "HS256")

    now = datetime.now(UTC)
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header, payload, signature = genuine.split(".")
    escalated = {**jwt.decode(genuine, options={"verify_signature": False}), "role": "admin"}
    escalated["sub"] = str(world.viewer.user_id)
    moved = {**claims, "tid": str(other.tenant_id), "ten": other.slug}
    own, theirs = world.slug, other.slug
    tokens: dict[str, tuple[str, str, int]] = {
        "alg none": (_unsigned(claims, "none"), own, 401),
        "alg None": (_unsigned(claims, "None"), own, 401),
        "alg NONE, genuine signature kept": (
            f"{_json_b64({'alg': 'NONE', 'typ': 'JWT'})}.{payload}.{signature}",
            own,
            401,
        ),
        "wrong key": (
            jwt.encode(claims, "another-key-entirely-0123456789abcdef", "HS256"),
            own,
            401,
        ),
        "right key, HS512": (_hmac_by_hand(claims, key.encode(), "HS512", "sha512"), own, 401),
        "RS256 signed with a stranger's RSA key": (jwt.encode(claims, rsa_key, "RS256"), own, 401),
        "HS256 keyed with an RSA public key PEM": (_hmac_by_hand(claims, public_pem), own, 401),
        "RS256 header over an HMAC signature": (
            _hmac_by_hand(claims, key.encode(), alg="RS256"),
            own,
            401,
        ),
        "expired": (signed(exp=int((now - timedelta(minutes=1)).timestamp())), own, 401),
        "not yet valid": (signed(nbf=int((now + timedelta(minutes=5)).timestamp())), own, 401),
        "missing exp": (signed(exp=_DROP), own, 401),
        "missing nbf": (signed(nbf=_DROP), own, 401),
        "missing sub": (signed(sub=_DROP), own, 401),
        "missing tenant claim": (signed(tid=_DROP), own, 401),
        "wrong audience": (signed(aud="someone-else"), own, 401),
        "no audience": (signed(aud=_DROP), own, 401),
        "wrong issuer": (signed(iss="someone-else"), own, 401),
        "unknown role": (signed(role="superuser"), own, 401),
        "missing session epoch": (signed(sep=_DROP), own, 401),
        "session epoch as text": (signed(sep=str(claims["sep"])), own, 401),
        "session epoch not the user's": (signed(sep=claims["sep"] + 1), own, 401),
        "user of another tenant": (signed(sub=str(other.admin.user_id)), own, 401),
        "user that does not exist": (signed(sub=str(uuid.uuid4())), own, 401),
        "tenant id and slug disagree": (signed(ten=other.slug), theirs, 401),
        "payload altered (viewer made admin)": (
            f"{header}.{_json_b64(escalated)}.{signature}",
            own,
            401,
        ),
        "payload altered (moved to other tenant)": (
            f"{header}.{_json_b64(moved)}.{signature}",
            theirs,
            401,
        ),
        "signature removed": (f"{header}.{payload}.", own, 401),
        "signature truncated": (f"{header}.{payload}.{signature[:-4]}", own, 401),
        "two segments": (f"{header}.{payload}", own, 401),
        "garbage": ("not-a-token-at-all", own, 401),
        "empty": ("", own, 401),
        # A genuine token with another tenant's header: 403, as the foundation promised.
        "tenant claim differs from header": (genuine, theirs, 403),
        "tenant claim differs from header (by id)": (genuine, str(other.tenant_id), 403),
    }
    return tokens


_DROP: Any = object()


def test_forged_tokens_are_all_refused(
    http: TestClient, settings: Settings, world: TenantWorld, other_world: TenantWorld
) -> None:
    tokens = _forged_tokens(settings, world, other_world)
    wrong = {}
    accepted = 0
    for name, (token, tenant, expected) in tokens.items():
        headers = {"Authorization": f"Bearer {token}", "X-Tenant-ID": tenant}
        status = http.get(LEADS, headers=headers).status_code
        accepted += status < 300
        if status != expected:
            wrong[name] = (status, expected)
    print(f"forged tokens: {len(tokens)}, accepted: {accepted}")
    assert accepted == 0
    assert wrong == {}
    # The genuine token still works, so the refusals above were about the forgeries.
    assert http.get(LEADS, headers=world.admin.headers).status_code == 200


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


def test_refused_users_leave_no_connection_or_write_behind(
    world: TenantWorld, engine: Engine
) -> None:
    """The user check runs as the request's transaction begins: a refusal there rolls the
    transaction back and returns the connection, for reads, writes and idempotent posts."""
    world.admin.ok("PATCH", f"/api/v1/sales/users/{world.rep.user_id}", json={"is_active": False})
    world.admin.ok("PATCH", f"/api/v1/sales/users/{world.manager.user_id}", json={"role": "viewer"})
    before = world.admin.ok("GET", LEADS, params={"limit": 200})["items"]
    for _ in range(10):
        assert world.rep.get(LEADS).status_code == 401
        assert world.manager.post(LEADS, json={"name": "Refused"}).status_code == 403
        keyed = {"Idempotency-Key": str(uuid.uuid4())}
        refused = world.manager.post(LEADS, json={"name": "Refused"}, headers=keyed)
        assert refused.status_code == 403
    assert engine.pool.checkedout() == 0
    assert world.admin.ok("GET", LEADS, params={"limit": 200})["items"] == before
