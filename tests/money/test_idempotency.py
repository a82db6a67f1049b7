"""Idempotency-Key on every POST under /api/v1/sales/, on both databases."""

from __future__ import annotations

import asyncio
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from salestrack.core.db import utcnow
from salestrack.core.tenancy import tenant_transaction
from salestrack.http import idempotency, routing
from salestrack.http.idempotency import IdempotencyKey
from tests.money.conftest import LEDGER, new_customer
from tests.support import ApiClient, TenantWorld


def _payment(customer: str, amount: str = "100.00") -> dict[str, str]:
    return {"customer_id": customer, "transaction_type": "payment", "credit_amount": amount}


def _entries(api: ApiClient, customer: str) -> list[dict[str, str]]:
    entries: list[dict[str, str]] = api.ok("GET", f"{LEDGER}/{customer}")["entries"]
    return entries


def test_repeat_returns_the_first_response_and_posts_once(api: ApiClient) -> None:
    customer = new_customer(api)["id"]
    key = {"Idempotency-Key": f"pay-{uuid.uuid4()}"}
    first = api.post(LEDGER, json=_payment(customer), headers=key)
    again = api.post(LEDGER, json=_payment(customer), headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert len(_entries(api, customer)) == 1


def test_same_body_in_another_key_order_is_the_same_request(api: ApiClient) -> None:
    customer = new_customer(api)["id"]
    key = {"Idempotency-Key": "k-order", "Content-Type": "application/json"}
    body = _payment(customer)
    api.ok("POST", LEDGER, 201, content=str(body).replace("'", '"'), headers=key)
    reordered = dict(reversed(list(body.items())))
    replay = api.post(LEDGER, json=reordered, headers=key)
    assert replay.status_code == 201
    assert len(_entries(api, customer)) == 1


def test_same_key_with_a_different_body_is_422(api: ApiClient) -> None:
    customer = new_customer(api)["id"]
    key = {"Idempotency-Key": "k-different"}
    api.ok("POST", LEDGER, 201, json=_payment(customer, "100.00"), headers=key)
    other = api.post(LEDGER, json=_payment(customer, "200.00"), headers=key)
    assert other.status_code == 422
    assert "different request" in other.json()["detail"]
    elsewhere = api.post("/api/v1/sales/customers", json={"name": "X"}, headers=key)
    assert elsewhere.status_code == 422
    assert [e["credit_amount"] for e in _entries(api, customer)] == ["100.00"]


def test_keys_are_scoped_to_the_tenant(world: TenantWorld, other_world: TenantWorld) -> None:
    key = {"Idempotency-Key": "shared-key"}
    mine = new_customer(world.admin)["id"]
    theirs = new_customer(other_world.admin)["id"]
    world.admin.ok("POST", LEDGER, 201, json=_payment(mine), headers=key)
    other_world.admin.ok("POST", LEDGER, 201, json=_payment(theirs), headers=key)
    assert len(_entries(other_world.admin, theirs)) == 1


def test_every_sales_post_honours_the_key(api: ApiClient) -> None:
    key = {"Idempotency-Key": "lead-once"}
    first = api.ok("POST", "/api/v1/sales/leads", 201, json={"name": "Kiran"}, headers=key)
    again = api.ok("POST", "/api/v1/sales/leads", 201, json={"name": "Kiran"}, headers=key)
    assert again["id"] == first["id"]
    leads = api.ok("GET", "/api/v1/sales/leads", params={"q": "Kiran"})["items"]
    assert len(leads) == 1


def test_a_failed_request_is_not_stored(api: ApiClient) -> None:
    customer = new_customer(api)["id"]
    key = {"Idempotency-Key": "k-failed"}
    bad = api.post(LEDGER, json=_payment(customer, "-1"), headers=key)
    assert bad.status_code == 422
    api.ok("POST", LEDGER, 201, json=_payment(customer), headers=key)
    assert len(_entries(api, customer)) == 1


def test_refused_requests_do_not_claim_keys(world: TenantWorld) -> None:
    customer = new_customer(world.admin)["id"]
    key = {"Idempotency-Key": "k-role"}
    assert world.viewer.post(LEDGER, json=_payment(customer), headers=key).status_code == 403
    world.admin.ok("POST", LEDGER, 201, json=_payment(customer), headers=key)
    anonymous = world.admin.http.post(LEDGER, json=_payment(customer), headers=key)
    assert anonymous.status_code == 401


def test_malformed_key_is_422(api: ApiClient) -> None:
    customer = new_customer(api)["id"]
    too_long = {"Idempotency-Key": "x" * 256}
    assert api.post(LEDGER, json=_payment(customer), headers=too_long).status_code == 422
    assert _entries(api, customer) == []


def test_a_key_with_a_trailing_newline_is_422_not_a_500(app: FastAPI, api: ApiClient) -> None:
    """HTTP clients refuse such a header, but an ASGI server or proxy may pass one on: 255
    visible characters and a newline must not reach the 255-character column."""
    customer = new_customer(api)["id"]
    body = json.dumps(_payment(customer)).encode()
    headers = [(k.lower().encode(), v.encode()) for k, v in api.headers.items()]
    headers += [(b"content-type", b"application/json"), (b"idempotency-key", b"k" * 255 + b"\n")]
    scope = {"type": "http", "method": "POST", "path": LEDGER, "raw_path": LEDGER.encode(),
             "query_string": b"", "headers": headers, "http_version": "1.1", "scheme": "http",
             "server": ("test", 80), "client": ("test", 1), "root_path": ""}  # fmt: skip
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    with ThreadPoolExecutor(1) as pool:  # a loop of its own (a browser test may run one here)
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    assert sent[0]["status"] == 422
    assert _entries(api, customer) == []


def test_get_requests_ignore_the_key(api: ApiClient) -> None:
    customer = new_customer(api)["id"]
    response = api.get(f"{LEDGER}/{customer}", headers={"Idempotency-Key": "irrelevant"})
    assert response.status_code == 200


def test_keys_are_kept_24_hours_then_purged(
    api: ApiClient, world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    customer = new_customer(api)["id"]
    key = {"Idempotency-Key": "k-old"}
    api.ok("POST", LEDGER, 201, json=_payment(customer), headers=key)
    mine = (IdempotencyKey.tenant_id == world.tenant_id, IdempotencyKey.key == "k-old")
    with tenant_transaction(session_factory, world.tenant_id) as session:
        # Asking for less than the promised 24 hours still keeps a fresh key.
        idempotency.purge(session, tenant_id=world.tenant_id, older_than=timedelta(minutes=1))
    assert api.post(LEDGER, json=_payment(customer), headers=key).status_code == 201
    assert len(_entries(api, customer)) == 1
    with tenant_transaction(session_factory, world.tenant_id) as session:
        session.execute(
            update(IdempotencyKey).where(*mine).values(created_at=utcnow() - timedelta(hours=25))
        )
        assert idempotency.purge(session, tenant_id=world.tenant_id) >= 1
    with tenant_transaction(session_factory, world.tenant_id) as session:
        assert session.scalars(select(IdempotencyKey).where(*mine)).first() is None


def test_a_database_error_in_the_claim_is_503_and_writes_nothing(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = new_customer(api)["id"]
    key = {"Idempotency-Key": "k-db-down"}

    def unreachable(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("INSERT INTO idempotency_keys", {}, ConnectionError("gone"))

    with monkeypatch.context() as patch:
        patch.setattr(idempotency, "claim", unreachable)
        # On PostgreSQL the claim travels with the transaction's opening script: there the
        # connection really goes, mid-script.
        gone = "SELECT pg_terminate_backend(pg_backend_pid())"
        patch.setattr(idempotency, "claim_statements", lambda _guard=None: (gone, "SELECT 1"))
        down = api.post(LEDGER, json=_payment(customer), headers=key)
    assert down.status_code == 503
    assert down.headers["content-type"] == "application/problem+json"
    assert down.headers["retry-after"] == "1"
    assert "try again" in down.json()["detail"]
    assert _entries(api, customer) == []
    # Nothing of the failed attempt was kept: the retry is a first request.
    api.ok("POST", LEDGER, 201, json=_payment(customer), headers=key)
    assert len(_entries(api, customer)) == 1


def test_a_database_error_storing_the_answer_in_the_middleware_is_503(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = new_customer(api)["id"]
    key = {"Idempotency-Key": "k-db-down-at-commit"}

    def unreachable(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("UPDATE idempotency_keys", {}, ConnectionError("gone"))

    with monkeypatch.context() as patch:
        # The handler's thread leaves the commit to the middleware (as an async handler
        # would), and the database fails there: outside the app's error handlers.
        patch.setattr(routing, "end_in_handler_thread", lambda _values, _answer: None)
        patch.setattr(idempotency, "commit_with_answer", unreachable)
        down = api.post(LEDGER, json=_payment(customer), headers=key)
    assert down.status_code == 503
    assert down.headers["content-type"] == "application/problem+json"
    assert down.headers["retry-after"] == "1"
    assert _entries(api, customer) == []
    api.ok("POST", LEDGER, 201, json=_payment(customer), headers=key)
    assert len(_entries(api, customer)) == 1
