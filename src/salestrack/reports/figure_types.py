"""The seam between the reports and their data: the figures every report is built from.

``figures.CounterFigures`` reads them from the summary counters kept on write;
``oracle.OracleFigures`` recomputes them from the base tables. Reports format either, so
the parity test can compare the two answers whole.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from salestrack.money import health
from salestrack.reports.counters import Sums

# filter name -> counter dimension
DIMENSIONS = {"source_id": "source", "campaign_id": "campaign", "assigned_to": "assignee"}
# group-by dimension -> the lead's column (``lsource``/``lcampaign``: the last touch's)
BY_DIMENSION = {
    "source": "source_id",
    "campaign": "campaign_id",
    "lsource": "last_source_id",
    "lcampaign": "last_campaign_id",
}
# AR health counters (``contrib.customer_contribution``), by balance band
OWING_METRICS = [f"owing:{band}" for band in health.AMOUNT_BANDS]
OLDEST_METRICS = [f"oldest:{band}" for band in health.AMOUNT_BANDS]


@dataclass(frozen=True)
class Debtor:
    customer_id: uuid.UUID
    customer_code: str
    name: str
    outstanding: Decimal
    unpaid: dict[str, int]  # debit day -> unpaid cents


class Figures(Protocol):
    @property
    def recording(self) -> bool:
        """True while a report only notes the sums it will ask for (its first pass): a
        report's own queries can wait for the pass with the answers."""
        ...

    def leads(
        self,
        lo: date | None,
        hi: date | None,
        *,
        by: str | None = None,
        filters: dict[str, uuid.UUID] | None = None,
    ) -> Sums: ...

    def lead_statuses(self) -> Sums: ...

    def bookings(self, lo: date | None, hi: date | None) -> Sums: ...

    def ledger(self, lo: date | None, hi: date | None) -> Sums: ...

    def engagements(
        self, lo: date | None, hi: date | None, *, open_leads_only: bool = False
    ) -> int:
        """Engagements dated in ``lo``..``hi`` (UTC day); with ``open_leads_only``, only
        those on leads open now (new, contacted, qualified, negotiation)."""
        ...

    def follow_ups(self, lo: date | None, hi: date | None) -> int: ...

    def customers(self, lo: date | None, hi: date | None) -> int: ...

    def active_customers(self, since: date) -> int: ...

    def unpaid(self, lo: date | None, hi: date | None) -> Decimal: ...

    def owing_bands(self) -> Sums:
        """Customers owing now (outstanding > 0) by balance band: ``owing:<band>``."""
        ...

    def overdue_bands(self, until: date) -> Sums:
        """Of those, the ones whose oldest unpaid debit is dated ``until`` or earlier, by
        balance band: ``oldest:<band>``."""
        ...

    def debtors(self, limit: int, after: tuple[Decimal, uuid.UUID] | None) -> list[Debtor]: ...

    def outstanding_total(self) -> Decimal: ...
