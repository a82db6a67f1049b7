"""Issuing numbered documents, and the receipt or credit note every such posting gets.

``on_posted`` answers the ledger's ``POSTED`` hook: whichever entry point posts a payment
(the API, a web form, an import, the CLI) or a credit note (a booking's cancellation, the
API), its receipt (RCT) or credit note (CN) is issued in the same transaction, numbered as it
commits (lock order: customer -> counters). On the API's PostgreSQL connections the number
is taken by statements sent with the COMMIT itself (``core.closing``), so the series'
counter is held only while the database runs them and a tenant's payments do not queue
behind each other; elsewhere it is taken just before the commit. Demands
(INV) and interest debit notes (DN) are issued by ``billing.demands``, which posts them.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import Select, event, inspect, select
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from salestrack.auth.context import Actor
from salestrack.billing.models import BillingDocument, DocumentKind, DocumentMail
from salestrack.core import closing, crud, jobs
from salestrack.documents import numbers
from salestrack.leads.models import Customer
from salestrack.money import ledger
from salestrack.money.models import Booking, LedgerEntry, TransactionType

ENTITY = "billing_document"
SERIES = {
    DocumentKind.demand: numbers.Series.demand,
    DocumentKind.debit_note: numbers.Series.debit_note,
    DocumentKind.receipt: numbers.Series.receipt,
    DocumentKind.credit_note: numbers.Series.credit_note,
}
ISSUED_FOR = {
    TransactionType.payment: DocumentKind.receipt,
    TransactionType.credit_note: DocumentKind.credit_note,
}


def issue(
    session: Session,
    *,
    actor: Actor,
    kind: DocumentKind,
    entry: LedgerEntry,
    amount: Decimal,
    booking_id: uuid.UUID | None = None,
    description: str = "",
    at_commit: bool = False,
    **fields: object,
) -> BillingDocument:
    """Number and store a document for ``entry`` (dated as the entry), and queue its mail.
    The number is the last thing taken before the insert, so its lock is held briefly;
    ``at_commit`` (for documents issued as the transaction commits) takes it in the
    commit's own round trip where the connection can (``_number_at_commit``)."""
    series, row_id = SERIES[kind], uuid.uuid4()
    late = at_commit and closing.sends_with_commit(session)
    if late:
        number = PROVISIONAL.format(row_id.hex)
    else:
        number = numbers.next_document_number(
            session, tenant_id=actor.tenant_id, series=series, on=entry.transaction_date
        )
    row = BillingDocument(
        id=row_id,
        kind=kind,
        number=number,
        document_date=entry.transaction_date,
        customer_id=entry.customer_id,
        booking_id=booking_id,
        ledger_entry_id=entry.id,
        amount=amount,
        description=description,
        **fields,
    )
    crud.add(session, actor=actor, row=row, entity=ENTITY)
    _queue_mail(session, actor, row)
    if late:
        _number_at_commit(session, row, series, provisional=number)
    return row


# A document numbered at commit carries this until then; no other transaction ever sees it.
PROVISIONAL = "~{}"
# Its number, taken with the COMMIT (``core.closing``): the series' counter (made if it is
# the year's first), the document's number, and the number in the audit entry of its
# creation, which recorded the provisional one.
NUMBER_AT_COMMIT = (
    "INSERT INTO counters (tenant_id, name, value) VALUES (%(tenant_id)s, %(counter)s, 0) "
    "ON CONFLICT DO NOTHING",
    "WITH n AS (UPDATE counters SET value = value + 1"
    " WHERE tenant_id = %(tenant_id)s AND name = %(counter)s RETURNING value),"
    " d AS (UPDATE billing_documents SET number = %(prefix)s"
    " || lpad(n.value::text, greatest(%(digits)s, length(n.value::text)), '0')"
    " FROM n WHERE billing_documents.tenant_id = %(tenant_id)s"
    " AND billing_documents.id = %(document_id)s RETURNING billing_documents.number),"
    " a AS (UPDATE audit_log SET changes = replace(audit_log.changes::text, %(provisional)s,"
    " d.number)::json FROM d WHERE audit_log.tenant_id = %(tenant_id)s"
    " AND audit_log.entity = %(entity)s AND audit_log.entity_id = %(document_id)s)"
    " SELECT number FROM d",
)


def _number_at_commit(
    session: Session, row: BillingDocument, series: numbers.Series, *, provisional: str
) -> None:
    """Give ``row`` its gap-free number in the statements sent with the COMMIT: the
    series' counter is then locked only while the database runs them, so the tenant's
    payments do not queue behind each other's commits (docs/request-path.md)."""

    def numbered(found: tuple[object, ...] | None) -> None:
        if found is None:  # cannot happen: the row was inserted by this transaction
            raise RuntimeError(f"document {row.id} was not numbered at commit")
        set_committed_value(row, "number", found[0])

    params = {
        "tenant_id": row.tenant_id,
        "counter": numbers.counter_name(series, row.document_date),
        "prefix": numbers.number_prefix(series, row.document_date),
        "digits": numbers.DIGITS,
        "document_id": row.id,
        "provisional": provisional,
        "entity": ENTITY,
    }
    closing.send_with_commit(session, closing.Closing(NUMBER_AT_COMMIT, params, numbered))


def _queue_mail(session: Session, actor: Actor, row: BillingDocument) -> None:
    """A mail job for the worker when the customer has an address (sent, or recorded as
    not sent without an SMTP server, by ``billing.mail``; never inside the request)."""
    customer = session.get(Customer, (actor.tenant_id, row.customer_id))
    if customer is None or not customer.email:
        return
    mail = {"tenant_id": actor.tenant_id, "document_id": row.id, "recipient": customer.email}
    if not closing.insert_at_commit(session, DocumentMail, mail):  # the worker reads it later
        session.add(DocumentMail(**mail))
        session.flush()
    jobs.enlist(session, actor.tenant_id)


def booking_of(session: Session, entry: LedgerEntry) -> uuid.UUID | None:
    """The booking an entry references, if it is one of the customer's."""
    if entry.reference_document_type != "booking" or entry.reference_document_id is None:
        return None
    try:
        booking_id = uuid.UUID(entry.reference_document_id)
    except ValueError:
        return None
    booking = session.get(Booking, (entry.tenant_id, booking_id))
    if booking is None or booking.customer_id != entry.customer_id:
        return None
    return booking_id


PENDING = "billing.documents_to_issue"


def on_posted(session: Session, *, actor: Actor, entry: LedgerEntry) -> None:
    """Note that a payment's receipt or a credit note's document is owed: it is issued at
    commit (``_issue_pending``). A receipt number is gap-free per tenant and year, so taking
    it locks the series' counter until the transaction ends; taken at the posting, it would
    make every payment of the tenant wait for the one before it to finish (their customers'
    ledgers are otherwise independent). Taken at commit, the hold is the commit itself."""
    kind = ISSUED_FOR.get(TransactionType(entry.transaction_type))
    if kind is not None:
        session.info.setdefault(PENDING, []).append((actor, kind, entry))


def _issue_pending(session: Session) -> None:
    """Issue what this transaction's postings owe, just before it commits (the documents'
    rows and mail jobs commit with the postings, or not at all)."""
    owed: list[tuple[Actor, DocumentKind, LedgerEntry]] = session.info.pop(PENDING, [])
    for actor, kind, entry in owed:
        if not inspect(entry).persistent:  # posted in a savepoint that rolled back
            continue
        words = "payment received" if kind is DocumentKind.receipt else "credit note"
        issue(
            session,
            actor=actor,
            kind=kind,
            entry=entry,
            amount=entry.credit_amount,
            booking_id=booking_of(session, entry),
            description=entry.description or words,
            at_commit=True,
        )


def _forget_pending(session: Session, previous: SessionTransaction) -> None:
    if previous.parent is None:  # the whole transaction rolled back: nothing is owed
        session.info.pop(PENDING, None)


def install(factory: sessionmaker[Session]) -> None:
    """Receipts and credit notes for every posting of ``factory``'s sessions. Installed
    before the report summaries, whose commit hook then sees the documents' rows."""
    ledger.POSTED.connect(factory, on_posted)
    event.listen(factory, "before_commit", _issue_pending)
    event.listen(factory, "after_soft_rollback", _forget_pending)


def get_document(session: Session, *, actor: Actor, document_id: uuid.UUID) -> BillingDocument:
    row: BillingDocument = crud.get_live(
        session, BillingDocument, tenant_id=actor.tenant_id, row_id=document_id, label="document"
    )
    return row


def documents_of(
    tenant_id: uuid.UUID,
    *,
    customer_id: uuid.UUID | None = None,
    booking_id: uuid.UUID | None = None,
    kind: DocumentKind | None = None,
) -> Select[tuple[BillingDocument]]:
    """The tenant's documents, filtered (paged newest first by the caller)."""
    stmt = crud.scoped(BillingDocument, tenant_id)
    return crud.where_equal(
        stmt,
        (
            (BillingDocument.customer_id, customer_id),
            (BillingDocument.booking_id, booking_id),
            (BillingDocument.kind, kind),
        ),
    )


def by_entry(
    session: Session, tenant_id: uuid.UUID, entry_ids: list[uuid.UUID]
) -> dict[uuid.UUID, BillingDocument]:
    """The documents of these ledger entries, by entry id."""
    if not entry_ids:
        return {}
    stmt = select(BillingDocument).where(
        BillingDocument.tenant_id == tenant_id, BillingDocument.ledger_entry_id.in_(entry_ids)
    )
    return {row.ledger_entry_id: row for row in session.scalars(stmt)}
