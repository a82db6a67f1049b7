"""The per-record summary state: what one lead, booking or customer contributes now.

Syncing a record reads its facts, stores them in its ``report_*_state`` row, and returns
the change to the counters (the new contribution less the stored one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from salestrack.leads.models import Customer, Lead
from salestrack.money.models import Booking
from salestrack.reports import contrib, facts, money_facts
from salestrack.reports.contrib import BookingFacts, Contribution, CustomerFacts, LeadFacts
from salestrack.reports.models import ReportBookingState, ReportCustomerState, ReportLeadState

F = TypeVar("F", LeadFacts, BookingFacts, CustomerFacts)


def state_values(new: LeadFacts | BookingFacts | CustomerFacts) -> dict[str, Any]:
    """The state row's columns for a record's facts (the columns are named as the facts)."""
    return {f.name: getattr(new, f.name) for f in fields(new)}


def stored(kind: type[F], row: Any) -> F | None:
    """The facts a state row holds (None without a row); its JSON maps are copied."""
    if row is None:
        return None
    values: dict[str, Any] = {}
    for f in fields(kind):
        value = getattr(row, f.name)
        values[f.name] = dict(value) if isinstance(value, dict) else value
    return kind(**values)


def _store(
    session: Session,
    model: Any,
    key: dict[str, Any],
    row: Any,
    change: tuple[F | None, F],
    contribution: Callable[[F], Contribution],
) -> Contribution:
    """Save the new facts in the state row (only the columns that changed) and return the
    counters' change from the old facts to the new."""
    old, new = change
    if row is None:
        session.add(model(**key, **state_values(new)))
    else:
        for name, value in state_values(new).items():
            if getattr(row, name) != value:
                setattr(row, name, value)
    before = contribution(old) if old else {}
    return contrib.difference(before, contribution(new))


def sync_lead(
    session: Session, lead: Lead, parts: frozenset[str], statuses: list[str]
) -> Contribution:
    row = session.get(ReportLeadState, (lead.tenant_id, lead.id), with_for_update=True)
    old = stored(LeadFacts, row)
    new = facts.lead_facts(session, lead, old, parts, statuses)
    key = {"tenant_id": lead.tenant_id, "lead_id": lead.id}
    return _store(session, ReportLeadState, key, row, (old, new), contrib.lead_contribution)


def sync_booking(session: Session, booking: Booking) -> Contribution:
    row = session.get(ReportBookingState, (booking.tenant_id, booking.id), with_for_update=True)
    new = money_facts.booking_facts(session, booking)
    key = {"tenant_id": booking.tenant_id, "booking_id": booking.id}
    change = (stored(BookingFacts, row), new)
    return _store(session, ReportBookingState, key, row, change, contrib.booking_contribution)


def sync_customer(session: Session, customer: Customer) -> Contribution:
    row = session.get(ReportCustomerState, (customer.tenant_id, customer.id), with_for_update=True)
    new = money_facts.customer_facts(session, customer)
    key = {"tenant_id": customer.tenant_id, "customer_id": customer.id}
    change = (stored(CustomerFacts, row), new)
    return _store(session, ReportCustomerState, key, row, change, contrib.customer_contribution)
