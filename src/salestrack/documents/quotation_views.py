"""Quotations as the API and the pages show them, and as the PDF prints them."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salestrack.documents import amounts, gst, pdf, quotations, settings, words
from salestrack.documents.models import Quotation, QuotationLine
from salestrack.leads.models import Customer, Lead
from salestrack.money.models import Inventory


def views(
    session: Session, *, tenant_id: uuid.UUID, rows: list[Quotation], today: date
) -> list[dict[str, Any]]:
    """Each quotation with its lines, unit, newest-version flag and status as of ``today``,
    in a fixed number of queries."""
    if not rows:
        return []
    ids = [r.id for r in rows]
    lines: dict[uuid.UUID, list[QuotationLine]] = {i: [] for i in ids}
    stmt = (
        select(QuotationLine)
        .where(QuotationLine.tenant_id == tenant_id, QuotationLine.quotation_id.in_(ids))
        .order_by(QuotationLine.position)
    )
    for line in session.scalars(stmt):
        lines[line.quotation_id].append(line)
    units = {
        r.id: r
        for r in session.scalars(
            select(Inventory).where(
                Inventory.tenant_id == tenant_id,
                Inventory.id.in_({r.inventory_id for r in rows}),
            )
        )
    }
    newest: dict[uuid.UUID, int] = dict(
        session.execute(
            select(Quotation.series_id, func.max(Quotation.version))
            .where(
                Quotation.tenant_id == tenant_id,
                Quotation.series_id.in_({r.series_id for r in rows}),
                Quotation.deleted_at.is_(None),
            )
            .group_by(Quotation.series_id)
        )
        .tuples()
        .all()
    )
    return [_view(r, lines[r.id], units[r.inventory_id], newest[r.series_id], today) for r in rows]


def _view(
    row: Quotation, lines: list[QuotationLine], unit: Inventory, newest: int, today: date
) -> dict[str, Any]:
    values = {c.key: getattr(row, c.key) for c in row.__mapper__.column_attrs}
    return {
        **values,
        "status": quotations.status_on(row, today),
        "latest": row.version == newest,
        "project": unit.project,
        "unit_type": unit.unit_type,
        "lines": lines,
        "amount_in_words": words.in_words(row.grand_total),
    }


def view(session: Session, *, tenant_id: uuid.UUID, row: Quotation, today: date) -> dict[str, Any]:
    return views(session, tenant_id=tenant_id, rows=[row], today=today)[0]


# --- the PDF -------------------------------------------------------------------------


def _buyer(session: Session, row: Quotation) -> pdf.Party:
    customer = session.get(Customer, (row.tenant_id, row.customer_id)) if row.customer_id else None
    lead = session.get(Lead, (row.tenant_id, row.lead_id)) if row.lead_id else None
    person: Customer | Lead | None = customer or lead
    assert person is not None
    lines = [x for x in (person.email, person.phone) if x]
    if customer:
        lines.insert(0, f"Customer {customer.customer_code}")
    elif lead:
        lines.insert(0, f"Lead {lead.lead_code}")
    return pdf.Party("Quotation for", person.name, tuple(lines))


def _property(view: dict[str, Any]) -> pdf.Party:
    unit = f"{view['unit_type']} · {amounts.quantity(view['area_sqft'])} sq ft"
    lines = [unit]
    if view["unit_label"]:
        lines.insert(0, view["unit_label"])
    if view["delivery_date"] is not None:
        lines.append(f"Possession by {pdf.day(view['delivery_date'])}")
    return pdf.Party("Property", view["project"], tuple(lines))


def _table(view: dict[str, Any]) -> pdf.Table:
    interstate = view["interstate"]
    tax_columns = (
        (pdf.Column("IGST (₹)", 14, "RIGHT"),)
        if interstate
        else (pdf.Column("CGST (₹)", 13, "RIGHT"), pdf.Column("SGST (₹)", 13, "RIGHT"))
    )
    columns = (
        pdf.Column("#", 4),
        pdf.Column("Charge", 38),
        pdf.Column("Amount (₹)", 16, "RIGHT"),
        pdf.Column("Discount (₹)", 13, "RIGHT"),
        pdf.Column("GST", 7, "RIGHT"),
        *tax_columns,
        pdf.Column("Total (₹)", 17, "RIGHT"),
    )
    rows = []
    for line in view["lines"]:
        taxes = (
            (amounts.figures(line.igst),)
            if interstate
            else (amounts.figures(line.cgst), amounts.figures(line.sgst))
        )
        sac = f"\nSAC {line.sac_code}" if line.sac_code else ""
        rows.append(
            [
                str(line.position),
                line.description + sac,
                amounts.figures(line.amount),
                amounts.figures(line.discount),
                amounts.percent(line.gst_rate),
                *taxes,
                amounts.figures(line.total),
            ]
        )
    return pdf.Table(columns, rows)


def _totals(view: dict[str, Any]) -> tuple[pdf.Total, ...]:
    totals = [pdf.Total("Amount", view["subtotal"])]
    if view["discount_total"]:
        totals.append(pdf.Total("Discount", -view["discount_total"]))
    totals.append(pdf.Total("Taxable value", view["taxable_total"]))
    if view["interstate"]:
        totals.append(pdf.Total("IGST", view["igst_total"]))
    else:
        totals += [pdf.Total("CGST", view["cgst_total"]), pdf.Total("SGST", view["sgst_total"])]
    totals.append(pdf.Total("Total payable", view["grand_total"], strong=True))
    return tuple(totals)


def quotation_pdf(session: Session, *, tenant_id: uuid.UUID, row: Quotation, today: date) -> bytes:
    """The quotation on the tenant's letterhead (a draft prints DRAFT and no number)."""
    shown = view(session, tenant_id=tenant_id, row=row, today=today)
    facts = [("Version", str(row.version))]
    if row.valid_until is not None:
        facts.append(("Valid until", pdf.day(row.valid_until)))
    supply = gst.state_name(row.place_of_supply)
    if supply:
        facts.append(("Place of supply", f"{supply} ({row.place_of_supply})"))
    document = pdf.Document(
        title="Quotation",
        number=row.number,
        date=row.quotation_date or today,
        facts=tuple(facts),
        parties=(_buyer(session, row), _property(shown)),
        table=_table(shown),
        totals=_totals(shown),
        amount_in_words=shown["amount_in_words"],
        notes=(("Terms and conditions", row.terms), ("Notes", row.notes)),
        subject=f"Cost sheet for {shown['project']} {shown['unit_type']}",
    )
    return pdf.render_pdf(document, settings.letterhead(session, tenant_id))
