"""The customer account ledger: posting, reversing, reading and summarising.

Per-customer serialisation: every posting first locks the customer row (``FOR NO KEY
UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serialises writers), then
reads the last balance and appends. Two postings for one customer therefore queue, and the unique
``(tenant_id, customer_id, position)`` makes a forked running balance impossible anyway.

Ledger codes are numbered per customer account, under that same lock:
``LED-<customer code>-<position>`` (``LED-CUST-0042-0003`` is the third entry of account
CUST-0042). Each account's codes are sequential and gap-free (a rolled-back posting gives
its position back), and no posting waits for another customer's: a tenant-wide counter
would be one row that every payment of the tenant holds locked until it commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from salestrack.auth import clock
from salestrack.auth.context import Actor
from salestrack.core import crud, hooks, reads
from salestrack.core.errors import Conflict, NotFound, Unprocessable
from salestrack.core.pagination import decode_cursor, encode_cursor
from salestrack.core.schema_base import MAX_MONEY
from salestrack.leads.models import Customer
from salestrack.money import booking_money as booked
from salestrack.money.models import Booking, EntryStatus, LedgerEntry, TransactionType
from salestrack.money.schemas import LedgerEntryCreate, ReversalCreate, side_error

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
ENTITY = "ledger_entry"
# A customer's entries are paged by their position.
POSITION_ORDER: tuple[type[int]] = (int,)

POSTED: hooks.HookPoint[Callable[..., None]] = hooks.HookPoint("ledger_entry_posted")
"""Whatever must follow a posting in the same transaction, whichever entry point posted it
(the API, a web form, an import, a booking's cancellation): ``(session, *, actor, entry)``.
The billing package issues a payment's receipt and a credit note's document here."""


@dataclass(frozen=True)
class Posting:
    """What a caller (the API or another money service) asks the ledger to post."""

    customer_id: uuid.UUID
    transaction_type: TransactionType
    transaction_date: date
    debit_amount: Decimal = ZERO
    credit_amount: Decimal = ZERO
    reference_document_type: str | None = None
    reference_document_id: str | None = None
    description: str = ""
    expected_balance: Decimal | None = None
    reversal_of_id: uuid.UUID | None = None


def lock_customer(session: Session, *, actor: Actor, customer_id: uuid.UUID) -> Customer:
    """The customer row, locked until commit: the ledger's per-customer mutex (404 if absent)."""
    customer: Customer = crud.get_live(
        session,
        Customer,
        tenant_id=actor.tenant_id,
        row_id=customer_id,
        label="customer",
        for_update=True,
        keys_stay=True,  # a posting changes nothing of the customer's row
    )
    return customer


def current_balance(session: Session, *, tenant_id: uuid.UUID, customer_id: uuid.UUID) -> Decimal:
    """The running balance after the customer's last entry (0.00 before the first)."""
    last = _last_entry(session, tenant_id=tenant_id, customer_id=customer_id)
    return last.balance_after if last else ZERO


def _last_entry(
    session: Session, *, tenant_id: uuid.UUID, customer_id: uuid.UUID
) -> LedgerEntry | None:
    stmt = (
        select(LedgerEntry)
        .where(LedgerEntry.tenant_id == tenant_id, LedgerEntry.customer_id == customer_id)
        .order_by(LedgerEntry.position.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def post(
    session: Session,
    *,
    actor: Actor,
    posting: Posting,
    locked: bool = False,
    customer: Customer | None = None,
) -> LedgerEntry:
    """Append one entry; the server computes ``balance_after`` (409 if the client expected
    another). ``locked`` says the caller already holds the customer lock; ``customer``, that
    it holds it and read the row with it."""
    debit, credit = posting.debit_amount.quantize(CENT), posting.credit_amount.quantize(CENT)
    if debit != posting.debit_amount or credit != posting.credit_amount:
        raise Unprocessable("amounts have at most two decimals")
    error = side_error(posting.transaction_type, debit, credit)
    if error:
        raise Unprocessable(error)
    if customer is None:
        customer = _customer_of(session, actor, posting.customer_id, locked=locked)
    last = _last_entry(session, tenant_id=actor.tenant_id, customer_id=posting.customer_id)
    before = last.balance_after if last else ZERO
    after = before + debit - credit
    if posting.expected_balance is not None and posting.expected_balance != after:
        raise Conflict(
            f"balance_after would be {after}, not {posting.expected_balance}: the account "
            f"changed since you read it (current balance {before})",
            current_balance=str(before),
            balance_after=str(after),
        )
    if abs(after) > MAX_MONEY:  # depends on the account's balance, not the request: 409
        raise Conflict("the running balance would exceed the largest amount stored")
    position = (last.position + 1) if last else 1
    entry = LedgerEntry(
        ledger_code=ledger_code(customer.customer_code, position),
        customer_id=posting.customer_id,
        position=position,
        transaction_date=posting.transaction_date,
        transaction_type=posting.transaction_type,
        debit_amount=debit,
        credit_amount=credit,
        balance_after=after,
        reference_document_type=posting.reference_document_type,
        reference_document_id=posting.reference_document_id,
        description=posting.description,
        status=EntryStatus.active,
        reversal_of_id=posting.reversal_of_id,
    )
    crud.insert(session, actor=actor, row=entry)
    crud.log_created(session, actor=actor, row=entry, entity=ENTITY)
    for handler in POSTED.handlers(session):
        handler(session, actor=actor, entry=entry)
    return entry


def _customer_of(
    session: Session, actor: Actor, customer_id: uuid.UUID, *, locked: bool
) -> Customer:
    """The posting's customer: read (the caller holds its lock) or locked now."""
    if not locked:
        return lock_customer(session, actor=actor, customer_id=customer_id)
    customer: Customer = crud.get_live(
        session, Customer, tenant_id=actor.tenant_id, row_id=customer_id, label="customer"
    )
    return customer


def ledger_code(customer_code: str, position: int) -> str:
    """An entry's code: its account (the customer's code) and its place in that account."""
    return f"LED-{customer_code}-{position:04d}"


def post_entry(session: Session, *, actor: Actor, data: LedgerEntryCreate) -> LedgerEntry:
    """Post an entry from the API: the customer must exist (422) and a booking reference
    must name one of that customer's bookings."""
    try:  # the customer's lock is also the check that it exists (one read, not two)
        customer = lock_customer(session, actor=actor, customer_id=data.customer_id)
    except NotFound:
        raise crud.missing_reference("customer_id", Customer, data.customer_id) from None
    if data.reference_document_type == "booking":
        _check_booking_reference(session, actor, data.customer_id, data.reference_document_id)
    posting = Posting(
        customer_id=data.customer_id,
        transaction_type=data.transaction_type,
        transaction_date=clock.given_or_today(session, actor.tenant_id, data.transaction_date),
        debit_amount=data.debit_amount or ZERO,
        credit_amount=data.credit_amount or ZERO,
        reference_document_type=data.reference_document_type,
        reference_document_id=data.reference_document_id,
        description=data.description,
        expected_balance=data.balance_after,
    )
    return post(session, actor=actor, posting=posting, customer=customer)


def _check_booking_reference(
    session: Session, actor: Actor, customer_id: uuid.UUID, reference: str | None
) -> None:
    try:
        booking_id = uuid.UUID(str(reference))
    except ValueError:
        raise Unprocessable(
            "reference_document_id: a booking reference must be its id",
            field="reference_document_id",
        ) from None
    stmt = crud.scoped(Booking, actor.tenant_id).where(
        Booking.id == booking_id, Booking.customer_id == customer_id
    )
    if session.scalars(stmt).first() is None:
        raise Unprocessable(
            f"reference_document_id: no booking {booking_id} of this customer",
            field="reference_document_id",
        )


def get_entry(
    session: Session, *, actor: Actor, entry_id: uuid.UUID, for_update: bool = False
) -> LedgerEntry:
    entry: LedgerEntry = crud.get_live(
        session,
        LedgerEntry,
        tenant_id=actor.tenant_id,
        row_id=entry_id,
        label="ledger entry",
        for_update=for_update,
    )
    return entry


def reverse_entry(
    session: Session, *, actor: Actor, entry_id: uuid.UUID, data: ReversalCreate
) -> LedgerEntry:
    """Post the opposite of an entry (an adjustment) and mark the original ``reversed``."""
    original = get_entry(session, actor=actor, entry_id=entry_id)
    lock_customer(session, actor=actor, customer_id=original.customer_id)
    session.refresh(original)  # re-read under the lock: a concurrent reversal may have won
    if original.status != EntryStatus.active:
        raise Conflict(f"ledger entry {original.ledger_code} is {original.status}, not active")
    if original.reversal_of_id is not None:
        raise Conflict("a reversal cannot itself be reversed: post a new entry instead")
    reversal = post(
        session,
        actor=actor,
        locked=True,
        posting=Posting(
            customer_id=original.customer_id,
            transaction_type=TransactionType.adjustment,
            transaction_date=clock.given_or_today(session, actor.tenant_id, data.transaction_date),
            debit_amount=original.credit_amount,
            credit_amount=original.debit_amount,
            reference_document_type="ledger_entry",
            reference_document_id=str(original.id),
            description=data.description or f"reversal of {original.ledger_code}",
            reversal_of_id=original.id,
        ),
    )
    crud.change(
        session,
        actor=actor,
        row=original,
        values={"status": EntryStatus.reversed},
        entity=ENTITY,
    )
    return reversal


def entries_page(
    session: Session, *, actor: Actor, customer_id: uuid.UUID, limit: int, cursor: str | None
) -> tuple[list[Any], str | None]:
    """The customer's entries oldest first (by position), read only (attribute access);
    the cursor is the last position."""
    crud.read_live(
        session, Customer, tenant_id=actor.tenant_id, row_id=customer_id, label="customer"
    )
    after = 0 if cursor is None else decode_cursor(cursor, POSITION_ORDER)[0]
    values = {"tenant_id": actor.tenant_id, "customer_id": customer_id, "after": after}
    rows = reads.as_objects(_ENTRIES_AFTER.rows(session, {**values, "page_size": limit + 1}))
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], encode_cursor((rows[limit - 1].position,))


# A customer's ledger page, read on every view of the account: a prepared read.
_ENTRIES_AFTER = reads.Prepared(
    select(*reads.entity_columns(LedgerEntry))
    .where(
        LedgerEntry.tenant_id == bindparam("tenant_id"),
        LedgerEntry.customer_id == bindparam("customer_id"),
        LedgerEntry.position > bindparam("after"),
    )
    .order_by(LedgerEntry.position)
    .limit(bindparam("page_size"))
)


def booking_money(
    session: Session, *, tenant_id: uuid.UUID, booking_id: uuid.UUID
) -> dict[str, Decimal]:
    """Active payments and refund payouts (debit adjustments) that reference a booking
    (the rule: ``booking_money.cash_by_booking``)."""
    cash = booked.booking_cash(session, tenant_id, booking_id)
    return {"paid": cash.paid, "refunded": cash.refunded}
