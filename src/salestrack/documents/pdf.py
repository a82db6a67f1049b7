"""The PDF kit every document is drawn with (fpdf2, pure Python): one A4 layout.

A document is data (``Document``): its title, number and date, facts beside them (valid
until, booking ...), the parties, a table of lines, totals, the amount in words, notes and
terms. ``render_pdf`` draws it on the tenant's ``Letterhead`` (logo, name, address, GSTIN,
PAN, state; bank details for payment at the end) and returns the bytes. Amounts in
``Total`` are ``Decimal`` and printed in Indian figures with the rupee sign; table cells are
text the caller formats (``amounts.figures`` for rupee columns). Long tables run onto more
pages with their headings repeated; every page has "Page n of m".

Set in Noto Sans (``fonts``), so ₹ prints as itself and the text read back from the PDF
(pypdf, pdftotext) is the text given here.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Literal

from fpdf import FPDF, FontFace, XPos, YPos

from salestrack.documents import amounts, fonts

Align = Literal["LEFT", "RIGHT", "CENTER"]
MARGIN = 15.0  # mm
INK = (33, 37, 41)
MUTED = (108, 117, 125)
RULE = (206, 212, 218)
HEAD_FILL = (233, 236, 239)


@dataclass(frozen=True)
class BankDetails:
    bank: str
    account_name: str
    account_number: str
    ifsc: str = ""
    branch: str = ""


@dataclass(frozen=True)
class Letterhead:
    """The seller as every document names it (``documents.settings.letterhead`` builds it)."""

    name: str
    address: str = ""
    contact: str = ""
    gstin: str | None = None
    pan: str | None = None
    state: str = ""
    state_code: str | None = None
    logo: bytes | None = None
    bank: BankDetails | None = None


@dataclass(frozen=True)
class Party:
    """A block such as "Bill to" / "Property": a heading, a name and lines under it."""

    heading: str
    name: str
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Column:
    heading: str
    width: float  # relative: the widths of a table's columns share the page width
    align: Align = "LEFT"


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: Sequence[Sequence[str]]


@dataclass(frozen=True)
class Total:
    label: str
    amount: Decimal
    strong: bool = False


@dataclass(frozen=True)
class Document:
    title: str  # "Quotation", "Receipt", "Demand letter" ...
    number: str | None  # None: not issued yet (printed as DRAFT)
    date: date
    facts: tuple[tuple[str, str], ...] = ()  # printed under number and date
    parties: tuple[Party, ...] = ()
    table: Table | None = None
    totals: tuple[Total, ...] = ()
    amount_in_words: str = ""
    notes: tuple[tuple[str, str], ...] = ()  # (heading, text): terms, remarks
    show_bank: bool = True
    footer_note: str = "This is a computer-generated document."
    subject: str = field(default="")  # the PDF's subject metadata


def day(value: date) -> str:
    """A document date as Indian paperwork writes it: ``05-Nov-2026``."""
    return value.strftime("%d-%b-%Y")


class _Page(FPDF):
    """A4 portrait with the page number and footer note at the bottom of every page."""

    footer_note = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(fonts.FAMILY, "", 7)
        self.set_text_color(*MUTED)
        self.cell(0, 4, fonts.printable(self.footer_note), align="L")
        self.set_x(MARGIN)
        self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="R")


def _new_pdf(document: Document, letterhead: Letterhead) -> _Page:
    pdf = _Page(orientation="P", unit="mm", format="A4")
    for style, path in fonts.font_files().items():
        pdf.add_font(fonts.FAMILY, style, str(path))
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=18)
    pdf.footer_note = document.footer_note
    pdf.set_title(fonts.printable(f"{document.title} {document.number or 'draft'}"))
    pdf.set_author(fonts.printable(letterhead.name))
    pdf.set_subject(fonts.printable(document.subject or document.title))
    pdf.set_creator("salestrack")
    # Dated by the document, not the clock: the same document renders to the same bytes.
    pdf.set_creation_date(datetime.combine(document.date, time.min, tzinfo=UTC))
    pdf.add_page()
    pdf.set_text_color(*INK)
    return pdf


def _text(
    pdf: FPDF,
    text: str,
    *,
    size: float = 9,
    bold: bool = False,
    h: float = 4.5,
    align: Align = "LEFT",
    width: float = 0,
    color: tuple[int, int, int] = INK,
) -> None:
    pdf.set_font(fonts.FAMILY, "B" if bold else "", size)
    pdf.set_text_color(*color)
    pdf.multi_cell(
        width,
        h,
        fonts.printable(text),
        align=align,
        new_x=XPos.LMARGIN if not width else XPos.RIGHT,
        new_y=YPos.NEXT,
    )


def _letterhead(pdf: FPDF, head: Letterhead) -> None:
    top = pdf.get_y()
    text_x = MARGIN
    if head.logo:
        info = pdf.image(io.BytesIO(head.logo), x=MARGIN, y=top, w=40, h=20, keep_aspect_ratio=True)
        text_x = MARGIN + min(float(info.rendered_width), 40.0) + 5
    pdf.set_xy(text_x, top)
    width = pdf.w - MARGIN - text_x
    _text(pdf, head.name, size=15, bold=True, h=7, width=width)
    lines = [*head.address.splitlines(), head.contact]
    ids = [f"GSTIN: {head.gstin}" if head.gstin else "", f"PAN: {head.pan}" if head.pan else ""]
    if head.state:
        ids.append(f"State: {head.state} ({head.state_code})")
    lines.append("   ".join(i for i in ids if i))
    for line in (line for line in lines if line.strip()):
        pdf.set_x(text_x)
        _text(pdf, line, size=8.5, h=4.2, width=width, color=MUTED)
    pdf.set_y(max(pdf.get_y(), top + (22 if head.logo else 0)) + 2)
    _rule(pdf)


def _rule(pdf: FPDF) -> None:
    pdf.set_draw_color(*RULE)
    pdf.line(MARGIN, pdf.get_y(), pdf.w - MARGIN, pdf.get_y())
    pdf.ln(3)


def _title(pdf: FPDF, document: Document) -> None:
    top = pdf.get_y()
    half = (pdf.w - 2 * MARGIN) / 2
    _text(pdf, document.title.upper(), size=14, bold=True, h=7, width=half)
    if document.number is None:
        pdf.set_x(MARGIN)
        _text(pdf, "DRAFT: not issued", size=9, bold=True, width=half, color=MUTED)
    left_end = pdf.get_y()
    facts = [("No.", document.number or "—"), ("Date", day(document.date)), *document.facts]
    pdf.set_y(top)
    for label, value in facts:
        pdf.set_x(MARGIN + half)
        _text(pdf, f"{label}: {value}", size=9, align="RIGHT", width=half, h=5)
    pdf.set_y(max(left_end, pdf.get_y()) + 2)


def _parties(pdf: FPDF, parties: tuple[Party, ...]) -> None:
    if not parties:
        return
    top = pdf.get_y()
    width = (pdf.w - 2 * MARGIN) / len(parties)
    bottom = top
    for index, party in enumerate(parties):
        x = MARGIN + index * width
        pdf.set_xy(x, top)
        _text(pdf, party.heading.upper(), size=7.5, bold=True, width=width - 4, color=MUTED)
        pdf.set_x(x)
        _text(pdf, party.name, size=10, bold=True, width=width - 4, h=5)
        for line in party.lines:
            pdf.set_x(x)
            _text(pdf, line, size=8.5, width=width - 4, h=4.2)
        bottom = max(bottom, pdf.get_y())
    pdf.set_y(bottom + 3)


def _table(pdf: FPDF, table: Table) -> None:
    pdf.set_font(fonts.FAMILY, "", 8.5)
    pdf.set_draw_color(*RULE)
    headings = FontFace(emphasis="BOLD", fill_color=HEAD_FILL)
    with pdf.table(
        col_widths=tuple(c.width for c in table.columns),
        text_align=tuple(c.align for c in table.columns),
        headings_style=headings,
        line_height=5,
        padding=(1, 1.5),
        width=pdf.w - 2 * MARGIN,
        repeat_headings=1,
    ) as grid:
        heading_row = grid.row()
        for column in table.columns:
            heading_row.cell(fonts.printable(column.heading))
        for values in table.rows:
            row = grid.row()
            for value in values:
                row.cell(fonts.printable(value))
    pdf.ln(2)


def _totals(pdf: FPDF, totals: tuple[Total, ...]) -> None:
    label_w, amount_w = 60.0, 40.0
    for total in totals:
        if pdf.will_page_break(6):
            pdf.add_page()
        pdf.set_x(pdf.w - MARGIN - label_w - amount_w)
        pdf.set_font(fonts.FAMILY, "B" if total.strong else "", 10 if total.strong else 9)
        pdf.cell(label_w, 5.5, fonts.printable(total.label), align="R")
        pdf.cell(
            amount_w,
            5.5,
            amounts.rupees(total.amount),
            align="R",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    pdf.ln(1)


def _notes(pdf: FPDF, document: Document) -> None:
    if document.amount_in_words:
        _text(pdf, "Amount in words", size=7.5, bold=True, color=MUTED)
        _text(pdf, document.amount_in_words, size=9.5, bold=True, h=5)
        pdf.ln(2)
    for heading, text in document.notes:
        if not text.strip():
            continue
        _text(pdf, heading.upper(), size=7.5, bold=True, color=MUTED)
        _text(pdf, text, size=8.5, h=4.2)
        pdf.ln(2)


def _bank(pdf: FPDF, bank: BankDetails) -> None:
    if pdf.will_page_break(26):
        pdf.add_page()
    _rule(pdf)
    _text(pdf, "PAYMENT DETAILS", size=7.5, bold=True, color=MUTED)
    lines = [
        f"Account name: {bank.account_name}",
        f"Bank: {bank.bank}" + (f", {bank.branch}" if bank.branch else ""),
        f"Account number: {bank.account_number}" + (f"   IFSC: {bank.ifsc}" if bank.ifsc else ""),
    ]
    for line in lines:
        _text(pdf, line, size=8.5, h=4.2)


def render_pdf(document: Document, letterhead: Letterhead) -> bytes:
    """The document on the letterhead, as PDF bytes."""
    pdf = _new_pdf(document, letterhead)
    _letterhead(pdf, letterhead)
    _title(pdf, document)
    _parties(pdf, document.parties)
    if document.table is not None:
        _table(pdf, document.table)
    _totals(pdf, document.totals)
    _notes(pdf, document)
    if document.show_bank and letterhead.bank is not None:
        _bank(pdf, letterhead.bank)
    return bytes(pdf.output())
