"""Integration keys: shown once, stored hashed, scoped, revocable, audited, one tenant."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth.models import IntegrationKey
from salestrack.core.tenancy import tenant_transaction
from tests.intake.helpers import CAPTURE, KEYS, new_key, send
from tests.support import TenantWorld

ENQUIRY = {"name": "Asha Rao", "phone": "+91 98100 00001"}


def test_a_key_is_shown_once_and_stored_as_a_hash(
    world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    created = world.admin.ok("POST", KEYS, 201, json={"name": "site", "scope": "capture"})
    key = created["key"]
    assert key.startswith("stk_")
    assert len(key) > 60
    listed = world.admin.ok("GET", KEYS)
    assert [k["id"] for k in listed] == [created["id"]]
    assert "key" not in listed[0]
    assert listed[0]["last_used_at"] is None
    with tenant_transaction(session_factory, world.tenant_id) as session:
        stored = session.scalars(
            select(IntegrationKey).where(IntegrationKey.tenant_id == world.tenant_id)
        ).one()
        assert key not in (stored.key_hash, stored.hint)
        assert len(stored.key_hash) == 64
    audit = world.admin.ok(
        "GET", f"/api/v1/sales/audit?entity=integration_key&entity_id={created['id']}"
    )
    entry = audit[0]
    assert entry["action"] == "create"
    assert entry["changes"]["key_hash"] == "(changed)"


def test_only_admins_manage_keys(world: TenantWorld) -> None:
    for client in (world.manager, world.rep, world.viewer):
        assert client.post(KEYS, json={"name": "x", "scope": "capture"}).status_code == 403
        assert client.get(KEYS).status_code == 403


def test_a_capture_key_works_by_either_header_and_notes_its_use(world: TenantWorld) -> None:
    key = new_key(world.admin)
    assert send(world.admin, key, ENQUIRY).status_code == 201
    bearer = world.admin.http.post(
        CAPTURE,
        json={"name": "Bala", "email": "bala@example.com"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert bearer.status_code == 201, bearer.text
    assert world.admin.ok("GET", KEYS)[0]["last_used_at"] is not None


def test_no_key_a_wrong_key_or_a_revoked_key_is_401(world: TenantWorld) -> None:
    key = new_key(world.admin)
    assert world.admin.http.post(CAPTURE, json=ENQUIRY).status_code == 401
    assert send(world.admin, key[:-4] + "AAAA", ENQUIRY).status_code == 401
    assert (
        world.admin.http.post(CAPTURE, json=ENQUIRY, headers=world.admin.headers).status_code == 401
    )
    key_id = world.admin.ok("GET", KEYS)[0]["id"]
    revoked = world.admin.ok("POST", f"{KEYS}/{key_id}/revoke")
    assert revoked["revoked_at"] is not None
    refused = send(world.admin, key, ENQUIRY)
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert world.admin.post(f"{KEYS}/{key_id}/revoke").status_code == 409
    actions = [
        e["action"]
        for e in world.admin.ok(
            "GET", f"/api/v1/sales/audit?entity=integration_key&entity_id={key_id}"
        )
    ]
    assert sorted(actions) == ["create", "update"]


def test_a_read_key_cannot_capture_and_a_capture_key_cannot_read(world: TenantWorld) -> None:
    reader, capturer = new_key(world.admin, "read"), new_key(world.admin, "capture")
    refused = send(world.admin, reader, ENQUIRY)
    assert refused.status_code == 403, refused.text
    assert world.admin.ok("GET", "/api/v1/sales/leads")["items"] == []
    lead_id = send(world.admin, capturer, ENQUIRY).json()["lead_id"]
    read = world.admin.http.get(f"{CAPTURE}/{lead_id}", headers={"X-API-Key": reader})
    assert read.status_code == 200
    assert read.json()["name"] == "Asha Rao"
    assert (
        world.admin.http.get(f"{CAPTURE}/{lead_id}", headers={"X-API-Key": capturer}).status_code
        == 403
    )


def test_keys_of_one_tenant_never_act_in_another(
    world: TenantWorld, other_world: TenantWorld
) -> None:
    key = new_key(world.admin)
    reader = new_key(world.admin, "read")
    # A tenant header naming the other tenant changes nothing: the key acts in its own.
    sent = send(world.admin, key, ENQUIRY, **{"X-Tenant-ID": other_world.slug})
    assert sent.status_code == 201
    assert len(world.admin.ok("GET", "/api/v1/sales/leads")["items"]) == 1
    assert other_world.admin.ok("GET", "/api/v1/sales/leads")["items"] == []
    # The key's secret under the other tenant's id is no key at all.
    forged = key.replace(world.tenant_id.hex, other_world.tenant_id.hex)
    assert send(world.admin, forged, ENQUIRY).status_code == 401
    # A read key sees another tenant's lead as missing.
    theirs = other_world.admin.ok("POST", "/api/v1/sales/leads", 201, json={"name": "Theirs"})
    looked = world.admin.http.get(f"{CAPTURE}/{theirs['id']}", headers={"X-API-Key": reader})
    assert looked.status_code == 404
    # And the other tenant's admin cannot revoke it.
    key_id = world.admin.ok("GET", KEYS)[0]["id"]
    assert other_world.admin.post(f"{KEYS}/{key_id}/revoke").status_code == 404


def test_an_idempotency_key_replays_the_first_answer(world: TenantWorld) -> None:
    key = new_key(world.admin)
    first = send(world.admin, key, ENQUIRY, **{"Idempotency-Key": "enq-1"})
    again = send(world.admin, key, ENQUIRY, **{"Idempotency-Key": "enq-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers.get("idempotent-replayed") == "true"
    other = send(world.admin, key, {**ENQUIRY, "name": "Else"}, **{"Idempotency-Key": "enq-1"})
    assert other.status_code == 422
    assert len(world.admin.ok("GET", "/api/v1/sales/leads")["items"]) == 1
