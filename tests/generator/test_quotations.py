"""Generated quotations are what the quotation service would have written: every booking
comes from an accepted quotation whose total it is, totals are the sums of the lines and
price as the service prices them, numbers run gap-free per financial year, and the
service numbers its next quotation after them."""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth import clock
from salestrack.auth import service as auth
from salestrack.auth.context import system_actor
from salestrack.core.tenancy import set_tenant, tenant_transaction
from salestrack.documents import numbers, quotations
from salestrack.documents.charges import ChargeType
from salestrack.documents.models import Quotation, QuotationLine
from salestrack.documents.quotation_schemas import QuotationIn, QuotationLineIn, QuotationSend
from salestrack.generator.seed import generate
from salestrack.leads import service as leads
from salestrack.leads.models import Lead
from salestrack.leads.schemas import LeadCreate
from salestrack.money.models import Booking

OPEN_STAGES = {"proposal", "negotiation"}


def _positions(rows: list[Quotation]) -> dict[str, list[int]]:
    """Each financial year's quotation numbers, as positions."""
    by_year: dict[str, list[int]] = defaultdict(list)
    for q in rows:
        assert q.number is not None
        series, year, position = q.number.split("/")
        assert series == "QUO"
        assert q.quotation_date is not None
        assert year == numbers.financial_year(q.quotation_date)
        by_year[year].append(int(position))
    return by_year


def test_generated_quotations_are_consistent_and_the_service_numbers_after_them(
    session_factory: sessionmaker[Session],
) -> None:
    slug = f"quotes-{uuid.uuid4().hex[:8]}"
    generate(session_factory, slug, leads=300, seed=11, progress=False)
    with session_factory() as session:
        tenant = auth.open_tenant(session, slug)
        assert tenant is not None
        tenant_id = tenant.tenant_id
        set_tenant(session, tenant_id)
        rows = list(session.scalars(select(Quotation).where(Quotation.tenant_id == tenant_id)))
        lines: dict[uuid.UUID, list[QuotationLine]] = defaultdict(list)
        for line in session.scalars(
            select(QuotationLine).where(QuotationLine.tenant_id == tenant_id)
        ):
            lines[line.quotation_id].append(line)
        bookings = {
            b.id: b for b in session.scalars(select(Booking).where(Booking.tenant_id == tenant_id))
        }
        stages = dict(
            session.execute(select(Lead.id, Lead.status).where(Lead.tenant_id == tenant_id)).all()
        )

    # Totals are the sums of the lines' figures; each line adds up.
    assert rows
    for q in rows:
        own = lines[q.id]
        assert own
        for line in own:
            assert line.taxable == line.amount - line.discount
            assert line.total == line.taxable + line.cgst + line.sgst + line.igst
        assert q.subtotal == sum((x.amount for x in own), Decimal(0))
        assert q.discount_total == sum((x.discount for x in own), Decimal(0))
        assert q.taxable_total == sum((x.taxable for x in own), Decimal(0))
        assert q.cgst_total == sum((x.cgst for x in own), Decimal(0))
        assert q.sgst_total == sum((x.sgst for x in own), Decimal(0))
        assert q.igst_total == sum((x.igst for x in own), Decimal(0))
        assert q.grand_total == sum((x.total for x in own), Decimal(0))
        assert q.grand_total > q.taxable_total  # GST charged
        assert q.version == 1
        assert q.sent_at is not None
        assert q.valid_until is not None
        assert q.quotation_date is not None
        assert q.valid_until > q.quotation_date

    # Every booking was accepted from exactly one quotation, for exactly its amount,
    # sent before the booking day and still valid on it.
    accepted = [q for q in rows if q.status == "accepted"]
    assert bookings
    assert sorted(q.booking_id for q in accepted if q.booking_id) == sorted(bookings)
    assert len(accepted) == len(bookings)
    for q in accepted:
        assert q.booking_id is not None
        booking = bookings[q.booking_id]
        assert q.grand_total == booking.booking_amount
        assert q.lead_id == booking.lead_id
        assert q.customer_id == booking.customer_id
        assert q.inventory_id == booking.inventory_id
        assert q.quotation_date is not None
        assert q.valid_until is not None
        assert q.quotation_date < booking.booking_date <= q.valid_until
        assert q.decided_at is not None

    # Leads still at proposal or negotiation hold the open and rejected ones.
    others = [q for q in rows if q.status != "accepted"]
    assert {q.status for q in others} == {"sent", "rejected"}
    assert all(q.booking_id is None for q in others)
    assert all(stages[q.lead_id] in OPEN_STAGES for q in others)
    assert all((q.decided_at is not None) == (q.status == "rejected") for q in others)

    # Numbers are gap-free in each financial year.
    by_year = _positions(rows)
    for positions in by_year.values():
        assert sorted(positions) == list(range(1, len(positions) + 1))

    # The service prices a generated quotation's content to the same figures, and numbers
    # its next quotation after the generated ones.
    sample = accepted[0]
    actor = system_actor(tenant_id, slug)
    with tenant_transaction(session_factory, tenant_id) as session:
        assert sample.lead_id is not None
        lead = leads.create_lead(session, actor=actor, data=LeadCreate(name="After the load"))
        content = QuotationIn(
            lead_id=lead.id,
            inventory_id=sample.inventory_id,
            area_sqft=sample.area_sqft,
            lines=[
                QuotationLineIn(
                    charge_type=ChargeType(line.charge_type), rate_per_sqft=line.rate_per_sqft
                )
                for line in sorted(lines[sample.id], key=lambda x: x.position)
            ],
        )
        _priced, totals, _interstate = quotations.preview(session, actor=actor, data=content)
        assert totals.grand_total == sample.grand_total
        assert totals.cgst_total == sample.cgst_total
        draft = quotations.create_quotation(session, actor=actor, data=content)
        today = clock.tenant_today(session, tenant_id)
        sent = quotations.send_quotation(
            session, actor=actor, quotation_id=draft.id, data=QuotationSend(quotation_date=today)
        )
        number = sent.number
    assert number is not None
    _series, year, position = number.split("/")
    assert int(position) == max(by_year.get(year, [0])) + 1
