"""A keyed POST on PostgreSQL: its key is claimed in the transaction's opening round trip,
and its stored answer and live notice travel with the COMMIT (``core.opening``,
``core.closing``); replays and refusals are those of any keyed POST."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from tests.databases import ON_CITUS
from tests.money.conftest import LEDGER, new_customer
from tests.support import ApiClient

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
