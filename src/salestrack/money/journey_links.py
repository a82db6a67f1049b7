"""Where bookings meet the lead journey: milestones, and the timeline's conversion value."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth.context import Actor
from salestrack.core import reads
from salestrack.journey import service as journey
from salestrack.journey.models import MilestoneType
from salestrack.journey.schemas import MilestoneCreate
from salestrack.journey.timeline import CONVERSION_VALUE
from salestrack.money.booking_money import LIVE_STATUSES
from salestrack.money.models import Booking

LIVE = LIVE_STATUSES
CENT = Decimal("0.01")


def record(
    session: Session,
    *,
    actor: Actor,
    booking: Booking,
    milestone_type: MilestoneType,
    on: date,
    notes: str,
) -> None:
    """Record ``booking``/``cancellation`` on the booking's lead (if it has one), in the
    caller's transaction; the journey moves the lead's status (converted / lost). The
    milestone carries the booking's amount, unit type and delivery date for the timeline
    (the amount is withheld from roles that may not read money)."""
    if booking.lead_id is None:
        return
    journey.record_milestone(
        session,
        actor=actor,
        data=MilestoneCreate(
            lead_id=booking.lead_id,
            milestone_type=milestone_type,
            milestone_date=on,
            notes=notes,
            metadata={
                "booking_id": str(booking.id),
                "booking_code": booking.booking_code,
                "booking_amount": str(booking.booking_amount.quantize(CENT)),
                "unit_type": booking.unit_type,
                "delivery_date": booking.delivery_date.isoformat()
                if booking.delivery_date
                else None,
            },
        ),
    )


def conversion_value(session: Session, tenant_id: uuid.UUID, lead_id: uuid.UUID) -> Decimal | None:
    """The lead's booked amount: confirmed and completed bookings, cancelled ones netted out
    (0.00 when every confirmed booking was cancelled; None when none was ever confirmed)."""
    rows = _BOOKED_BY_STATUS.rows(session, {"tenant_id": tenant_id, "lead_id": lead_id})
    if not rows:
        return None
    return sum((r["amount"] for r in rows if r["status"] in LIVE), Decimal("0.00"))


# Every timeline asks it (``core.reads``: compiled once, run on the driver).
_BOOKED_BY_STATUS = reads.Prepared(
    select(Booking.status, func.sum(Booking.booking_amount).label("amount"))
    .where(
        Booking.tenant_id == bindparam("tenant_id"),
        Booking.lead_id == bindparam("lead_id"),
        Booking.deleted_at.is_(None),
        Booking.invoice_entry_id.is_not(None),
    )
    .group_by(Booking.status)
)


def install(factory: sessionmaker[Session]) -> None:
    """The timeline's conversion value comes from the lead's bookings (called by the wiring)."""
    CONVERSION_VALUE.connect(factory, conversion_value)
