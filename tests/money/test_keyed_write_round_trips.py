"""A keyed POST on PostgreSQL: its key is claimed in the transaction's opening round trip,
and its stored answer and live notice travel with the COMMIT (``core.opening``,
``core.closing``); replays and refusals are those of any keyed POST."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy.orm import Session, sessionmaker

from salestrack.core.tenancy import set_tenant
from salestrack.http import idempotency
from tests.databases import ON_CITUS
from tests.money.conftest import LEDGER, new_customer
from tests.support import ApiClient, TenantWorld

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def scripts() -> Iterator[list[str]]:
    """The text of every statement or script the API's async driver sends."""
    sent: list[str] = []
    original = psycopg.AsyncCursor.execute

    async def recording(cursor: Any, query: Any, params: Any = None, **kw: Any) -> Any:
        sent.append(query if isinstance(query, str) else repr(query))
        return await original(cursor, query, params, **kw)

    psycopg.AsyncCursor.execute = recording  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        psycopg.AsyncCursor.execute = original  # type: ignore[method-assign]


@pytest.mark.skipif(ON_CITUS, reason="a Citus coordinator sends the statements one by one")
def test_the_claim_opens_and_the_answer_and_notice_commit_in_the_same_round_trips(
    api: ApiClient, scripts: list[str]
) -> None:
    customer = new_customer(api)["id"]
    body = {"customer_id": customer, "transaction_type": "payment", "credit_amount": "75.00"}
    key = {"Idempotency-Key": f"trips-{uuid.uuid4()}"}
    scripts.clear()
    first = api.post(LEDGER, json=body, headers=key)
    assert first.status_code == 201, first.text
    opening = scripts[0]
    assert opening.startswith("BEGIN;")
    assert "INSERT INTO idempotency_keys" in opening
    assert opening.rstrip().endswith("SET LOCAL lock_timeout TO DEFAULT")
    closing = scripts[-1]
    assert closing.rstrip().endswith("COMMIT")
    assert "UPDATE idempotency_keys" in closing
    assert "pg_notify" in closing
    alone = [s for s in scripts[1:-1] if "idempotency_keys" in s or "pg_notify" in s]
    assert alone == []  # no round trip of their own

    again = api.post(LEDGER, json=body, headers=key)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    other = api.post(LEDGER, json={**body, "credit_amount": "76.00"}, headers=key)
    assert other.status_code == 422
    entries = api.ok("GET", f"{LEDGER}/{customer}")["entries"]
    assert [e["credit_amount"] for e in entries] == ["75.00"]


@pytest.mark.parametrize("change", [{"is_active": False}, {"role": "viewer"}])
def test_a_refused_user_gets_the_refusal_not_the_keys_409_and_claims_nothing(
    world: TenantWorld, session_factory: sessionmaker[Session], change: dict[str, Any]
) -> None:
    """The claim travels in the same script as the user check; it inserts only while the
    user is still active with the token's role, so a refused user never waits for a key
    another request holds, nor learns that it is held."""
    customer = new_customer(world.admin)["id"]
    body = {"customer_id": customer, "transaction_type": "payment", "credit_amount": "5.00"}
    manager = world.manager
    world.admin.ok("PATCH", f"/api/v1/sales/users/{manager.user_id}", json=change)
    fresh = manager.post(LEDGER, json=body)
    assert fresh.status_code in (401, 403)
    key = f"held-{uuid.uuid4()}"
    holder = session_factory()
    set_tenant(holder, world.tenant_id)
    try:  # another request with the key, still running
        assert (
            idempotency.claim(
                holder,
                tenant_id=world.tenant_id,
                user_id=manager.user_id,
                key=key,
                fingerprint="in-flight",
                method="POST",
                path=LEDGER,
            )
            is None
        )
        started = time.monotonic()
        keyed = manager.post(LEDGER, json=body, headers={"Idempotency-Key": key})
        assert (keyed.status_code, keyed.json()["detail"]) == (
            fresh.status_code,
            fresh.json()["detail"],
        )
        assert time.monotonic() - started < 1.5  # no wait for the key's 2 s lock timeout
    finally:
        holder.rollback()
        holder.close()
    assert world.admin.ok("GET", f"{LEDGER}/{customer}")["entries"] == []
