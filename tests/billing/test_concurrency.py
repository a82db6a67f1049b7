"""50 demands and 50 receipts issued at once by one tenant get gap-free, unique numbers
in each series (PostgreSQL: real parallel connections; SQLite runs one writer at a time)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth.context import Actor
from salestrack.auth.roles import Role
from salestrack.billing import demands
from salestrack.billing.models import BillingDocument, DocumentKind
from salestrack.billing.schemas import DemandRaise
from salestrack.core.tenancy import tenant_transaction
from salestrack.money import ledger
from salestrack.money.models import TransactionType
from tests.billing.support import plan_url
from tests.money.conftest import book, buyer, new_inventory
from tests.support import TenantWorld

EACH = 50
CUSTOMERS = 5
ON = date(2026, 4, 1)  # the first day of 2026-27 (a demand is not dated ahead)


@pytest.mark.postgres_only
def test_50_concurrent_demands_and_receipts_number_gap_free(
    world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    actor = Actor(world.tenant_id, world.slug, world.admin.user_id, Role.admin)
    inventory = new_inventory(world.admin, total=CUSTOMERS)
    tenth = [
        {"label": f"Instalment {n}", "percentage": "10", "due_date": "2026-01-01"}
        for n in range(1, 11)
    ]
    instalments: list[uuid.UUID] = []
    customers: list[uuid.UUID] = []
    for n in range(CUSTOMERS):
        _lead, customer_id = buyer(world.admin, f"Buyer {n}")
        booking = book(world.admin, customer_id, inventory["id"], status="confirmed")
        plan = world.admin.ok("POST", plan_url(booking["id"]), 201, json={"instalments": tenth})
        instalments += [uuid.UUID(i["id"]) for i in plan["instalments"]]
        customers.append(uuid.UUID(customer_id))
    assert len(instalments) == EACH

    def demand(instalment_id: uuid.UUID) -> Callable[[], None]:
        def run() -> None:
            with tenant_transaction(session_factory, world.tenant_id) as session:
                demands.raise_demand(
                    session,
                    actor=actor,
                    instalment_id=instalment_id,
                    data=DemandRaise(demand_date=ON),
                )

        return run

    def payment(customer_id: uuid.UUID) -> Callable[[], None]:
        def run() -> None:
            with tenant_transaction(session_factory, world.tenant_id) as session:
                ledger.post(
                    session,
                    actor=actor,
                    posting=ledger.Posting(
                        customer_id=customer_id,
                        transaction_type=TransactionType.payment,
                        transaction_date=ON,
                        credit_amount=Decimal("1000.00"),
                    ),
                )

        return run

    jobs = [demand(i) for i in instalments] + [
        payment(customers[n % CUSTOMERS]) for n in range(EACH)
    ]
    jobs = [job for pair in zip(jobs[:EACH], jobs[EACH:], strict=True) for job in pair]
    workers = 10
    gate = threading.Barrier(workers)

    def work(chunk: list[Callable[[], None]]) -> None:
        gate.wait(timeout=30)
        for job in chunk:
            job()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(work, [jobs[i::workers] for i in range(workers)]))

    with tenant_transaction(session_factory, world.tenant_id) as session:
        issued = session.execute(
            select(BillingDocument.kind, BillingDocument.number).where(
                BillingDocument.tenant_id == world.tenant_id
            )
        ).all()
    by_kind: dict[str, list[str]] = {}
    for kind, number in issued:
        by_kind.setdefault(kind, []).append(number)
    for kind, series in ((DocumentKind.demand, "INV"), (DocumentKind.receipt, "RCT")):
        numbers = by_kind[kind]
        assert len(numbers) == len(set(numbers)) == EACH
        assert sorted(numbers) == [f"{series}/2026-27/{n:06d}" for n in range(1, EACH + 1)]


@pytest.mark.postgres_only
def test_a_payment_still_open_does_not_hold_back_another_customers_payment(
    world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    """Receipts are numbered at commit: a payment whose transaction is still running (its
    receipt not yet numbered) leaves the receipt series free for another customer's."""
    actor = Actor(world.tenant_id, world.slug, world.admin.user_id, Role.admin)
    first, second = (uuid.UUID(buyer(world.admin, name)[1]) for name in ("Asha", "Ravi"))

    def posting(customer_id: uuid.UUID) -> ledger.Posting:
        return ledger.Posting(
            customer_id=customer_id,
            transaction_type=TransactionType.payment,
            transaction_date=ON,
            credit_amount=Decimal("500.00"),
        )

    with tenant_transaction(session_factory, world.tenant_id) as held:
        ledger.post(held, actor=actor, posting=posting(first))  # open until the block ends
        with ThreadPoolExecutor(max_workers=1) as pool:

            def other() -> None:
                with tenant_transaction(session_factory, world.tenant_id) as session:
                    session.execute(text("SET LOCAL lock_timeout = '3s'"))
                    ledger.post(session, actor=actor, posting=posting(second))

            pool.submit(other).result(timeout=20)  # committed while the first is open
    receipts = world.admin.ok("GET", "/api/v1/sales/billing-documents", params={"kind": "receipt"})
    numbers = {d["customer_id"]: d["number"] for d in receipts["items"]}
    assert numbers == {str(second): "RCT/2026-27/000001", str(first): "RCT/2026-27/000002"}
