"""50 quotations sent at once by one tenant get 50 gap-free, unique numbers (PostgreSQL:
real parallel connections; SQLite runs one writer at a time)."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth.context import Actor
from salestrack.auth.roles import Role
from salestrack.core.tenancy import tenant_transaction
from salestrack.documents import quotations
from salestrack.documents.quotation_schemas import QuotationIn, QuotationSend
from tests.documents.support import quoting_world, worked_example_body
from tests.support import TenantWorld

SENDS = 50


@pytest.mark.postgres_only
def test_50_concurrent_sends_number_gap_free(
    world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    lead_id, inventory_id = quoting_world(world.admin)
    actor = Actor(world.tenant_id, world.slug, world.admin.user_id, Role.admin)
    body = QuotationIn.model_validate(worked_example_body(lead_id, inventory_id))
    with tenant_transaction(session_factory, world.tenant_id) as session:
        drafts = [
            quotations.create_quotation(session, actor=actor, data=body).id for _ in range(SENDS)
        ]
    gate = threading.Barrier(10)
    on = date(2027, 3, 31)

    def send(chunk: list[uuid.UUID]) -> list[str]:
        gate.wait(timeout=30)
        numbers = []
        for quotation_id in chunk:
            with tenant_transaction(session_factory, world.tenant_id) as session:
                row = quotations.send_quotation(
                    session,
                    actor=actor,
                    quotation_id=quotation_id,
                    data=QuotationSend(quotation_date=on),
                )
                assert row.number is not None
                numbers.append(row.number)
        return numbers

    with ThreadPoolExecutor(max_workers=10) as pool:
        taken = [n for part in pool.map(send, [drafts[i::10] for i in range(10)]) for n in part]
    assert len(taken) == len(set(taken)) == SENDS
    assert sorted(taken) == [f"QUO/2026-27/{n:06d}" for n in range(1, SENDS + 1)]
    proposals = world.admin.ok("GET", f"/api/v1/sales/leads/{lead_id}/milestones")["items"]
    numbered = {
        m["metadata"]["quotation_number"] for m in proposals if m["milestone_type"] == "proposal"
    }
    assert numbered == set(taken)
