"""The PDFs of billing documents and of the statement of account, on the tenant's
letterhead (``documents.pdf``), amounts in Indian figures and words.

A document prints what was issued (its stored amount, number and date) plus, for a demand,
the plan it belongs to and the account balance its posting left; re-printing it later
gives the same figures.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from salestrack.billing import settings as billing_settings
from salestrack.billing.models import BillingDocument, DocumentKind, Instalment, PaymentPlan
from salestrack.documents import amounts, pdf, settings, words
from salestrack.leads.models import Customer
from salestrack.money.models import Booking, Inventory, LedgerEntry

TITLES = {
    DocumentKind.demand: "Demand letter",
    DocumentKind.debit_note: "Debit note",
    DocumentKind.receipt: "Receipt",
    DocumentKind.credit_note: "Credit note",
}
AMOUNT_COLUMNS = (
    pdf.Column("#", 5),
    pdf.Column("Particulars", 70),
    pdf.Column("Amount (₹)", 25, "RIGHT"),
)


def _customer_party(customer: Customer) -> pdf.Party:
    lines = [f"Customer {customer.customer_code}"]
    lines += [value for value in (customer.email, customer.phone) if value]
    return pdf.Party("Customer", customer.name, tuple(lines))


def _booking_party(session: Session, booking: Booking) -> pdf.Party:
    stock = session.get(Inventory, (booking.tenant_id, booking.inventory_id))
    project = stock.project if stock is not None else ""
    lines = [f"Booking {booking.booking_code} of {pdf.day(booking.booking_date)}"]
    lines.append(f"{booking.unit_type}, agreement value {amounts.rupees(booking.booking_amount)}")
    return pdf.Party("Property", project, tuple(lines))


def _parties(session: Session, row: BillingDocument) -> tuple[pdf.Party, ...]:
    customer = session.get(Customer, (row.tenant_id, row.customer_id))
    assert customer is not None
    parties = [_customer_party(customer)]
    if row.booking_id is not None:
        booking = session.get(Booking, (row.tenant_id, row.booking_id))
        if booking is not None:
            parties.append(_booking_party(session, booking))
    return tuple(parties)


def _demand_parts(session: Session, row: BillingDocument) -> dict[str, Any]:
    instalment = session.get(Instalment, (row.tenant_id, row.instalment_id))
    assert instalment is not None
    plan = session.get(PaymentPlan, (row.tenant_id, instalment.plan_id))
    assert plan is not None
    entry = session.get(LedgerEntry, (row.tenant_id, row.ledger_entry_id))
    share = (
        f" ({amounts.percent(instalment.percentage)} of {amounts.rupees(plan.agreement_value)})"
        if instalment.percentage is not None
        else ""
    )
    rows = [
        [
            "1",
            f"Instalment {instalment.position}: {instalment.label}{share}",
            amounts.figures(row.amount),
        ]
    ]
    totals = [pdf.Total("Amount of this demand", row.amount, strong=True)]
    if entry is not None:
        totals.append(pdf.Total("Account balance with this demand", entry.balance_after))
    rate = billing_settings.get_settings(session, row.tenant_id).interest_rate
    terms = (
        f"Please pay {amounts.rupees(row.amount)} by {pdf.day(row.pay_by or row.document_date)}."
    )
    if rate:
        terms += (
            f" Amounts paid after that day carry simple interest at {amounts.percent(rate)} "
            "a year, charged by debit note."
        )
    facts = [("Pay by", pdf.day(row.pay_by or row.document_date))]
    return {"rows": rows, "totals": totals, "facts": facts, "notes": (("Payment", terms),)}


def _plain_parts(session: Session, row: BillingDocument) -> dict[str, Any]:
    entry = session.get(LedgerEntry, (row.tenant_id, row.ledger_entry_id))
    code = entry.ledger_code if entry is not None else ""
    if row.kind == DocumentKind.receipt:
        text = f"Received with thanks: {row.description}"
        label = "Amount received"
    elif row.kind == DocumentKind.credit_note:
        text = f"Credited to the account: {row.description}"
        label = "Amount credited"
    else:
        text = row.description
        label = "Interest charged"
    facts = [("Ledger entry", code)]
    if row.kind == DocumentKind.debit_note and row.related_id is not None:
        demand = session.get(BillingDocument, (row.tenant_id, row.related_id))
        if demand is not None:
            facts.append(("On demand", demand.number))
        if row.period_from and row.period_to:
            facts.append(("Period", f"{pdf.day(row.period_from)} to {pdf.day(row.period_to)}"))
        if row.rate is not None:
            facts.append(("Rate", f"{amounts.percent(row.rate)} a year, simple, per day"))
    return {
        "rows": [["1", text, amounts.figures(row.amount)]],
        "totals": [pdf.Total(label, row.amount, strong=True)],
        "facts": facts,
        "notes": (),
    }


def document_pdf(session: Session, *, row: BillingDocument) -> bytes:
    """The document as issued, on its tenant's letterhead."""
    kind = DocumentKind(row.kind)
    parts = (
        _demand_parts(session, row) if kind is DocumentKind.demand else _plain_parts(session, row)
    )
    document = pdf.Document(
        title=TITLES[kind],
        number=row.number,
        date=row.document_date,
        facts=tuple(parts["facts"]),
        parties=_parties(session, row),
        table=pdf.Table(AMOUNT_COLUMNS, parts["rows"]),
        totals=tuple(parts["totals"]),
        amount_in_words=words.in_words(row.amount),
        notes=parts["notes"],
        show_bank=kind in (DocumentKind.demand, DocumentKind.debit_note),
        subject=f"{TITLES[kind]} {row.number}",
    )
    return pdf.render_pdf(document, settings.letterhead(session, row.tenant_id))


def statement_pdf(
    session: Session, *, tenant_id: uuid.UUID, shown: dict[str, Any], today: date
) -> bytes:
    """The statement of account (``billing.statement``) as a PDF."""
    customer = session.get(Customer, (tenant_id, shown["customer_id"]))
    assert customer is not None
    columns = (
        pdf.Column("Date", 13),
        pdf.Column("Document", 20),
        pdf.Column("Particulars", 31),
        pdf.Column("Debit (₹)", 12, "RIGHT"),
        pdf.Column("Credit (₹)", 12, "RIGHT"),
        pdf.Column("Balance (₹)", 14, "RIGHT"),
    )
    rows = [
        [
            pdf.day(line["date"]),
            line["document_number"] or line["ledger_code"],
            line["description"] or line["kind"].replace("_", " "),
            amounts.figures(line["debit"]) if line["debit"] else "",
            amounts.figures(line["credit"]) if line["credit"] else "",
            amounts.figures(line["balance"]),
        ]
        for line in shown["lines"]
    ]
    period = "all entries"
    if shown["date_from"] or shown["date_to"]:
        start = pdf.day(shown["date_from"]) if shown["date_from"] else "the first entry"
        end = pdf.day(shown["date_to"]) if shown["date_to"] else "today"
        period = f"{start} to {end}"
    closing: Decimal = shown["closing_balance"]
    document = pdf.Document(
        title="Statement of account",
        number=customer.customer_code,
        date=today,
        facts=(("Period", period),),
        parties=(_customer_party(customer),),
        table=pdf.Table(columns, rows),
        totals=(
            pdf.Total("Opening balance", shown["opening_balance"]),
            pdf.Total("Debits", shown["total_debits"]),
            pdf.Total("Credits", shown["total_credits"]),
            pdf.Total(
                "Closing balance" + (" (in credit)" if closing < 0 else ""), closing, strong=True
            ),
        ),
        amount_in_words=words.in_words(abs(closing)),
        show_bank=closing > 0,
        subject=f"Statement of account {customer.customer_code}",
    )
    return pdf.render_pdf(document, settings.letterhead(session, tenant_id))
