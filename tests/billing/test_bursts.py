"""Bursts a double-clicking or scripted user sends at once (PostgreSQL: real parallel
connections): one instalment demanded by 20 requests gets one demand; a plan replaced or
withdrawn while its instalment is demanded ends in one outcome or the other, never both,
with the ledger's running balance and the document numbers consistent."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth.context import Actor
from salestrack.auth.roles import Role
from salestrack.billing import demands, plans
from salestrack.billing.schemas import DemandRaise, PlanIn
from salestrack.core.errors import ProblemError
from salestrack.core.tenancy import tenant_transaction
from tests.billing.support import DOCUMENTS, LEDGER, SALES, accepted_booking, plan_url, today
from tests.support import TenantWorld

HALVES = {
    "instalments": [
        {"label": "First half", "percentage": "50", "due_date": "2026-01-01"},
        {"label": "Second half", "percentage": "50", "due_date": "2026-01-01"},
    ]
}


def _burst(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run every job at once, each in its own thread; a refusal is returned, not raised."""
    gate = threading.Barrier(len(jobs))

    def run(job: Callable[[], Any]) -> Any:
        gate.wait(timeout=30)
        try:
            return job()
        except ProblemError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def _consistent(world: TenantWorld, customer_id: str) -> dict[str, Any]:
    """The account: each balance_after follows from the one before, and every document
    number is unique in its series."""
    account: dict[str, Any] = world.admin.ok("GET", f"{LEDGER}/{customer_id}")
    balance = Decimal(0)
    entries = sorted(account["entries"], key=lambda e: e["position"])
    assert [e["position"] for e in entries] == list(range(1, len(entries) + 1))
    for entry in entries:
        balance += Decimal(entry["debit_amount"]) - Decimal(entry["credit_amount"])
        assert Decimal(entry["balance_after"]) == balance
    assert Decimal(account["summary"]["outstanding"]) == balance
    documents = world.admin.ok("GET", DOCUMENTS, params={"limit": 200})["items"]
    numbers = [d["number"] for d in documents]
    assert len(numbers) == len(set(numbers))
    return account


@pytest.mark.postgres_only
def test_twenty_simultaneous_demands_of_one_instalment_raise_one(
    world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    actor = Actor(world.tenant_id, world.slug, world.manager.user_id, Role.manager)
    booking = accepted_booking(world.admin)
    plan = world.manager.ok("POST", plan_url(booking["id"]), 201, json=HALVES)
    instalment = uuid.UUID(plan["instalments"][0]["id"])

    def demand() -> Any:
        with tenant_transaction(session_factory, world.tenant_id) as session:
            row = demands.raise_demand(
                session, actor=actor, instalment_id=instalment, data=DemandRaise()
            )
            return row.number

    answers = _burst([demand] * 20)
    raised = [a for a in answers if isinstance(a, str)]
    refused = [a for a in answers if isinstance(a, ProblemError)]
    assert raised == ["INV/2026-27/000001"], answers
    assert [r.status for r in refused] == [409] * 19
    assert len(world.admin.ok("GET", DOCUMENTS, params={"kind": "demand"})["items"]) == 1
    account = _consistent(world, booking["customer_id"])
    assert account["summary"]["outstanding"] == "5832625.00"


@pytest.mark.postgres_only
@pytest.mark.parametrize("change", ["replace", "withdraw"])
def test_a_plan_changed_while_its_instalment_is_demanded_ends_one_way(
    world: TenantWorld, session_factory: sessionmaker[Session], change: str
) -> None:
    actor = Actor(world.tenant_id, world.slug, world.manager.user_id, Role.manager)
    booking = accepted_booking(world.admin)
    plan = world.manager.ok("POST", plan_url(booking["id"]), 201, json=HALVES)
    plan_id, instalment = uuid.UUID(plan["id"]), uuid.UUID(plan["instalments"][0]["id"])
    thirds = PlanIn.model_validate(
        {
            "instalments": [
                {"label": f"Part {n}", "percentage": share, "due_date": today().isoformat()}
                for n, share in ((1, "33.33"), (2, "33.33"), (3, "33.34"))
            ]
        }
    )

    def demand() -> Any:
        with tenant_transaction(session_factory, world.tenant_id) as session:
            demands.raise_demand(session, actor=actor, instalment_id=instalment, data=DemandRaise())
            return "demanded"

    def changed() -> Any:
        with tenant_transaction(session_factory, world.tenant_id) as session:
            if change == "replace":
                plans.replace_plan(session, actor=actor, plan_id=plan_id, data=thirds)
            else:
                plans.withdraw_plan(session, actor=actor, plan_id=plan_id)
            return change

    first, second = _burst([demand, changed])
    demanded = world.admin.ok("GET", DOCUMENTS, params={"kind": "demand"})["items"]
    account = _consistent(world, booking["customer_id"])
    if first == "demanded":
        assert isinstance(second, ProblemError)
        assert second.status == 409
        assert [d["number"] for d in demanded] == ["INV/2026-27/000001"]
        assert account["summary"]["outstanding"] == "5832625.00"
        shown = world.admin.ok("GET", f"{SALES}/payment-plans/{plan_id}")
        assert [i["label"] for i in shown["instalments"]] == ["First half", "Second half"]
    else:
        assert second == change
        assert isinstance(first, ProblemError)
        assert first.status == 404
        assert demanded == []
        # Replaced: nothing invoiced until a demand; withdrawn: invoiced as a lump sum.
        expected = "0.00" if change == "replace" else "11665250.00"
        assert account["summary"]["outstanding"] == expected
