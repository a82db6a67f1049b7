"""Receipts of API payments are numbered as their transactions commit (on PostgreSQL by
statements sent with the COMMIT itself): concurrent payments of several customers get
gap-free numbers, each receipt's audit entry records its number, and no placeholder is
ever seen."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

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
