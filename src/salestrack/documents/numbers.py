"""Tax-document numbers: gap-free per tenant, series and Indian financial year.

A number looks like ``INV/2026-27/000123``: the series, the financial year (April to
March) of the document's date, and the position in that year's series. Each series and
year has its own counter row (``core.numbering``): taking a number locks the row until the
transaction ends, so two documents never share a number, and a transaction that rolls back
gives its number back, so a year's numbers run 1, 2, 3 ... without a gap. A number is
taken only when the document is issued (a quotation when it is sent), never for a draft.
"""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from sqlalchemy.orm import Session

from salestrack.core.numbering import next_number

DIGITS = 6  # 000123; the counter keeps counting past 999999 with more digits


class Series(StrEnum):
    """The numbered document series and their prefixes."""

    quotation = "QUO"
    demand = "INV"
    debit_note = "DN"
    receipt = "RCT"
    credit_note = "CN"


def financial_year(day: date) -> str:
    """The Indian financial year holding ``day``: 2027-03-31 -> ``2026-27``, 2027-04-01 ->
    ``2027-28``."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def counter_name(series: Series, day: date) -> str:
    """The counter row of ``series`` in ``day``'s financial year (``doc:INV:2026-27``)."""
    return f"doc:{series.value}:{financial_year(day)}"


def number_prefix(series: Series, day: date) -> str:
    """What every number of ``series`` in ``day``'s financial year starts with."""
    return f"{series.value}/{financial_year(day)}/"


def format_number(series: Series, day: date, position: int) -> str:
    return f"{number_prefix(series, day)}{position:0{DIGITS}d}"


def next_document_number(
    session: Session, *, tenant_id: uuid.UUID, series: Series, on: date
) -> str:
    """The next number of ``series`` in the financial year of ``on`` (the document's date,
    a day in the tenant's zone), held by the caller's transaction until it ends."""
    position = next_number(session, tenant_id=tenant_id, name=counter_name(series, on))
    return format_number(series, on, position)
