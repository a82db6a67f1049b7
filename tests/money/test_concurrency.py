"""Real parallel connections on PostgreSQL: balances, keys and units under contention.

SQLite runs one writer at a time, so these only mean something on PostgreSQL.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from salestrack.app import create_app
from salestrack.auth.context import Actor
from salestrack.auth.roles import Role
from salestrack.core.config import Settings
from salestrack.core.tenancy import set_tenant, tenant_transaction
from salestrack.http import idempotency
from salestrack.money import ledger
from salestrack.money.models import LedgerEntry, TransactionType
from tests.money.conftest import LEDGER, new_customer
from tests.support import TenantWorld

T = TypeVar("T")


@pytest.fixture(autouse=True)
def _postgres_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("needs real parallel connections (PostgreSQL)")


def admin_actor(world: TenantWorld) -> Actor:
    return Actor(
        tenant_id=world.tenant_id,
        tenant_slug=world.slug,
        user_id=world.admin.user_id,
        role=Role.admin,
    )


def run_together(jobs: list[Callable[[], T]], workers: int) -> list[T]:
    """Run ``jobs`` on ``workers`` threads released at the same moment."""
    gate = threading.Barrier(workers)
    chunks = [jobs[i::workers] for i in range(workers)]

    def worker(chunk: list[Callable[[], T]]) -> list[T]:
        gate.wait(timeout=10)
        return [job() for job in chunk]

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return [r for chunk in pool.map(worker, chunks) for r in chunk]


def test_200_parallel_postings_keep_every_running_balance_chain_intact(
    world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    actor = admin_actor(world)
    customers = [uuid.UUID(new_customer(world.admin, f"C{i}")["id"]) for i in range(5)]
    rng = random.Random(7)
    plan = [
        (
            customers[i % 5],
            TransactionType.invoice if rng.random() < 0.4 else TransactionType.payment,
            Decimal(rng.randint(1, 10_000_00)) / 100,
        )
        for i in range(200)
    ]

    def job(customer: uuid.UUID, kind: TransactionType, amount: Decimal) -> Callable[[], str]:
        def run() -> str:
            side = "debit_amount" if kind is TransactionType.invoice else "credit_amount"
            with tenant_transaction(session_factory, world.tenant_id) as session:
                entry = ledger.post(
                    session,
                    actor=actor,
                    posting=ledger.Posting(
                        customer_id=customer,
                        transaction_type=kind,
                        transaction_date=date(2025, 11, 1),
                        **{side: amount},
                    ),
                )
                return entry.ledger_code

        return run

    started = time.monotonic()
    codes = run_together([job(*p) for p in plan], workers=30)
    assert time.monotonic() - started < 30
    # Codes are gap-free per account: each customer's run 1…n, 200 codes in all, unique.
    by_account: dict[str, list[int]] = {}
    for code in codes:
        account, position = code.rsplit("-", 1)
        by_account.setdefault(account, []).append(int(position))
    assert len(set(codes)) == 200
    assert len(by_account) == 5
    for positions in by_account.values():
        assert sorted(positions) == list(range(1, len(positions) + 1))

    with tenant_transaction(session_factory, world.tenant_id) as session:
        for customer in customers:
            entries = list(
                session.scalars(
                    select(LedgerEntry)
                    .where(
                        LedgerEntry.tenant_id == world.tenant_id,
                        LedgerEntry.customer_id == customer,
                    )
                    .order_by(LedgerEntry.position)
                )
            )
            assert len(entries) == 40
            assert [e.position for e in entries] == list(range(1, 41))
            balance = Decimal("0.00")
            for entry in entries:
                balance += entry.debit_amount - entry.credit_amount
                assert entry.balance_after == balance
            expected = sum(
                (a if k is TransactionType.invoice else -a for c, k, a in plan if c == customer),
                Decimal("0.00"),
            )
            assert balance == expected
            summary = world.admin.ok("GET", f"/api/v1/sales/reports/customer-ledger/{customer}")
            assert Decimal(summary["outstanding"]) == expected


def test_20_parallel_retries_of_one_idempotent_payment_post_it_once(
    world: TenantWorld, http: TestClient
) -> None:
    customer = new_customer(world.admin)["id"]
    body = {"customer_id": customer, "transaction_type": "payment", "credit_amount": "2500.00"}
    headers = {**world.admin.headers, "Idempotency-Key": f"retry-{uuid.uuid4()}"}

    def attempt() -> tuple[int, Any]:
        # The run's one client: concurrent requests on one event loop, as in a server.
        response = http.post(LEDGER, json=body, headers=headers)
        return response.status_code, response.json()

    results = run_together([attempt] * 20, workers=20)
    statuses = [status for status, _ in results]
    assert set(statuses) <= {201, 409}, statuses
    created = [payload for status, payload in results if status == 201]
    assert created
    assert all(payload == created[0] for payload in created)
    entries = world.admin.ok("GET", f"{LEDGER}/{customer}")["entries"]
    assert len(entries) == 1
    assert entries[0]["id"] == created[0]["id"]


def test_a_repeat_while_the_first_is_still_running_is_409(
    world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    customer = new_customer(world.admin)["id"]
    body = {"customer_id": customer, "transaction_type": "payment", "credit_amount": "10.00"}
    key = "k-running"
    first = session_factory()
    set_tenant(first, world.tenant_id)
    try:
        # The "first request": its key row is inserted but its transaction is still open.
        claimed = idempotency.claim(
            first,
            tenant_id=world.tenant_id,
            user_id=world.admin.user_id,
            key=key,
            fingerprint="in-flight",
            method="POST",
            path=LEDGER,
        )
        assert claimed is None
        started = time.monotonic()
        repeat = world.admin.post(LEDGER, json=body, headers={"Idempotency-Key": key})
        assert repeat.status_code == 409
        assert "still being processed" in repeat.json()["detail"]
        waited = time.monotonic() - started
        print(f"idempotency: a repeat while the first runs is 409 after {waited:.1f} s")
        assert waited < 10  # the claim's 2 s lock timeout, not a statement timeout (30 s)
    finally:
        first.rollback()
        first.close()
    # The first never committed, so the key is free again.
    world.admin.ok("POST", LEDGER, 201, json=body, headers={"Idempotency-Key": key})
    assert len(world.admin.ok("GET", f"{LEDGER}/{customer}")["entries"]) == 1


def test_50_bookings_racing_for_10_units_book_exactly_10(
    world: TenantWorld, http: TestClient
) -> None:
    api = world.admin
    stock = api.ok(
        "POST",
        "/api/v1/sales/inventory",
        201,
        json={"project": "Race Towers", "unit_type": "2BHK", "total_units": 10},
    )
    customers = []
    for i in range(5):
        lead = api.ok("POST", "/api/v1/sales/leads", 201, json={"name": f"Racer {i}"})
        customers.append(new_customer(api, f"Racer {i}", lead_id=lead["id"])["id"])

    def attempt(n: int) -> Callable[[], tuple[int, Any]]:
        def run() -> tuple[int, Any]:
            body = {
                "customer_id": customers[n % 5],
                "inventory_id": stock["id"],
                "booking_amount": "100000.00",
                "status": "confirmed" if n % 2 else "pending",
            }
            response = http.post("/api/v1/sales/bookings", json=body, headers=api.headers)
            return response.status_code, response.json()

        return run

    results = run_together([attempt(n) for n in range(50)], workers=25)
    statuses = sorted(status for status, _ in results)
    assert statuses.count(201) == 10, Counter(statuses)
    assert statuses.count(409) == 40, (Counter(statuses), [p for _, p in results])
    refusals = [payload for status, payload in results if status == 409]
    assert all(r["units_available"] == 0 or "units left" in r["detail"] for r in refusals)
    row = api.ok("GET", f"/api/v1/sales/inventory/{stock['id']}")
    assert (row["units_booked"], row["units_available"]) == (10, 0)
    booked = api.ok("GET", "/api/v1/sales/bookings", params={"inventory_id": stock["id"]})
    assert len(booked["items"]) == 10
    confirmed = [b for b in booked["items"] if b["status"] == "confirmed"]
    invoices = sum(len(api.ok("GET", f"{LEDGER}/{c}")["entries"]) for c in customers)
    assert invoices == len(confirmed)


def test_payments_racing_for_their_accounts_all_finish_with_two_request_threads(
    world: TenantWorld, settings: Settings, engine: Engine
) -> None:
    """Payments of one customer queue on that customer's row. The one holding it must never
    need a request thread to finish: with two, both could be waiting for that very row, and
    the holder would stall until the statement timeout (503)."""
    tight = settings.model_copy(update={"worker_threads": 2, "db_statement_timeout_ms": 5000})
    customers = [new_customer(world.admin, f"Racer {i}")["id"] for i in range(4)]
    with TestClient(create_app(tight, engine=engine), raise_server_exceptions=False) as http:

        def pay(i: int) -> int:
            headers = {**world.admin.headers, "Idempotency-Key": f"race-{uuid.uuid4()}"}
            body = {
                "customer_id": customers[i % 4],
                "transaction_type": "payment",
                "credit_amount": "10.00",
            }
            return http.post(LEDGER, json=body, headers=headers).status_code

        started = time.monotonic()
        statuses = run_together([lambda i=i: pay(i) for i in range(24)], workers=12)
    assert statuses == [201] * 24
    assert time.monotonic() - started < 4  # no request sat out a statement timeout
    codes = [
        entry["ledger_code"]
        for customer in customers
        for entry in world.admin.ok("GET", f"{LEDGER}/{customer}")["entries"]
    ]
    assert len(set(codes)) == len(codes) == 24
