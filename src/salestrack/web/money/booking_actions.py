"""One booking: its facts and money, the actions its state allows, and the sections other
areas add below them (``install_booking_sections``, e.g. the payment plan).

Only the next states the state machine allows are offered (``bookings.TRANSITIONS``);
cancelling asks for a reason and a refund no larger than what was paid; a cancelled
booking with a refund still due offers the payout. Each form posts to the money service
the API uses, and a refusal comes back beside the field with what was typed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from salestrack.auth.roles import Permission
from salestrack.http.deps import SessionDep
from salestrack.leads import selectors as leads
from salestrack.money import booking_queries, bookings, ledger
from salestrack.money.models import Booking, BookingStatus, EntryStatus
from salestrack.money.schemas import BookingCancel, BookingUpdate, RefundPayout
from salestrack.web.kit.choices import page_id
from salestrack.web.kit.deps import FormDep, WebUser, user_with
from salestrack.web.kit.forms import (
    FORM,
    Blank,
    FormResult,
    attempt,
    submit_form,
    validate_form,
)
from salestrack.web.kit.render import redirect, render
from salestrack.web.money.choices import customers_by_id

router = APIRouter(prefix="/bookings", include_in_schema=False)
Reader = Annotated[WebUser, user_with(Permission.money_read)]
Writer = Annotated[WebUser, user_with(Permission.money_write)]
CANCEL_BLANKS: dict[str, Any] = {
    "reason": Blank.REQUIRED,
    "refund_amount": Blank.OMIT,
    "cancellation_date": Blank.OMIT,
}
REFUND_BLANKS: dict[str, Any] = {
    "amount": Blank.OMIT,
    "transaction_date": Blank.OMIT,
    "description": Blank.OMIT,
}
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class BookingSection:
    """A block of the booking page: ``template`` is included with ``section`` in scope."""

    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


# (session, user, booking, refused forms by name) -> the block, or None for this user
BookingSectionProvider = Callable[
    [Session, WebUser, Booking, dict[str, FormResult[Any]]], BookingSection | None
]


def install_booking_sections(app: FastAPI, providers: Sequence[BookingSectionProvider]) -> None:
    """The providers called, in order, for each booking page (``install_web`` calls this)."""
    app.state.booking_sections = tuple(providers)


def _sections(
    request: Request,
    session: Session,
    user: WebUser,
    booking: Booking,
    forms: dict[str, FormResult[Any]],
) -> list[BookingSection]:
    providers: tuple[BookingSectionProvider, ...] = getattr(
        request.app.state, "booking_sections", ()
    )
    return [
        section
        for provider in providers
        if (section := provider(session, user, booking, forms)) is not None
    ]


def next_states(status: BookingStatus) -> list[BookingStatus]:
    """The states a button may move the booking to (cancelling has its own form)."""
    allowed = bookings.TRANSITIONS[status] - {BookingStatus.cancelled}
    return [s for s in BookingStatus if s in allowed]


def _money(session: Session, booking: Booking) -> dict[str, Decimal]:
    found = ledger.booking_money(session, tenant_id=booking.tenant_id, booking_id=booking.id)
    promised = booking.cancellation_refund_amount or ZERO
    return {**found, "refund_due": max(promised - found["refunded"], ZERO)}


def booking_page(
    request: Request,
    session: Session,
    user: WebUser,
    booking: Booking,
    *,
    forms: dict[str, FormResult[Any]] | None = None,
    status: int = 200,
) -> Response:
    """The booking page; a section's refused form comes back in ``forms`` (by name) so its
    template can show the errors beside the fields with what was typed."""
    tenant_id = user.actor.tenant_id
    customer = customers_by_id(session, tenant_id=tenant_id, ids={booking.customer_id})
    lead = None
    if booking.lead_id is not None:
        found = leads.leads_by_id(session, tenant_id=tenant_id, ids={booking.lead_id})
        lead = found.get(booking.lead_id)
    money = _money(session, booking)
    invoice = None
    if booking.invoice_entry_id is not None:
        invoice = ledger.get_entry(session, actor=user.actor, entry_id=booking.invoice_entry_id)
    current = BookingStatus(booking.status)
    today = user.fmt.today().isoformat()
    empty: dict[str, FormResult[Any]] = {
        "status": FormResult({}),
        "cancel": FormResult({"refund_amount": "0", "cancellation_date": today}),
        "refund": FormResult(
            {"amount": user.fmt.number(money["refund_due"]), "transaction_date": today}
        ),
    }
    empty.update(forms or {})
    context = {
        "booking": booking_queries.view(session, tenant_id=tenant_id, row=booking),
        "customer": customer.get(booking.customer_id),
        "lead": lead,
        "money": money,
        # Reversed, e.g. when a payment plan's demands invoice the booking instead.
        "invoice_reversed": invoice is not None and invoice.status != EntryStatus.active,
        "next_states": next_states(current),
        "can_cancel": BookingStatus.cancelled in bookings.TRANSITIONS[current],
        "forms": empty,
        "done": request.query_params.get("done"),
        "sections": _sections(request, session, user, booking, forms or {}),
    }
    return render(request, "bookings/detail.html", context, status=status)


@router.get("/{booking_id}")
def booking_detail(
    request: Request, session: SessionDep, user: Reader, booking_id: str
) -> Response:
    booking = bookings.get_booking(session, actor=user.actor, booking_id=page_id(booking_id))
    return booking_page(request, session, user, booking)


@router.post("/{booking_id}/status")
def change_status(
    request: Request, session: SessionDep, user: Writer, booking_id: str, form: FormDep
) -> Response:
    """Move along the state machine; a move it does not allow is refused on the page (409)."""
    booking = bookings.get_booking(session, actor=user.actor, booking_id=page_id(booking_id))
    result = validate_form(BookingUpdate, form, blanks={"status": Blank.REQUIRED}, fmt=user.fmt)
    saved = None
    if result.model is not None:
        data = result.model
        if data.status is BookingStatus.cancelled:
            result.errors[FORM] = "Cancel a booking with the cancellation form (reason, refund)."
        else:
            saved = attempt(
                session,
                lambda: bookings.update_booking(
                    session, actor=user.actor, booking_id=booking.id, data=data
                ),
                result,
                {},
            )
    if saved is None:
        session.refresh(booking)
        status = 422 if "status" in result.errors else 409
        return booking_page(
            request, session, user, booking, forms={"status": result}, status=status
        )
    return redirect(request, f"/bookings/{booking.id}?done={saved.status}")


@router.post("/{booking_id}/cancel")
def cancel(
    request: Request, session: SessionDep, user: Writer, booking_id: str, form: FormDep
) -> Response:
    """Cancel with a reason and a refund (≤ paid); the service posts the credit or debit note."""
    booking = bookings.get_booking(session, actor=user.actor, booking_id=page_id(booking_id))
    result, done = submit_form(
        session,
        BookingCancel,
        form,
        lambda data: bookings.cancel_booking(
            session, actor=user.actor, booking_id=booking.id, data=data
        ),
        blanks=CANCEL_BLANKS,
        fmt=user.fmt,
        amounts=frozenset({"refund_amount"}),
    )
    if done is None:
        session.refresh(booking)
        return booking_page(request, session, user, booking, forms={"cancel": result}, status=422)
    return redirect(request, f"/bookings/{booking.id}?done=cancelled")


@router.post("/{booking_id}/refund")
def pay_refund(
    request: Request, session: SessionDep, user: Writer, booking_id: str, form: FormDep
) -> Response:
    """Pay out (part of) the refund due: a debit adjustment on the customer's ledger."""
    booking = bookings.get_booking(session, actor=user.actor, booking_id=page_id(booking_id))
    result, entry = submit_form(
        session,
        RefundPayout,
        form,
        lambda data: bookings.pay_refund(
            session, actor=user.actor, booking_id=booking.id, data=data
        ),
        blanks=REFUND_BLANKS,
        fmt=user.fmt,
        amounts=frozenset({"amount"}),
    )
    if entry is None:
        return booking_page(request, session, user, booking, forms={"refund": result}, status=422)
    return redirect(request, f"/bookings/{booking.id}?done=refunded")
