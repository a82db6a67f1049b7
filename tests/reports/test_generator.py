"""The data generator writes what the services would have written, and the services carry
on from it: statuses explained by their history, unbroken running balances, free codes."""

from __future__ import annotations

import itertools
import uuid
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth.context import system_actor
from salestrack.db import transaction
from salestrack.journey.models import LeadStatusHistory
from salestrack.leads import service as leads
from salestrack.leads.models import Lead
from salestrack.leads.schemas import LeadCreate
from salestrack.money import inventory, ledger
from salestrack.money.models import Inventory, LedgerEntry
from salestrack.money.schemas import LedgerEntryCreate
from salestrack.reports.generator import generate
from tests.reports.helpers import assert_parity


def test_generated_data_is_consistent_and_reports_match_the_oracle(
    session_factory: sessionmaker[Session],
) -> None:
    slug = f"gen-{uuid.uuid4().hex[:8]}"
    stats = generate(session_factory, slug, leads=150, seed=7, progress=False)
    assert stats.rows["leads"] == 150
    assert stats.rows["lead_milestones"] >= 600
    assert stats.rows["lead_engagements"] >= 1000
    with session_factory() as session:
        tenant_id = _tenant(session, slug)
        statuses = dict(
            session.execute(select(Lead.id, Lead.status).where(Lead.tenant_id == tenant_id)).all()
        )
        history = defaultdict(list)
        stmt = select(LeadStatusHistory).where(LeadStatusHistory.tenant_id == tenant_id)
        for entry in session.scalars(stmt.order_by(LeadStatusHistory.seq)):
            history[entry.lead_id].append(entry)
        for lead_id, status in statuses.items():
            entries = history[lead_id]
            assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
            assert entries[0].from_status is None
            for before, after in itertools.pairwise(entries):
                assert after.from_status == before.to_status != after.to_status
            assert entries[-1].to_status == status
        balances: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
        positions: dict[uuid.UUID, int] = defaultdict(int)
        stmt2 = select(LedgerEntry).where(LedgerEntry.tenant_id == tenant_id)
        for entry in session.scalars(stmt2.order_by(LedgerEntry.customer_id, LedgerEntry.position)):
            positions[entry.customer_id] += 1
            balances[entry.customer_id] += entry.debit_amount - entry.credit_amount
            assert entry.position == positions[entry.customer_id]
            assert entry.balance_after == balances[entry.customer_id]
        rows = session.scalars(select(Inventory).where(Inventory.tenant_id == tenant_id)).all()
        for view in inventory.views(session, tenant_id=tenant_id, rows=list(rows)):
            assert view["units_available"] >= 0
    assert_parity(session_factory, tenant_id)
    actor = system_actor(tenant_id, slug)
    with transaction(session_factory) as session:  # the services carry on from the load
        lead = leads.create_lead(session, actor=actor, data=LeadCreate(name="After the load"))
        customer_id = next(iter(balances))
        entry = ledger.post_entry(
            session,
            actor=actor,
            data=LedgerEntryCreate(
                customer_id=customer_id, transaction_type="payment", credit_amount=Decimal("1.00")
            ),
        )
        assert entry.balance_after == balances[customer_id] - 1
        assert entry.position == positions[customer_id] + 1
        assert lead.lead_code
    assert_parity(session_factory, tenant_id)


def _tenant(session: Session, slug: str) -> uuid.UUID:
    from salestrack.auth import service

    tenant = service.find_tenant(session, slug)
    assert tenant is not None
    return tenant.tenant_id
