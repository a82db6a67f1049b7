"""Parity: whatever sequence of writes a tenant goes through, every report read from the
summaries equals the oracle's recomputation, and a rebuild reproduces the summaries."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth.context import Actor
from salestrack.auth.roles import Role
from salestrack.core.errors import ProblemError
from salestrack.core.tenancy import tenant_transaction
from salestrack.intake import merge, touches
from salestrack.journey import service as journey
from salestrack.journey.models import LeadEngagement, LeadMilestone
from salestrack.journey.schemas import EngagementCreate, EngagementUpdate, MilestoneCreate
from salestrack.leads import service as leads
from salestrack.leads.models import CampaignType, Channel, Customer, Lead, SourceType
from salestrack.leads.schemas import (
    CampaignCreate,
    CustomerCreate,
    LeadCreate,
    LeadSourceCreate,
    LeadUpdate,
)
from salestrack.money import bookings, inventory, ledger
from salestrack.money.models import Booking, LedgerEntry
from salestrack.money.schemas import (
    BookingCancel,
    BookingCreate,
    BookingUpdate,
    InventoryCreate,
    LedgerEntryCreate,
    RefundPayout,
    ReversalCreate,
)
from salestrack.reports.common import Window
from salestrack.reports.rebuild import rebuild
from tests.reports.helpers import both
from tests.support import TenantWorld

START = date(2025, 1, 1)
OPS = (
    "lead",
    "update_lead",
    "delete_lead",
    "milestone",
    "delete_milestone",
    "engagement",
    "update_engagement",
    "delete_engagement",
    "follow_up_done",
    "booking",
    "confirm",
    "cancel",
    "payment",
    "invoice",
    "reverse",
    "refund",
    "delete_customer",
    "reenquire",
    "merge",
)
MILESTONES = (
    "contacted",
    "site_visit",
    "proposal",
    "negotiation",
    "booking",
    "cancellation",
    "reengaged",
)
Step = tuple[str, int, int, int]
steps = st.lists(
    st.tuples(st.sampled_from(OPS), st.integers(0, 50), st.integers(0, 60), st.integers(0, 1000)),
    min_size=1,
    max_size=6,
)


def _ids(session: Session, model: Any, tenant_id: uuid.UUID) -> list[uuid.UUID]:
    stmt = select(model.id).where(model.tenant_id == tenant_id).order_by(model.created_at, model.id)
    if hasattr(model, "deleted_at"):
        stmt = stmt.where(model.deleted_at.is_(None))
    return list(session.scalars(stmt))


def _pick(options: list[Any], index: int) -> Any:
    if not options:
        raise LookupError
    return options[index % len(options)]


class World:
    def __init__(self, session: Session, actor: Actor, dims: dict[str, list[Any]]) -> None:
        self.s, self.a, self.dims = session, actor, dims

    def ids(self, model: Any) -> list[uuid.UUID]:
        return _ids(self.s, model, self.a.tenant_id)

    def apply(self, op: str, i: int, day: int, amount: int) -> None:
        s, a = self.s, self.a
        when = START + timedelta(days=day)
        money = Decimal(amount * 1000 + 1000)
        if op == "lead":
            data = LeadCreate(
                name="L",
                lead_date=when,
                source_id=_pick(self.dims["source"], i),
                campaign_id=_pick(self.dims["campaign"], i // 3),
                assigned_to=_pick(self.dims["user"], i // 2),
            )
            leads.create_lead(s, actor=a, data=data)
        elif op == "update_lead":
            changes: dict[str, Any] = [
                {"source_id": _pick(self.dims["source"], amount)},
                {"campaign_id": _pick(self.dims["campaign"], amount)},
                {"lead_date": when},
                {"status": _pick(["new", "contacted", "qualified", "lost", "converted"], amount)},
                {"assigned_to": _pick(self.dims["user"], amount)},
            ][i % 5]
            lead_id = _pick(self.ids(Lead), i)
            leads.update_lead(s, actor=a, lead_id=lead_id, data=LeadUpdate(**changes))
        elif op == "delete_lead":
            leads.delete_lead(s, actor=a, lead_id=_pick(self.ids(Lead), i))
        elif op == "milestone":
            kind = MILESTONES[amount % len(MILESTONES)]
            extra = {"follow_up_required": True, "follow_up_date": when} if i % 2 else {}
            data = MilestoneCreate(
                lead_id=_pick(self.ids(Lead), i), milestone_type=kind, milestone_date=when, **extra
            )
            journey.record_milestone(s, actor=a, data=data)
        elif op in ("delete_milestone", "follow_up_done"):
            stmt = select(LeadMilestone.id).where(
                LeadMilestone.tenant_id == a.tenant_id,
                LeadMilestone.deleted_at.is_(None),
                LeadMilestone.milestone_type != "lead_generated",
            )
            milestone_id = _pick(sorted(s.scalars(stmt)), i)
            if op == "follow_up_done":
                journey.mark_done(s, actor=a, milestone_id=milestone_id)
            else:
                journey.delete_milestone(s, actor=a, milestone_id=milestone_id)
        elif op == "engagement":
            data = EngagementCreate(
                lead_id=_pick(self.ids(Lead), i),
                engagement_type="call_made",
                engagement_channel="phone",
                engagement_date=datetime(2025, 1, 1, 23, tzinfo=UTC) + timedelta(days=day),
                status=_pick(["completed", "scheduled", "cancelled"], amount),
            )
            journey.record_engagement(s, actor=a, data=data)
        elif op == "update_engagement":
            update = EngagementUpdate(
                status="completed",
                engagement_date=datetime(2025, 2, 1, 12, tzinfo=UTC) + timedelta(days=day),
            )
            engagement_id = _pick(self.ids(LeadEngagement), i)
            journey.update_engagement(s, actor=a, engagement_id=engagement_id, data=update)
        elif op == "delete_engagement":
            engagement_id = _pick(self.ids(LeadEngagement), i)
            journey.delete_engagement(s, actor=a, engagement_id=engagement_id)
        elif op == "booking":
            lead_id = _pick(self.ids(Lead), i)
            customer = leads.CUSTOMERS.create(
                s, actor=a, data=CustomerCreate(name="C", lead_id=lead_id)
            )
            data = BookingCreate(
                customer_id=customer.id,
                inventory_id=self.dims["inventory"][0],
                booking_amount=money,
                booking_date=when,
                status=_pick(["pending", "confirmed", "on_hold"], amount),
            )
            bookings.create_booking(s, actor=a, data=data)
        elif op == "confirm":
            booking_id = _pick(self.ids(Booking), i)
            target = _pick(["confirmed", "completed", "on_hold", "pending"], amount)
            bookings.update_booking(
                s, actor=a, booking_id=booking_id, data=BookingUpdate(status=target)
            )
        elif op == "cancel":
            booking_id = _pick(self.ids(Booking), i)
            paid = ledger.booking_money(s, tenant_id=a.tenant_id, booking_id=booking_id)["paid"]
            data = BookingCancel(
                reason="r",
                refund_amount=paid * (amount % 3) / 2,
                cancellation_date=when + timedelta(days=400),
            )
            bookings.cancel_booking(s, actor=a, booking_id=booking_id, data=data)
        elif op == "payment":
            booking = s.get(Booking, (a.tenant_id, _pick(self.ids(Booking), i)))
            assert booking is not None
            data = LedgerEntryCreate(
                customer_id=booking.customer_id,
                transaction_type="payment",
                credit_amount=money,
                transaction_date=when,
                reference_document_type="booking",
                reference_document_id=str(booking.id),
            )
            ledger.post_entry(s, actor=a, data=data)
        elif op == "invoice":
            kind = _pick(["invoice", "debit_note", "credit_note", "payment"], amount)
            side = "credit_amount" if kind in ("credit_note", "payment") else "debit_amount"
            data = LedgerEntryCreate(
                customer_id=_pick(self.ids(Customer), i),
                transaction_type=kind,
                transaction_date=when,
                **{side: money},
            )
            ledger.post_entry(s, actor=a, data=data)
        elif op == "reverse":
            stmt = select(LedgerEntry.id).where(LedgerEntry.tenant_id == a.tenant_id)
            entry_id = _pick(sorted(s.scalars(stmt)), i)
            ledger.reverse_entry(
                s, actor=a, entry_id=entry_id, data=ReversalCreate(transaction_date=when)
            )
        elif op == "refund":
            booking_id = _pick(self.ids(Booking), i)
            bookings.pay_refund(
                s, actor=a, booking_id=booking_id, data=RefundPayout(transaction_date=when)
            )
        elif op == "delete_customer":
            leads.CUSTOMERS.delete(s, actor=a, row_id=_pick(self.ids(Customer), i))
        elif op == "reenquire":  # a new last touch (None, None: a direct visit)
            lead = leads.get_lead(s, actor=a, lead_id=_pick(self.ids(Lead), i), for_update=True)
            mapped = (_pick(self.dims["source"], amount), _pick(self.dims["campaign"], day))
            touches.reenquire(
                s, actor=a, lead=lead, mapped=mapped, subject="again", message="", by_phone=True
            )
        elif op == "merge":
            ids = self.ids(Lead)
            survivor, duplicate = _pick(ids, i), _pick(ids, i + 1 + amount % 3)
            merge.merge_leads(s, actor=a, survivor_id=survivor, duplicate_id=duplicate)


def _setup(session: Session, actor: Actor) -> dict[str, list[Any]]:
    campaigns = [
        leads.CAMPAIGNS.create(
            session,
            actor=actor,
            data=CampaignCreate(
                campaign_name=f"C{i}", campaign_type=CampaignType.digital, budget=Decimal(5000 * i)
            ),
        ).id
        for i in range(2)
    ]
    sources = [
        leads.SOURCES.create(
            session,
            actor=actor,
            data=LeadSourceCreate(
                source_type=SourceType.website, channel=Channel.paid_search, campaign_id=c
            ),
        ).id
        for c in campaigns
    ]
    stock = inventory.create_inventory(
        session,
        actor=actor,
        data=InventoryCreate(project="P", unit_type="3BHK", total_units=10_000),
    )
    return {
        "campaign": [*campaigns, None],
        "source": [*sources, None],
        "user": [actor.user_id, None],
        "inventory": [stock.id],
    }


def test_reports_equal_the_oracle_after_every_write(
    world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    actor = Actor(world.tenant_id, world.slug, world.admin.user_id, Role.admin)
    with tenant_transaction(session_factory, actor.tenant_id) as session:
        dims = _setup(session, actor)
    windows = [Window(None, None), Window(date(2025, 1, 10), date(2025, 2, 20))]
    applied: list[str] = []

    def check(after: str, every_window: bool = False) -> None:
        for w in windows if every_window else windows[:1]:
            fast, slow = both(session_factory, world.tenant_id, w)
            for name in fast:
                assert fast[name] == slow[name], (name, after, applied[-8:])

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(sequence=steps)
    def run(sequence: list[Step]) -> None:
        for op, i, day, amount in sequence:
            try:
                with tenant_transaction(session_factory, actor.tenant_id) as session:
                    World(session, actor, dims).apply(op, i, day, amount)
                applied.append(op)
            except (ProblemError, LookupError):
                continue  # refused (e.g. cancelling a cancelled booking): nothing changed
            check(op)
        check("sequence", every_window=True)
        before, _ = both(session_factory, world.tenant_id)
        with tenant_transaction(session_factory, actor.tenant_id) as session:
            rebuild(session, world.tenant_id)
        after, _ = both(session_factory, world.tenant_id)
        assert before == after

    # Every kind of write once, in an order that lets each succeed; then random sequences.
    preamble = [
        ("lead", 0, 5, 0),
        ("lead", 1, 40, 1),
        ("engagement", 0, 6, 0),
        ("update_engagement", 0, 7, 0),
        ("milestone", 1, 7, 1),
        ("follow_up_done", 0, 0, 0),
        ("booking", 0, 10, 1),
        ("payment", 0, 12, 3),
        ("invoice", 1, 15, 0),
        ("cancel", 0, 20, 1),
        ("refund", 0, 30, 0),
        ("reverse", 0, 31, 0),
        ("booking", 1, 11, 1),
        ("confirm", 1, 0, 1),
        ("update_lead", 3, 9, 0),
        ("delete_milestone", 0, 0, 0),
        ("delete_engagement", 0, 0, 0),
        ("delete_customer", 0, 0, 0),
        ("lead", 2, 50, 2),
        ("reenquire", 0, 1, 0),
        ("reenquire", 1, 2, 2),
        ("merge", 0, 0, 0),
        ("delete_lead", 2, 0, 0),
    ]
    for op, i, day, amount in preamble:
        with tenant_transaction(session_factory, actor.tenant_id) as session:
            World(session, actor, dims).apply(op, i, day, amount)
        applied.append(op)
        check(op)
    assert set(applied) == set(OPS)
    run()
