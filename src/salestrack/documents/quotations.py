"""Quotations (cost sheets): drafts, versions, sending, and the buyer's decision.

State machine (anything else is a 409)::

    draft -> sent -> accepted | rejected
                  -> expired (read as such once valid_until has passed; then rejected)

- Only the newest version of a quotation is changed or decided. Revising a version that is
  not accepted makes a new draft version (v2) with the same lines re-priced at today's GST
  rates; the earlier versions stay exactly as they were.
- Sending takes the number (``QUO/<financial year>/<n>``, gap-free, of the quotation date)
  and records the lead's ``proposal`` milestone carrying the number, the amount and the
  validity. Accepting creates the booking pre-filled from the quotation (its amount, the
  inventory row, one unit, the delivery date), the customer from the lead if the lead has
  none yet, in the same transaction: too few units left (409) accepts nothing.

Lock order, as in ``money.bookings``: quotation -> inventory -> booking -> lead ->
customer -> counters (the number is taken after the lead's row is locked).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from salestrack.auth import clock
from salestrack.auth.context import Actor
from salestrack.core import crud
from salestrack.core.db import utcnow
from salestrack.core.errors import Conflict, Unprocessable
from salestrack.documents import numbers, pricing, settings
from salestrack.documents.models import Quotation, QuotationLine, QuotationStatus
from salestrack.documents.quotation_schemas import (
    QuotationAccept,
    QuotationIn,
    QuotationLineIn,
    QuotationReject,
    QuotationSend,
)
from salestrack.journey import service as journey
from salestrack.journey.models import MilestoneType
from salestrack.journey.schemas import MilestoneCreate
from salestrack.leads import service as leads
from salestrack.leads.models import Customer, Lead
from salestrack.leads.schemas import CustomerCreate
from salestrack.money import bookings
from salestrack.money.models import Booking, Inventory
from salestrack.money.schemas import BookingCreate

ENTITY = "quotation"
S = QuotationStatus


def get_quotation(
    session: Session, *, actor: Actor, quotation_id: uuid.UUID, for_update: bool = False
) -> Quotation:
    row: Quotation = crud.get_live(
        session,
        Quotation,
        tenant_id=actor.tenant_id,
        row_id=quotation_id,
        label=ENTITY,
        for_update=for_update,
    )
    return row


def status_on(row: Quotation, today: date) -> QuotationStatus:
    """The status as the buyer sees it: a sent quotation past ``valid_until`` is expired."""
    if row.status == S.sent and row.valid_until is not None and row.valid_until < today:
        return S.expired
    return S(row.status)


def lines_of(session: Session, row: Quotation) -> list[QuotationLine]:
    stmt = (
        select(QuotationLine)
        .where(QuotationLine.tenant_id == row.tenant_id, QuotationLine.quotation_id == row.id)
        .order_by(QuotationLine.position)
    )
    return list(session.scalars(stmt))


def latest_version(session: Session, *, tenant_id: uuid.UUID, series_id: uuid.UUID) -> int:
    stmt = select(func.max(Quotation.version)).where(
        Quotation.tenant_id == tenant_id,
        Quotation.series_id == series_id,
        Quotation.deleted_at.is_(None),
    )
    return int(session.scalar(stmt) or 0)


# --- drafts ------------------------------------------------------------------------


def _buyer(session: Session, actor: Actor, data: QuotationIn) -> tuple[uuid.UUID | None, Any]:
    """(lead_id, customer_id), the lead defaulting to the customer's (422 when they differ
    or an id is not the tenant's)."""
    crud.check_references(
        session,
        tenant_id=actor.tenant_id,
        refs={
            "lead_id": (Lead, data.lead_id),
            "customer_id": (Customer, data.customer_id),
            "inventory_id": (Inventory, data.inventory_id),
        },
    )
    lead_id = data.lead_id
    if data.customer_id is not None:
        customer = session.get(Customer, (actor.tenant_id, data.customer_id))
        assert customer is not None
        if lead_id is None:
            lead_id = customer.lead_id
        elif customer.lead_id not in (None, lead_id):
            raise Unprocessable("the customer came from another lead", field="lead_id")
    return lead_id, data.customer_id


def _supply(session: Session, tenant_id: uuid.UUID, place: str | None) -> tuple[str | None, bool]:
    """The place of supply and whether it is another state than the tenant's (IGST)."""
    stored = settings.get_settings(session, tenant_id)
    home = stored.state_code if stored is not None else None
    if place is None or place == home:
        return home, False
    if home is None:
        raise Unprocessable(
            "set the tenant's GST state in the document settings before quoting to a state",
            field="place_of_supply",
        )
    return place, True


def _price(
    session: Session, tenant_id: uuid.UUID, data: QuotationIn, interstate: bool
) -> tuple[list[pricing.PricedLine], pricing.Totals]:
    rates = {t: (r.rate, r.sac_code) for t, r in settings.tax_rates(session, tenant_id).items()}
    inputs = [pricing.LineInput(**line.model_dump()) for line in data.lines]
    return pricing.price(inputs, area=data.area_sqft, rates=rates, interstate=interstate)


def _values(session: Session, actor: Actor, data: QuotationIn) -> tuple[dict[str, Any], list[Any]]:
    """A draft's stored values and priced lines, from the request."""
    lead_id, customer_id = _buyer(session, actor, data)
    place, interstate = _supply(session, actor.tenant_id, data.place_of_supply)
    lines, totals = _price(session, actor.tenant_id, data, interstate)
    terms = data.terms
    if terms is None:
        stored = settings.get_settings(session, actor.tenant_id)
        terms = stored.quotation_terms if stored is not None else ""
    values = {
        "lead_id": lead_id,
        "customer_id": customer_id,
        "inventory_id": data.inventory_id,
        "unit_label": data.unit_label,
        "area_sqft": data.area_sqft,
        "place_of_supply": place,
        "interstate": interstate,
        "valid_until": data.valid_until,
        "delivery_date": data.delivery_date,
        "terms": terms,
        "notes": data.notes,
        **vars(totals),
    }
    return values, lines


def _write_lines(session: Session, row: Quotation, lines: list[pricing.PricedLine]) -> None:
    for old in lines_of(session, row):
        session.delete(old)
    session.flush()
    session.add_all(
        QuotationLine(tenant_id=row.tenant_id, quotation_id=row.id, **vars(line)) for line in lines
    )
    session.flush()


def create_quotation(session: Session, *, actor: Actor, data: QuotationIn) -> Quotation:
    """A new quotation: version 1, a draft (no number until it is sent)."""
    values, lines = _values(session, actor, data)
    row = Quotation(series_id=uuid.uuid4(), version=1, status=S.draft, **values)
    crud.add(session, actor=actor, row=row, entity=ENTITY)
    _write_lines(session, row, lines)
    return row


def _newest(session: Session, actor: Actor, quotation_id: uuid.UUID) -> Quotation:
    """The quotation locked, if it is its series' newest version (409 otherwise)."""
    row = get_quotation(session, actor=actor, quotation_id=quotation_id, for_update=True)
    newest = latest_version(session, tenant_id=actor.tenant_id, series_id=row.series_id)
    if row.version != newest:
        raise Conflict(
            f"version {row.version} was revised: version {newest} is the one to change",
            latest_version=newest,
        )
    return row


def update_draft(
    session: Session, *, actor: Actor, quotation_id: uuid.UUID, data: QuotationIn
) -> Quotation:
    """Replace a draft's content (409 once it is sent: revise it instead)."""
    row = _newest(session, actor, quotation_id)
    if row.status != S.draft:
        raise Conflict(
            f"a {row.status} quotation is not changed: revise it for a new version",
            quotation_status=row.status,
        )
    values, lines = _values(session, actor, data)
    crud.change(session, actor=actor, row=row, values=values, entity=ENTITY)
    _write_lines(session, row, lines)
    return row


def revise_quotation(session: Session, *, actor: Actor, quotation_id: uuid.UUID) -> Quotation:
    """The next version: a draft with this version's content re-priced at today's rates."""
    row = _newest(session, actor, quotation_id)
    if row.status in (S.draft, S.accepted):
        why = "change the draft itself" if row.status == S.draft else "its booking stands"
        raise Conflict(f"a {row.status} quotation is not revised: {why}")
    data = QuotationIn(
        lead_id=row.lead_id,
        customer_id=row.customer_id,
        inventory_id=row.inventory_id,
        unit_label=row.unit_label,
        area_sqft=row.area_sqft,
        place_of_supply=row.place_of_supply,
        delivery_date=row.delivery_date,
        terms=row.terms,
        notes=row.notes,
        lines=[_line_input(line) for line in lines_of(session, row)],
    )
    values, lines = _values(session, actor, data)
    revised = Quotation(series_id=row.series_id, version=row.version + 1, status=S.draft, **values)
    crud.add(session, actor=actor, row=revised, entity=ENTITY)
    _write_lines(session, revised, lines)
    return revised


def _line_input(line: QuotationLine) -> QuotationLineIn:
    per_sqft = line.rate_per_sqft is not None
    return QuotationLineIn(
        charge_type=line.charge_type,
        description=line.description,
        amount=None if per_sqft else line.amount,
        rate_per_sqft=line.rate_per_sqft,
        discount=line.discount,
    )


# --- sending and deciding ----------------------------------------------------------


def send_quotation(
    session: Session, *, actor: Actor, quotation_id: uuid.UUID, data: QuotationSend
) -> Quotation:
    """Issue a draft: its number, date and validity, and the lead's proposal milestone."""
    row = _newest(session, actor, quotation_id)
    if row.status != S.draft:
        raise Conflict(f"a {row.status} quotation was sent already", quotation_status=row.status)
    on = clock.given_or_today(session, actor.tenant_id, data.quotation_date)
    valid_until = data.valid_until or row.valid_until
    if valid_until is None:
        stored = settings.get_settings(session, actor.tenant_id)
        days = stored.quotation_validity_days if stored is not None else 15
        valid_until = on + timedelta(days=days)
    if valid_until < on:
        raise Unprocessable("valid_until may not be before the quotation date", field="valid_until")
    if row.lead_id is not None:
        leads.get_lead(session, actor=actor, lead_id=row.lead_id, for_update=True)
    number = numbers.next_document_number(
        session, tenant_id=actor.tenant_id, series=numbers.Series.quotation, on=on
    )
    values = {
        "status": S.sent,
        "number": number,
        "quotation_date": on,
        "valid_until": valid_until,
        "sent_at": utcnow(),
    }
    crud.change(session, actor=actor, row=row, values=values, entity=ENTITY)
    if row.lead_id is not None:
        _proposal_milestone(session, actor, row)
    return row


def _proposal_milestone(session: Session, actor: Actor, row: Quotation) -> None:
    assert row.lead_id is not None
    assert row.quotation_date is not None
    assert row.valid_until is not None
    journey.record_milestone(
        session,
        actor=actor,
        data=MilestoneCreate(
            lead_id=row.lead_id,
            milestone_type=MilestoneType.proposal,
            milestone_date=row.quotation_date,
            notes=f"quotation {row.number} (version {row.version}) sent",
            metadata={
                "quotation_id": str(row.id),
                "quotation_number": row.number,
                "quotation_version": row.version,
                "amount": str(row.grand_total),
                "valid_until": row.valid_until.isoformat(),
            },
        ),
    )


def _decidable(session: Session, actor: Actor, row: Quotation) -> None:
    today = clock.tenant_today(session, actor.tenant_id)
    status = status_on(row, today)
    if status == S.expired:
        raise Conflict(
            f"the quotation expired on {row.valid_until}: revise it for a new version",
            quotation_status=status,
        )
    if status != S.sent:
        raise Conflict(f"a {status} quotation cannot be decided", quotation_status=status)


def _customer_for(session: Session, actor: Actor, row: Quotation) -> uuid.UUID:
    """The quotation's customer; else the lead's (the first one made from it), else a new
    customer made from the lead."""
    if row.customer_id is not None:
        return row.customer_id
    assert row.lead_id is not None
    stmt = (
        crud.scoped(Customer, actor.tenant_id)
        .where(Customer.lead_id == row.lead_id)
        .order_by(Customer.created_at, Customer.id)
        .limit(1)
    )
    found = session.scalars(stmt).first()
    if found is not None:
        return found.id
    lead = leads.get_lead(session, actor=actor, lead_id=row.lead_id)
    customer = leads.CUSTOMERS.create(
        session,
        actor=actor,
        data=CustomerCreate(name=lead.name, email=lead.email, phone=lead.phone, lead_id=lead.id),
    )
    return uuid.UUID(str(customer.id))


def accept_quotation(
    session: Session, *, actor: Actor, quotation_id: uuid.UUID, data: QuotationAccept
) -> tuple[Quotation, Booking]:
    """The buyer accepts: the booking, pre-filled from the quotation, in this transaction."""
    row = _newest(session, actor, quotation_id)
    _decidable(session, actor, row)
    if data.booking_status not in bookings.INITIAL:
        raise Unprocessable(
            "a new booking is pending, confirmed or on_hold", field="booking_status"
        )
    customer_id = _customer_for(session, actor, row)
    booking = bookings.create_booking(
        session,
        actor=actor,
        data=BookingCreate(
            customer_id=customer_id,
            lead_id=row.lead_id,
            inventory_id=row.inventory_id,
            booking_date=data.booking_date,  # left out: the tenant's today
            booking_amount=row.grand_total,
            unit_count=1,
            delivery_date=data.delivery_date or row.delivery_date,
            status=data.booking_status,
            notes=data.notes or f"from quotation {row.number} (version {row.version})",
        ),
    )
    values = {
        "status": S.accepted,
        "customer_id": customer_id,
        "booking_id": booking.id,
        "decided_at": utcnow(),
    }
    crud.change(session, actor=actor, row=row, values=values, entity=ENTITY)
    return row, booking


def reject_quotation(
    session: Session, *, actor: Actor, quotation_id: uuid.UUID, data: QuotationReject
) -> Quotation:
    """The buyer declines a sent (or expired) quotation."""
    row = _newest(session, actor, quotation_id)
    today = clock.tenant_today(session, actor.tenant_id)
    status = status_on(row, today)
    if status not in (S.sent, S.expired):
        raise Conflict(f"a {status} quotation cannot be rejected", quotation_status=status)
    values = {"status": S.rejected, "decided_at": utcnow(), "decision_note": data.reason}
    crud.change(session, actor=actor, row=row, values=values, entity=ENTITY)
    return row


# --- reading -----------------------------------------------------------------------


def filtered(
    *,
    tenant_id: uuid.UUID,
    today: date,
    lead_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    series_id: uuid.UUID | None = None,
    status: QuotationStatus | None = None,
) -> Select[tuple[Quotation]]:
    """The tenant's quotations narrowed by buyer, series and status (as ``status_on``)."""
    stmt = crud.scoped(Quotation, tenant_id)
    stmt = crud.where_equal(
        stmt,
        [
            (Quotation.lead_id, lead_id),
            (Quotation.customer_id, customer_id),
            (Quotation.series_id, series_id),
        ],
    )
    if status == S.expired:
        stmt = stmt.where(Quotation.status == S.sent, Quotation.valid_until < today)
    elif status == S.sent:
        stmt = stmt.where(Quotation.status == S.sent, Quotation.valid_until >= today)
    elif status is not None:
        stmt = stmt.where(Quotation.status == status)
    return stmt


def preview(
    session: Session, *, actor: Actor, data: QuotationIn
) -> tuple[list[pricing.PricedLine], pricing.Totals, bool]:
    """The lines and totals ``data`` would get, writing nothing (the builder's
    recalculation): (lines, totals, interstate); the same 422s as saving."""
    _buyer(session, actor, data)
    _place, interstate = _supply(session, actor.tenant_id, data.place_of_supply)
    lines, totals = _price(session, actor.tenant_id, data, interstate)
    return lines, totals, interstate
