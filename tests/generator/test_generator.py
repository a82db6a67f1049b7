"""The data generator writes what the services would have written, and the services carry
on from it: statuses explained by their history, unbroken running balances, free codes.
Its summaries (computed while simulating, not rebuilt) are exactly what ``rebuild`` makes,
on the insert path and on PostgreSQL's COPY path (a superuser, in a worker process)."""

from __future__ import annotations

import itertools
import re
import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from salestrack import wiring
from salestrack.auth.context import system_actor
from salestrack.auth.models import User
from salestrack.billing.models import BillingDocument, PaymentPlan
from salestrack.core.db import make_engine, utcnow
from salestrack.core.tenancy import set_tenant, tenant_transaction
from salestrack.generator import people
from salestrack.generator.seed import generate
from salestrack.journey.models import LeadEngagement, LeadMilestone, LeadStatusHistory
from salestrack.leads import service as leads
from salestrack.leads.models import Customer, Lead
from salestrack.leads.schemas import LeadCreate
from salestrack.money import inventory, ledger
from salestrack.money.models import Booking, Inventory, LedgerEntry
from salestrack.money.schemas import LedgerEntryCreate
from salestrack.reports.models import (
    ReportBookingState,
    ReportCounter,
    ReportCustomerState,
    ReportLeadState,
)
from salestrack.reports.rebuild import rebuild
from tests.reports.helpers import assert_parity


def test_generated_data_is_consistent_and_reports_match_the_oracle(
    session_factory: sessionmaker[Session],
) -> None:
    slug = f"gen-{uuid.uuid4().hex[:8]}"
    stats = generate(session_factory, slug, leads=150, seed=7, progress=False)
    assert stats.rows["leads"] == 150
    assert stats.rows["lead_milestones"] >= 5 * 150
    assert stats.rows["lead_engagements"] >= 10 * 150
    assert stats.rows["report_lead_state"] == 150
    with session_factory() as session:
        tenant_id = _tenant(session, slug)
        set_tenant(session, tenant_id)
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
    with tenant_transaction(
        session_factory, actor.tenant_id
    ) as session:  # the services carry on from the load
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

    tenant = service.open_tenant(session, slug)
    assert tenant is not None
    return tenant.tenant_id


def _summaries(session: Session, tenant_id: uuid.UUID) -> dict[str, Any]:
    """Every summary row of the tenant; counters summed over shards, zero sums left out."""
    c = ReportCounter
    key = (c.family, c.dim_kind, c.grain, c.period, c.dim_id, c.metric)
    counted = session.execute(
        select(*key, func.sum(c.n), func.sum(c.amount))
        .where(c.tenant_id == tenant_id)
        .group_by(*key)
    ).all()
    out: dict[str, Any] = {
        "counters": {tuple(r[:6]): (int(r[6]), Decimal(r[7])) for r in counted if r[6] or r[7]}
    }
    for model in (ReportLeadState, ReportBookingState, ReportCustomerState):
        rows = session.scalars(select(model).where(model.tenant_id == tenant_id)).all()
        columns = [col.name for col in model.__table__.columns]
        out[model.__tablename__] = sorted(
            (tuple(getattr(row, name) for name in columns) for row in rows), key=str
        )
    return out


def assert_same_as_rebuild(factory: sessionmaker[Session], tenant_id: uuid.UUID) -> None:
    """What the generator wrote equals what ``rebuild`` recomputes from the base tables."""
    with tenant_transaction(factory, tenant_id) as session:
        generated = _summaries(session, tenant_id)
    with tenant_transaction(factory, tenant_id) as session:
        rebuild(session, tenant_id)
    with tenant_transaction(factory, tenant_id) as session:
        rebuilt = _summaries(session, tenant_id)
    assert generated["counters"]  # not vacuous
    for name in rebuilt:
        assert generated[name] == rebuilt[name], name


def test_generated_summaries_equal_a_rebuild(session_factory: sessionmaker[Session]) -> None:
    slug = f"gen-{uuid.uuid4().hex[:8]}"
    generate(session_factory, slug, leads=200, seed=11, progress=False, batch=80)
    with session_factory() as session:
        tenant_id = _tenant(session, slug)
    assert_same_as_rebuild(session_factory, tenant_id)


ORPHANS = {
    "lead_engagements": "leads",
    "lead_milestones": "leads",
    "lead_status_history": "leads",
    "customers": "leads",
    "bookings": "customers",
    "ledger_entries": "customers",
}


@pytest.mark.postgres_only
def test_copy_path_in_a_worker_matches_rebuild_and_the_oracle(database_url: str) -> None:
    """The owner (a superuser here) loads with COPY, foreign-key triggers skipped and the
    simulation in a worker process: same summaries as a rebuild, no orphan rows."""
    engine: Engine = make_engine(database_url)
    try:
        factory = wiring.session_factory(engine)
        slug = f"gen-{uuid.uuid4().hex[:8]}"
        stats = generate(factory, slug, leads=300, seed=5, progress=False, batch=70)
        assert stats.rows["leads"] == 300
        assert stats.rows["report_lead_state"] == 300
        with factory() as session:
            tenant_id = _tenant(session, slug)
        with tenant_transaction(factory, tenant_id) as session:
            assert session.connection().exec_driver_sql("SHOW is_superuser").scalar() == "on"
            for child, parent in ORPHANS.items():
                key = "lead_id" if parent == "leads" else "customer_id"
                sql = (
                    f"SELECT count(*) FROM {child} c WHERE c.tenant_id = :t AND c.{key}"
                    f" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {parent} p"
                    f" WHERE p.tenant_id = c.tenant_id AND p.id = c.{key})"
                )
                assert session.execute(text(sql), {"t": tenant_id}).scalar() == 0, child
        assert_parity(factory, tenant_id)
        assert_same_as_rebuild(factory, tenant_id)
    finally:
        engine.dispose()


def test_nothing_generated_lies_in_the_future(session_factory: sessionmaker[Session]) -> None:
    """Leads, milestones, engagements and ledger entries dated today happened before now: a
    demo opened at 05:00 must not show a lead created at 18:02 today."""
    slug = f"gen-{uuid.uuid4().hex[:8]}"
    generate(session_factory, slug, leads=400, seed=11, progress=False)
    started = utcnow()
    columns: dict[str, tuple[Any, Any]] = {
        "lead created": (Lead, Lead.created_at),
        "milestone": (LeadMilestone, LeadMilestone.created_at),
        "engagement": (LeadEngagement, LeadEngagement.engagement_date),
        "ledger entry": (LedgerEntry, LedgerEntry.created_at),
    }
    with session_factory() as session:
        tenant_id = _tenant(session, slug)
        set_tenant(session, tenant_id)
        for what, (model, column) in columns.items():
            latest = session.scalar(select(func.max(column)).where(model.tenant_id == tenant_id))
            assert latest is not None, what
            assert latest <= started, (what, latest, started)


def _look(factory: sessionmaker[Session], slug: str) -> dict[str, Any]:
    with factory() as session:
        tenant_id = _tenant(session, slug)
        set_tenant(session, tenant_id)
        where = Lead.tenant_id == tenant_id
        return {
            "leads": session.execute(
                select(Lead.name, Lead.company, Lead.email, Lead.phone, Lead.notes)
                .where(where)
                .order_by(Lead.lead_code)
            ).all(),
            "reps": session.scalars(
                select(User.full_name).where(User.tenant_id == tenant_id)
            ).all(),
            "projects": set(
                session.scalars(select(Inventory.project).where(Inventory.tenant_id == tenant_id))
            ),
            "customers": session.scalars(
                select(Customer.name).where(Customer.tenant_id == tenant_id)
            ).all(),
            "visits": session.execute(
                select(
                    LeadMilestone.location_name, LeadMilestone.outcome, LeadMilestone.notes
                ).where(
                    LeadMilestone.tenant_id == tenant_id,
                    LeadMilestone.milestone_type == "site_visit",
                )
            ).all(),
            "subjects": set(
                session.scalars(
                    select(LeadEngagement.subject).where(LeadEngagement.tenant_id == tenant_id)
                )
            ),
        }


def test_the_demo_reads_like_a_sales_floor(session_factory: sessionmaker[Session]) -> None:
    """Indian names, employers, +91 mobiles and e-mails, named reps, towers in Whitefield,
    Sarjapur and Hinjewadi, visit notes that fit the outcome; the same seed, the same data."""
    first, second = (f"look-{uuid.uuid4().hex[:8]}" for _ in range(2))
    for slug in (first, second):
        generate(session_factory, slug, leads=60, seed=11, progress=False)
    seen, again = _look(session_factory, first), _look(session_factory, second)
    assert seen["leads"] == again["leads"]  # reproducible by seed
    names = [row.name for row in seen["leads"]]
    assert not any(re.fullmatch(r"Lead \d+", n) for n in names)
    assert len(set(names)) > 40
    assert all(n.split(" ")[0] in people.FIRST_NAMES for n in names)
    assert all(re.fullmatch(r"\+91 [6-9]\d{9}", row.phone) for row in seen["leads"])
    assert all(re.fullmatch(r"[a-z]+\.[a-z]+\d*@[a-z.]+", row.email) for row in seen["leads"])
    assert sum(bool(row.company) for row in seen["leads"]) > 20
    assert {"Arjun Mehta", "Sneha Kulkarni"} <= set(seen["reps"])
    assert not any(name.startswith("Rep ") for name in seen["reps"])
    assert seen["projects"] == {"Aster Heights Whitefield", "Sarjapur Greens", "Hinjewadi Skyline"}
    assert seen["customers"]
    assert not any(re.fullmatch(r"Customer \d+", n) for n in seen["customers"])
    assert set(seen["customers"]) <= set(names)
    assert seen["visits"]
    places = {place for place, *_rest in people.VISIT_PLACES}
    for place, outcome, notes in seen["visits"]:
        assert place in places
        assert notes in people.VISIT_NOTES[outcome]
    written = {subject for options in people.SUBJECTS.values() for subject in options}
    assert seen["subjects"] <= written
    assert len(seen["subjects"]) > 5


def test_generated_bookings_have_plans_demands_and_receipts(
    session_factory: sessionmaker[Session],
) -> None:
    """Every confirmed booking has its plan (its lump-sum invoice reversed), each due
    instalment its demand, every payment its receipt; numbers gap-free per series and
    year, and the services carry on numbering after them."""
    slug = f"plans-{uuid.uuid4().hex[:8]}"
    generate(session_factory, slug, leads=150, seed=7, progress=False)
    with session_factory() as session:
        tenant_id = _tenant(session, slug)
        set_tenant(session, tenant_id)
        invoiced = session.scalars(
            select(Booking.id).where(
                Booking.tenant_id == tenant_id, Booking.invoice_entry_id.is_not(None)
            )
        ).all()
        planned = session.scalars(
            select(PaymentPlan.booking_id).where(PaymentPlan.tenant_id == tenant_id)
        ).all()
        assert invoiced
        assert sorted(invoiced) == sorted(planned)
        documents = session.scalars(
            select(BillingDocument).where(BillingDocument.tenant_id == tenant_id)
        ).all()
        payments = session.scalars(
            select(LedgerEntry.id).where(
                LedgerEntry.tenant_id == tenant_id, LedgerEntry.transaction_type == "payment"
            )
        ).all()
        receipts = {d.ledger_entry_id for d in documents if d.kind == "receipt"}
        assert payments
        assert receipts == set(payments)
        demands = [d for d in documents if d.kind == "demand"]
        assert demands
        assert all(d.instalment_id is not None for d in demands)
        by_series: dict[str, list[int]] = defaultdict(list)
        for d in documents:
            series, year, position = d.number.split("/")
            by_series[f"{series}/{year}"].append(int(position))
        for positions in by_series.values():
            assert sorted(positions) == list(range(1, len(positions) + 1))
        customer = session.scalars(
            select(LedgerEntry.customer_id).where(LedgerEntry.tenant_id == tenant_id).limit(1)
        ).one()
    actor = system_actor(tenant_id, slug)
    with tenant_transaction(session_factory, tenant_id) as session:
        entry = ledger.post_entry(
            session,
            actor=actor,
            data=LedgerEntryCreate(
                customer_id=customer, transaction_type="payment", credit_amount=Decimal("1.00")
            ),
        )
        entry_id = entry.id
    with tenant_transaction(session_factory, tenant_id) as session:  # numbered at commit
        receipt = session.scalars(
            select(BillingDocument).where(
                BillingDocument.tenant_id == tenant_id, BillingDocument.ledger_entry_id == entry_id
            )
        ).one()
        series, year, position = receipt.number.split("/")
        assert int(position) == max(by_series[f"{series}/{year}"], default=0) + 1
