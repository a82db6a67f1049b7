"""What the oracle's queries share: its scratch totals, money sums and the link from a
ledger entry to the booking it references."""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, func, type_coerce
from sqlalchemy.orm import Session

from salestrack.core.db import Money
from salestrack.money.models import Booking, LedgerEntry
from salestrack.reports.counters import Sums

ZERO = Decimal("0.00")


def money_sum(expr: Any) -> Any:
    return type_coerce(func.coalesce(func.sum(expr), 0), Money())


class Acc:
    """Totals by (group, metric) as the oracle adds them up; ``sums`` as reports read."""

    def __init__(self) -> None:
        self.values: dict[tuple[Any, str], list[Any]] = defaultdict(lambda: [0, ZERO])

    def add(self, group: Any, metric: str, n: int = 0, amount: Decimal = ZERO) -> None:
        slot = self.values[(group, metric)]
        slot[0] += int(n or 0)
        slot[1] += Decimal(amount or 0)

    def sums(self) -> Sums:
        return Sums({k: (v[0], v[1]) for k, v in self.values.items() if v[0] or v[1]})


class OracleBase:
    """A tenant's base tables, read in one session."""

    def __init__(self, session: Session, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def booking_ref(self) -> ColumnElement[bool]:
        """A ledger entry's reference names this booking (its id as text)."""
        if self.session.get_bind().dialect.name == "postgresql":
            ref = LedgerEntry.reference_document_id == cast(Booking.id, String)
        else:  # SQLite keeps UUIDs as 32 hex digits
            ref = func.replace(LedgerEntry.reference_document_id, "-", "") == Booking.id
        return and_(
            LedgerEntry.tenant_id == Booking.tenant_id,
            LedgerEntry.reference_document_type == "booking",
            ref,
        )
