"""The per-record summary state: what one lead, booking or customer contributes now.

Syncing a record reads its facts, stores them in its ``report_*_state`` row, and returns
the change to the counters (the new contribution less the stored one).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import fields
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from salestrack.leads.models import Customer, Lead
from salestrack.money.models import Booking
from salestrack.reports import contrib, facts, lead_rows, money_facts
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


def sync_leads(
    session: Session, tenant_id: uuid.UUID, changed: list[tuple[Lead, frozenset[str], list[str]]]
) -> list[Contribution]:
    """Sync a transaction's leads of one tenant (each with the parts its change touched
    and the statuses it entered): their state rows are locked and read with one query,
    and the leads without one (created in this transaction) have their facts read all at
    once, so a batch of new leads costs the same few statements as one."""
    ids = sorted(lead.id for lead, _parts, _statuses in changed)
    rows = {
        row.lead_id: row
        for row in session.scalars(
            select(ReportLeadState)
            .where(ReportLeadState.tenant_id == tenant_id, ReportLeadState.lead_id.in_(ids))
            .order_by(ReportLeadState.lead_id)
            .with_for_update()
        )
    }
    fresh = [lead for lead, _parts, _statuses in changed if lead.id not in rows]
    read = lead_rows.facts_of(session, tenant_id, fresh) if fresh else {}
    out = []
    for lead, parts, statuses in changed:
        row = rows.get(lead.id)
        old = stored(LeadFacts, row)
        new = (
            read[lead.id] if row is None else facts.lead_facts(session, lead, old, parts, statuses)
        )
        key = {"tenant_id": lead.tenant_id, "lead_id": lead.id}
        out.append(
            _store(session, ReportLeadState, key, row, (old, new), contrib.lead_contribution)
        )
    return out


def sync_booking(session: Session, booking: Booking) -> Contribution:
    return _sync_money_record(
        session,
        (ReportBookingState, "booking_id", booking),
        BookingFacts,
        money_facts.booking_facts,
        contrib.booking_contribution,
    )


def sync_customer(session: Session, customer: Customer) -> Contribution:
    return _sync_money_record(
        session,
        (ReportCustomerState, "customer_id", customer),
        CustomerFacts,
        money_facts.customer_facts,
        contrib.customer_contribution,
    )


def _sync_money_record(
    session: Session,
    target: tuple[Any, str, Any],
    kind: type[F],
    read: Callable[[Session, Any], F],
    contribution: Callable[[F], Contribution],
) -> Contribution:
    """Sync a booking or customer (``target``: state model, its key column, the record):
    its facts are always read whole (a few rows each)."""
    model, key_name, record = target
    row = session.get(model, (record.tenant_id, record.id), with_for_update=True)
    key = {"tenant_id": record.tenant_id, key_name: record.id}
    change = (stored(kind, row), read(session, record))
    return _store(session, model, key, row, change, contribution)
