"""The figures every report is built from (``figure_types.Figures``), read from the
summary counters kept on write.

Lead figures can be filtered by one dimension (source, campaign or assignee) or grouped by
one; a combination of two (e.g. campaign-performance filtered by source) has no counter
and is answered by the oracle instead (correct, but it scans).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from salestrack.leads.models import Customer
from salestrack.reports import counters
from salestrack.reports.counters import Sums
from salestrack.reports.figure_types import (
    BY_DIMENSION,
    DIMENSIONS,
    OLDEST_METRICS,
    OWING_METRICS,
    Debtor,
)
from salestrack.reports.models import ReportCustomerState
from salestrack.reports.oracle import OracleFigures

T = TypeVar("T")


class CounterFigures:
    """Figures from ``report_counters`` and the per-record state: a few rows per answer.

    ``run(build)`` answers a whole report in one round trip: ``build`` runs once to note
    the sums it asks for (getting empty answers), they are fetched in one query, and
    ``build`` runs again on the real answers. Reports ask for the same sums whatever the
    answers, which is what makes this safe.
    """

    def __init__(self, session: Session, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self._mode: str | None = None
        self._specs: list[counters.Spec] = []
        self._answers: list[Sums] = []
        self._memo: dict[object, object] = {}

    @property
    def recording(self) -> bool:
        return self._mode == "record"

    def run(self, build: Callable[[], T]) -> T:
        self._mode, self._specs = "record", []
        try:
            build()
            self._answers = counters.read_many(self.session, self.tenant_id, self._specs)
            self._mode = "replay"
            return build()
        finally:
            self._mode = None

    def _read(
        self,
        family: str,
        lo: date | None,
        hi: date | None,
        *,
        dim_kind: str = "all",
        dim_ids: list[uuid.UUID] | None = None,
        by: str | None = None,
        metrics: list[str] | None = None,
        all_time: bool = False,
    ) -> Sums:
        spec = counters.Spec(
            family,
            lo,
            hi,
            dim_kind,
            tuple(dim_ids) if dim_ids is not None else None,
            by,
            tuple(metrics) if metrics is not None else None,
            all_time,
        )
        if self._mode == "record":
            self._specs.append(spec)
            return Sums({})
        if self._mode == "replay":
            return self._answers.pop(0)
        return counters.read_many(self.session, self.tenant_id, [spec])[0]

    def leads(
        self,
        lo: date | None,
        hi: date | None,
        *,
        by: str | None = None,
        filters: dict[str, uuid.UUID] | None = None,
    ) -> Sums:
        filters = filters or {}
        dims = {DIMENSIONS[name] for name in filters}
        if by in BY_DIMENSION:
            dims.add(by)
        if len(dims) > 1:
            if self._mode == "record":
                return Sums({})
            return OracleFigures(self.session, self.tenant_id).leads(lo, hi, by=by, filters=filters)
        kind = dims.pop() if dims else "all"
        ids = [v for k, v in filters.items() if DIMENSIONS[k] == kind] or None
        group = "dim" if by in BY_DIMENSION else by
        return self._read("lead", lo, hi, dim_kind=kind, dim_ids=ids, by=group)

    def lead_statuses(self) -> Sums:
        return self._read("status", None, None, all_time=True)

    def bookings(self, lo: date | None, hi: date | None) -> Sums:
        return self._read("booking", lo, hi)

    def ledger(self, lo: date | None, hi: date | None) -> Sums:
        return self._read("ledger", lo, hi)

    def engagements(
        self, lo: date | None, hi: date | None, *, open_leads_only: bool = False
    ) -> int:
        return self._read("eng", lo, hi).n("eng_open" if open_leads_only else "eng")

    def follow_ups(self, lo: date | None, hi: date | None) -> int:
        return self._read("fu", lo, hi).n("open")

    def customers(self, lo: date | None, hi: date | None) -> int:
        return self._read("cust", lo, hi, metrics=["customers"]).n("customers")

    def active_customers(self, since: date) -> int:
        booked = self._read("cust", None, None, all_time=True).n("booked")
        return booked + self._read("cust", since, None, metrics=["idle_last"]).n("idle_last")

    def unpaid(self, lo: date | None, hi: date | None) -> Decimal:
        return self._read("ar", lo, hi).amount("unpaid")

    def owing_bands(self) -> Sums:
        return self._read("cust", None, None, all_time=True, metrics=OWING_METRICS)

    def overdue_bands(self, until: date) -> Sums:
        return self._read("cust", None, until, metrics=OLDEST_METRICS)

    def outstanding_total(self) -> Decimal:
        return self._read("ledger", None, None, metrics=["balance"]).amount("balance")

    def debtors(self, limit: int, after: tuple[Decimal, uuid.UUID] | None) -> list[Debtor]:
        """Customers owing the most first (ties by id, descending), after the cursor."""
        key = ("debtors", limit, after)
        if key not in self._memo:
            self._memo[key] = self._debtors(limit, after)
        found = self._memo[key]
        assert isinstance(found, list)
        return found

    def _debtors(self, limit: int, after: tuple[Decimal, uuid.UUID] | None) -> list[Debtor]:
        S = ReportCustomerState
        stmt = (
            select(S.customer_id, Customer.customer_code, Customer.name, S.outstanding, S.unpaid)
            .join(Customer, (Customer.tenant_id == S.tenant_id) & (Customer.id == S.customer_id))
            .where(S.tenant_id == self.tenant_id, S.live.is_(True), S.outstanding != 0)
            .order_by(S.outstanding.desc(), S.customer_id.desc())
            .limit(limit)
        )
        if after is not None:
            amount, customer_id = after
            stmt = stmt.where(
                (S.outstanding < amount)
                | ((S.outstanding == amount) & (S.customer_id < customer_id))
            )
        return [
            Debtor(r[0], r[1], r[2], r[3], {k: int(v) for k, v in r[4].items()})
            for r in self.session.execute(stmt)
        ]
