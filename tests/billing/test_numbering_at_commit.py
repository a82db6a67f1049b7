"""Receipts of API payments are numbered as their transactions commit (on PostgreSQL by
statements sent with the COMMIT itself): concurrent payments of several customers get
gap-free numbers, each receipt's audit entry records its number, and no placeholder is
ever seen."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from salestrack.app import create_app, engine_for
from salestrack.core.config import Settings
from salestrack.core.numbering import Counter
from salestrack.core.tenancy import tenant_transaction
from salestrack.documents import numbers
from salestrack.documents.numbers import financial_year
from tests.billing.support import DOCUMENTS, SALES, today
from tests.money.conftest import LEDGER, new_customer
from tests.money.test_concurrency import run_together
from tests.support import TenantWorld


def test_concurrent_api_payments_get_gap_free_receipts_with_their_numbers_audited(
    world: TenantWorld, http: TestClient
) -> None:
    customers = [new_customer(world.admin)["id"] for _ in range(4)]

    def pay(customer: str) -> Any:
        # The run's one client: concurrent requests on one event loop, as in a server.
        body = {"customer_id": customer, "transaction_type": "payment", "credit_amount": "100.00"}
        return http.post(LEDGER, json=body, headers=world.admin.headers)

    answers = run_together([lambda c=c: pay(c) for c in customers * 3], workers=12)
    assert [a.status_code for a in answers] == [201] * 12
    receipts = world.admin.ok("GET", DOCUMENTS, params={"kind": "receipt", "limit": 50})["items"]
    year = financial_year(today())
    assert sorted(r["number"] for r in receipts) == [f"RCT/{year}/{n:06d}" for n in range(1, 13)]
    entries = {a.json()["id"] for a in answers}
    assert {r["ledger_entry_id"] for r in receipts} == entries
    for receipt in receipts:
        audit = world.admin.ok(
            "GET",
            f"{SALES}/audit",
            params={"entity": "billing_document", "entity_id": receipt["id"]},
        )
        created = [e for e in audit if e["action"] == "create"]
        assert [e["changes"]["number"] for e in created] == [receipt["number"]]
        assert created[0]["changes"]["amount"] == "100.00"


@pytest.mark.postgres_only
def test_a_commit_whose_numbering_fails_leaves_the_connection_usable(
    world: TenantWorld, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    """The receipt's number is taken by statements sent with the COMMIT; when one of them
    fails (here a statement timeout while another transaction holds the series' counter),
    the payment answers 503 and is not kept, and the requests that come after it on the same
    connection work: the failed transaction is not left open on a pooled connection."""
    quick = settings.model_copy(update={"db_statement_timeout_ms": 300})
    engine = engine_for(quick)
    try:
        with TestClient(create_app(quick, engine=engine), raise_server_exceptions=False) as http:
            customer = new_customer(world.admin)["id"]
            body = {"customer_id": customer, "transaction_type": "payment"}

            def pay(amount: str) -> Any:
                payment = {**body, "credit_amount": amount}
                return http.post(LEDGER, json=payment, headers=world.admin.headers)

            assert pay("100.00").status_code == 201
            counter = numbers.counter_name(numbers.Series.receipt, today())
            with tenant_transaction(session_factory, world.tenant_id) as holder:
                holder.execute(  # a payment numbered the ordinary way holds it like this
                    select(Counter.value)
                    .where(Counter.tenant_id == world.tenant_id, Counter.name == counter)
                    .with_for_update()
                )
                blocked = pay("200.00")
            assert blocked.status_code == 503, blocked.text
            assert "statement timeout" in blocked.json()["detail"]
            after = [pay(amount) for amount in ("300.00", "400.00", "500.00")]
            assert [a.status_code for a in after] == [201, 201, 201], after[0].text
    finally:
        engine.dispose()
    receipts = world.admin.ok("GET", DOCUMENTS, params={"kind": "receipt", "limit": 50})["items"]
    year = financial_year(today())
    assert sorted((r["number"], r["amount"]) for r in receipts) == [
        (f"RCT/{year}/{n:06d}", amount)
        for n, amount in enumerate(("100.00", "300.00", "400.00", "500.00"), start=1)
    ]
