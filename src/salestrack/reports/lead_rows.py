"""Every live lead's facts for the rebuild, read in chunks of ``CHUNK`` leads by id: each
chunk's status history, conversions, engagements and open follow-ups with one grouped
query each, then ``facts.lead_facts_from`` per lead, as the incremental path does."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from salestrack.journey.models import LeadEngagement, LeadMilestone, LeadStatusHistory
from salestrack.leads.models import Lead
from salestrack.money import booking_money as booked
from salestrack.money.booking_money import NO_CASH
from salestrack.money.models import Booking
from salestrack.reports import facts
from salestrack.reports.common import utc_day
from salestrack.reports.contrib import LeadFacts
from salestrack.reports.facts import LeadBooking

CHUNK = 20_000
H, M, E = LeadStatusHistory, LeadMilestone, LeadEngagement


class LeadRow(NamedTuple):
    lead_id: uuid.UUID
    facts: LeadFacts


def chunks(
    session: Session, tenant_id: uuid.UUID, bookings: Mapping[uuid.UUID, list[LeadBooking]]
) -> Iterator[list[LeadRow]]:
    """The tenant's live leads with their facts, a chunk at a time (``bookings``: each
    lead's live bookings, as the rebuild read them)."""
    last: uuid.UUID | None = None
    while True:
        stmt = (
            select(Lead.id, Lead.lead_date, Lead.source_id, Lead.campaign_id)
            .add_columns(Lead.assigned_to, Lead.status, Lead.retouched_at)
            .add_columns(Lead.last_source_id, Lead.last_campaign_id)
            .where(Lead.tenant_id == tenant_id, Lead.deleted_at.is_(None))
            .order_by(Lead.id)
            .limit(CHUNK)
        )
        if last is not None:
            stmt = stmt.where(Lead.id > last)
        leads = session.execute(stmt).all()
        if not leads:
            return
        last = leads[-1].id
        found = _Chunk(session, tenant_id, leads[0].id, last)
        yield [LeadRow(lead.id, found.facts(lead, bookings.get(lead.id, []))) for lead in leads]


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def facts_of(
    session: Session, tenant_id: uuid.UUID, leads: list[Lead]
) -> dict[uuid.UUID, LeadFacts]:
    """The facts of a few leads (the ones a transaction created), read all at once: the
    same grouped queries as the rebuild's, over these leads' ids, and their bookings."""
    ids = sorted(lead.id for lead in leads)
    found = _Chunk(session, tenant_id, ids[0], ids[-1], ids=ids)
    bookings = _lead_bookings(session, tenant_id, ids)
    return {
        lead.id: found.facts(lead, bookings.get(lead.id, []), live=lead.deleted_at is None)
        for lead in leads
    }


def _lead_bookings(
    session: Session, tenant_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[LeadBooking]]:
    """Each lead's live bookings, as ``facts.lead_money`` reads them for one lead."""
    rows = session.execute(
        select(
            Booking.id,
            Booking.lead_id,
            Booking.status,
            Booking.booking_amount,
            Booking.invoice_entry_id,
        ).where(
            Booking.tenant_id == tenant_id,
            Booking.lead_id.in_(ids),
            Booking.deleted_at.is_(None),
        )
    ).all()
    if not rows:
        return {}
    cash = booked.cash_by_booking(session, tenant_id, [r.id for r in rows])
    out: dict[uuid.UUID, list[LeadBooking]] = defaultdict(list)
    for r in rows:
        money = cash.get(str(r.id), NO_CASH)
        out[r.lead_id].append(
            LeadBooking(str(r.status), r.booking_amount, r.invoice_entry_id is not None, money)
        )
    return out


class _Chunk:
    """The grouped facts of the leads with ids in ``[lo, hi]`` (or only those in ``ids``)."""

    def __init__(
        self,
        session: Session,
        tenant_id: uuid.UUID,
        lo: uuid.UUID,
        hi: uuid.UUID,
        ids: list[uuid.UUID] | None = None,
    ):
        self.session, self.tenant_id, self.lo, self.hi = session, tenant_id, lo, hi
        self.ids = ids
        self.history = self._rows(select(H.lead_id, H.to_status), H, group=[H.to_status])
        booked = M.milestone_type == "booking"
        conversions = select(M.lead_id, func.min(M.milestone_date))
        self.conversions = self._rows(conversions, M, booked, M.deleted_at.is_(None))
        day = utc_day(session, E.engagement_date)
        self.engagements = self._rows(
            select(E.lead_id, day, func.count()), E, E.deleted_at.is_(None), group=[day]
        )
        self.follow_ups = self._rows(
            select(M.lead_id, M.follow_up_date, func.count()),
            M,
            M.deleted_at.is_(None),
            M.follow_up_required.is_(True),
            M.follow_up_closed_at.is_(None),
            M.follow_up_date.is_not(None),
            group=[M.follow_up_date],
        )

    def _rows(
        self, stmt: Select[Any], model: Any, *where: Any, group: list[Any] | None = None
    ) -> dict[uuid.UUID, list[Any]]:
        """Rows of ``stmt`` over the chunk's leads, grouped by lead and ``group``, by lead."""
        among = (
            [model.lead_id.in_(self.ids)]
            if self.ids is not None
            else [model.lead_id >= self.lo, model.lead_id <= self.hi]
        )
        stmt = stmt.where(model.tenant_id == self.tenant_id, *among, *where).group_by(
            model.lead_id, *(group or [])
        )
        out: dict[uuid.UUID, list[Any]] = defaultdict(list)
        for row in self.session.execute(stmt):
            out[row[0]].append(row[1:])
        return out

    def facts(self, lead: Any, bookings: list[LeadBooking], live: bool = True) -> LeadFacts:
        lead_id = lead.id
        converted = self.conversions.get(lead_id)
        return facts.lead_facts_from(
            lead,
            live=live,
            reached=facts.reach_of(h[0] for h in self.history.get(lead_id, [])),
            converted_on=converted[0][0] if converted else None,
            money=facts.lead_money_from(bookings),
            engagements={
                _as_date(d).isoformat(): int(n) for d, n in self.engagements.get(lead_id, [])
            },
            follow_ups={d.isoformat(): int(n) for d, n in self.follow_ups.get(lead_id, [])},
        )
