"""A lead's facts, derived in one place for the incremental path, the rebuild and the
generator: ``lead_facts_from`` builds them from what each of those has at hand, and
``lead_facts`` reads what one lead's change can have touched from the base tables.

Each reader answers for a single record with a few indexed queries, so maintaining the
summaries costs the same at 1k and 1M leads. ``parts`` says which facts a change can have
touched; the others are taken from the stored state unread.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple, Protocol, TypeVar

from sqlalchemy import BindParameter, bindparam, func, select
from sqlalchemy.orm import Session

from salestrack.core import reads
from salestrack.journey.models import LeadEngagement, LeadMilestone, LeadStatusHistory
from salestrack.leads.models import Lead
from salestrack.money import booking_money as booked
from salestrack.money.booking_money import NO_CASH, BookingCash
from salestrack.money.models import Booking
from salestrack.reports.contrib import RANK, LeadFacts

ZERO = Decimal("0.00")
ALL_PARTS = frozenset({"status", "eng", "fu", "money", "conv"})
T = TypeVar("T")


class LeadFields(Protocol):
    """A lead's own columns that its facts carry (an ORM ``Lead`` or a selected row)."""

    @property
    def lead_date(self) -> date: ...
    @property
    def source_id(self) -> uuid.UUID | None: ...
    @property
    def campaign_id(self) -> uuid.UUID | None: ...
    @property
    def assigned_to(self) -> uuid.UUID | None: ...
    @property
    def status(self) -> str: ...
    @property
    def retouched_at(self) -> datetime | None: ...
    @property
    def last_source_id(self) -> uuid.UUID | None: ...
    @property
    def last_campaign_id(self) -> uuid.UUID | None: ...


class LeadBooking(NamedTuple):
    """One of a lead's live bookings as its money facts read it."""

    status: str
    amount: Decimal
    invoiced: bool
    cash: BookingCash


def reach_of(statuses: Iterable[str]) -> int:
    """The furthest pipeline stage among the statuses a lead has had (lost ranks as new)."""
    return max((RANK.get(status, 0) for status in statuses), default=0)


def day_counts(days: Iterable[date]) -> dict[str, int]:
    return {d.isoformat(): n for d, n in sorted(Counter(days).items())}


def lead_money_from(bookings: Iterable[LeadBooking]) -> tuple[Decimal, Decimal]:
    """Booked revenue and cash collected (paid less refunded) on a lead's bookings."""
    mine = list(bookings)
    revenue = booked.booked_revenue((b.status, b.amount, b.invoiced) for b in mine)
    collected = sum((b.cash.paid - b.cash.refunded for b in mine), start=ZERO)
    return revenue, collected


def lead_facts_from(
    lead: LeadFields,
    *,
    live: bool,
    reached: int,
    converted_on: date | None,
    money: tuple[Decimal, Decimal],
    engagements: Mapping[str, int],
    follow_ups: Mapping[str, int],
) -> LeadFacts:
    """A lead's facts (``money``: booked revenue and collected, from ``lead_money_from``;
    ``engagements``/``follow_ups``: counts by ISO day)."""
    revenue, collected = money
    retouched = lead.retouched_at is not None
    return LeadFacts(
        live=live,
        lead_date=lead.lead_date,
        source_id=lead.source_id,
        campaign_id=lead.campaign_id,
        assigned_to=lead.assigned_to,
        status=str(lead.status),
        reached=reached,
        converted_on=converted_on,
        revenue=revenue,
        collected=collected,
        engagements=dict(engagements),
        follow_ups=dict(follow_ups),
        last_source_id=lead.last_source_id if retouched else lead.source_id,
        last_campaign_id=lead.last_campaign_id if retouched else lead.campaign_id,
    )


def lead_facts(
    session: Session,
    lead: Lead,
    stored: LeadFacts | None,
    parts: frozenset[str],
    new_statuses: Sequence[str] = (),
) -> LeadFacts:
    """The lead's facts; ``converted_on`` is its first live booking milestone's date (the
    timeline's conversion day)."""
    tenant_id, lead_id = lead.tenant_id, lead.id
    if stored is None:
        parts = ALL_PARTS
    if "status" in parts and (stored is None or not new_statuses):
        reached = reach_of(_statuses(session, tenant_id, lead_id))
    else:
        assert stored is not None
        reached = max(stored.reached, reach_of(new_statuses))

    def part(name: str, read: Callable[[], T], kept: Callable[[LeadFacts], T]) -> T:
        """Read a part the change touched; take the others from the stored facts."""
        return read() if name in parts or stored is None else kept(stored)

    args = (session, tenant_id, lead_id)
    return lead_facts_from(
        lead,
        live=lead.deleted_at is None,
        reached=reached,
        converted_on=part("conv", lambda: _conversion_day(*args), lambda f: f.converted_on),
        money=part("money", lambda: lead_money(*args), lambda f: (f.revenue, f.collected)),
        engagements=part("eng", lambda: _engagement_days(*args), lambda f: f.engagements),
        follow_ups=part("fu", lambda: _open_follow_ups(*args), lambda f: f.follow_ups),
    )


# A lead's fact reads, run at the commit of every write on the lead: prepared reads
# (``core.reads``), each compiled once instead of built and run through the ORM per write.
_TENANT: BindParameter[uuid.UUID] = bindparam("tenant_id")
_LEAD: BindParameter[uuid.UUID] = bindparam("lead_id")
_STATUSES = reads.Prepared(
    select(LeadStatusHistory.to_status.label("status"))
    .where(
        LeadStatusHistory.tenant_id == _TENANT,
        LeadStatusHistory.lead_id == _LEAD,
    )
    .distinct()
)
_CONVERSION_DAY = reads.Prepared(
    select(func.min(LeadMilestone.milestone_date).label("day")).where(
        LeadMilestone.tenant_id == _TENANT,
        LeadMilestone.lead_id == _LEAD,
        LeadMilestone.milestone_type == "booking",
        LeadMilestone.deleted_at.is_(None),
    )
)
_ENGAGEMENT_DATES = reads.Prepared(
    select(LeadEngagement.engagement_date.label("at")).where(
        LeadEngagement.tenant_id == _TENANT,
        LeadEngagement.lead_id == _LEAD,
        LeadEngagement.deleted_at.is_(None),
    )
)
_OPEN_FOLLOW_UPS = reads.Prepared(
    select(LeadMilestone.follow_up_date.label("due")).where(
        LeadMilestone.tenant_id == _TENANT,
        LeadMilestone.lead_id == _LEAD,
        LeadMilestone.deleted_at.is_(None),
        LeadMilestone.follow_up_required.is_(True),
        LeadMilestone.follow_up_closed_at.is_(None),
        LeadMilestone.follow_up_date.is_not(None),
    )
)


def _statuses(session: Session, tenant_id: uuid.UUID, lead_id: uuid.UUID) -> Iterable[str]:
    rows = _STATUSES.rows(session, {"tenant_id": tenant_id, "lead_id": lead_id})
    return [row["status"] for row in rows]


def _conversion_day(session: Session, tenant_id: uuid.UUID, lead_id: uuid.UUID) -> date | None:
    rows = _CONVERSION_DAY.rows(session, {"tenant_id": tenant_id, "lead_id": lead_id})
    day: date | None = rows[0]["day"] if rows else None
    return day


def _engagement_days(session: Session, tenant_id: uuid.UUID, lead_id: uuid.UUID) -> dict[str, int]:
    rows = _ENGAGEMENT_DATES.rows(session, {"tenant_id": tenant_id, "lead_id": lead_id})
    return day_counts(row["at"].date() for row in rows)


def _open_follow_ups(session: Session, tenant_id: uuid.UUID, lead_id: uuid.UUID) -> dict[str, int]:
    rows = _OPEN_FOLLOW_UPS.rows(session, {"tenant_id": tenant_id, "lead_id": lead_id})
    return day_counts(row["due"] for row in rows if row["due"] is not None)


def lead_money(
    session: Session, tenant_id: uuid.UUID, lead_id: uuid.UUID
) -> tuple[Decimal, Decimal]:
    """Booked revenue and cash collected on the lead's live bookings."""
    rows = session.execute(
        select(Booking.id, Booking.status, Booking.booking_amount, Booking.invoice_entry_id).where(
            Booking.tenant_id == tenant_id,
            Booking.lead_id == lead_id,
            Booking.deleted_at.is_(None),
        )
    ).all()
    cash = booked.cash_by_booking(session, tenant_id, [r[0] for r in rows])
    return lead_money_from(
        LeadBooking(str(r[1]), r[2], r[3] is not None, cash.get(str(r[0]), NO_CASH)) for r in rows
    )
