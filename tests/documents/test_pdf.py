"""The PDF kit: what a document says is in the PDF's text, on the tenant's letterhead."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from pypdf import PdfReader
from sqlalchemy.orm import Session, sessionmaker

from salestrack.core.tenancy import tenant_transaction
from salestrack.documents import settings
from salestrack.documents.pdf import Column, Document, Party, Table, Total, render_pdf
from salestrack.documents.words import in_words
from tests.documents.support import GSTIN, SETTINGS, png, set_letterhead
from tests.support import TenantWorld


def _document(rows: int = 2) -> Document:
    return Document(
        title="Receipt",
        number="RCT/2026-27/000007",
        date=date(2026, 11, 5),
        facts=(("Booking", "BKG-2026-0001"),),
        parties=(Party("Received from", "Ravi Kumar", ("ravi@example.com",)),),
        table=Table(
            (Column("Particulars", 60), Column("Amount (₹)", 20, "RIGHT")),
            [[f"Instalment {i}", "20,50,000.00"] for i in range(1, rows + 1)],
        ),
        totals=(Total("Received", Decimal("2050000.00"), strong=True),),
        amount_in_words=in_words(Decimal("2050000.00")),
        notes=(("Remarks", "Cheque 004512 drawn on SBI"),),
    )


def _text(pdf: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def test_a_document_on_the_letterhead(
    world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    set_letterhead(world.admin)
    world.admin.ok("PUT", f"{SETTINGS}/logo", files={"logo": ("l.png", png(), "image/png")})
    with tenant_transaction(session_factory, world.tenant_id) as session:
        head = settings.letterhead(session, world.tenant_id)
    text, reader = _text(render_pdf(_document(), head))
    for expected in (
        "Sea View Developers Pvt Ltd",
        "Bengaluru 560001",
        f"GSTIN: {GSTIN}",
        "PAN: AAPFU0939F",
        "State: Karnataka (29)",
        "RECEIPT",
        "No.: RCT/2026-27/000007",
        "Date: 05-Nov-2026",
        "Booking: BKG-2026-0001",
        "Ravi Kumar",
        "Instalment 2 20,50,000.00",
        "Received ₹20,50,000.00",
        "Rupees Twenty Lakh Fifty Thousand Only",
        "Cheque 004512 drawn on SBI",
        "Account number: 50200012345678   IFSC: HDFC0000123",
        "Page 1 of 1",
    ):
        assert expected in text, expected
    assert len(reader.pages[0].images) == 1  # the logo
    assert reader.metadata is not None
    assert reader.metadata.title == "Receipt RCT/2026-27/000007"


def test_a_tenant_without_settings_prints_its_name_and_no_bank(
    world: TenantWorld, session_factory: sessionmaker[Session]
) -> None:
    with tenant_transaction(session_factory, world.tenant_id) as session:
        head = settings.letterhead(session, world.tenant_id)
    draft = Document(title="Quotation", number=None, date=date(2026, 11, 5))
    text, reader = _text(render_pdf(draft, head))
    assert f"Tenant {world.slug}" in text
    assert "DRAFT: not issued" in text
    assert "PAYMENT DETAILS" not in text
    assert not reader.pages[0].images


def test_a_long_table_runs_onto_more_pages_with_its_headings() -> None:
    from salestrack.documents.pdf import Letterhead

    text, reader = _text(render_pdf(_document(rows=80), Letterhead(name="Acme")))
    assert len(reader.pages) >= 2
    assert reader.pages[1].extract_text().count("Particulars") == 1
    assert "Instalment 80" in text
    assert f"Page 2 of {len(reader.pages)}" in text


def test_characters_the_font_lacks_print_as_question_marks() -> None:
    from salestrack.documents.pdf import Letterhead

    document = Document(
        title="Receipt",
        number="R/1",
        date=date(2026, 1, 1),
        parties=(Party("From", "राम Kumar ₹"),),
    )
    text, _ = _text(render_pdf(document, Letterhead(name="Acme")))
    assert "??? Kumar ₹" in text
