"""The oracle's money figures: bookings by status, the ledger by type, customers and
who owes what (unpaid debits aged from the customer's entries)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from salestrack.leads.models import Customer
from salestrack.money import health
from salestrack.money.models import Booking, EntryStatus, LedgerEntry
from salestrack.reports.common import utc_day
from salestrack.reports.counters import Sums
from salestrack.reports.figure_types import Debtor
from salestrack.reports.money_facts import ENTRY_COLUMNS, ledger_by_day
from salestrack.reports.oracle.base import ZERO, Acc, OracleBase, money_sum


class MoneyOracle(OracleBase):
    def __init__(self, session: Session, tenant_id: uuid.UUID) -> None:
        super().__init__(session, tenant_id)
        self._debtors: list[Debtor] | None = None  # one ledger scan per answer

    def bookings(self, lo: date | None, hi: date | None) -> Sums:
        where = [Booking.tenant_id == self.tenant_id, Booking.deleted_at.is_(None)]
        if lo:
            where.append(Booking.booking_date >= lo)
        if hi:
            where.append(Booking.booking_date <= hi)
        stmt = (
            select(
                Booking.status,
                func.count(),
                money_sum(Booking.booking_amount),
                func.sum(Booking.unit_count),
                money_sum(Booking.cancellation_refund_amount),
            )
            .where(*where)
            .group_by(Booking.status)
        )
        acc = Acc()
        for status, n, amount, units, promised in self.session.execute(stmt):
            acc.add(None, f"count:{status}", n, amount)
            acc.add(None, f"units:{status}", units)
            acc.add(None, "refund_promised", amount=promised)
        paid = (
            select(money_sum(LedgerEntry.debit_amount), money_sum(LedgerEntry.credit_amount))
            .select_from(Booking)
            .join(LedgerEntry, self.booking_ref())
            .where(
                *where,
                LedgerEntry.status == EntryStatus.active,
                LedgerEntry.transaction_type == "adjustment",
            )
        )
        debit, credit = self.session.execute(paid).one()
        acc.add(None, "refund_paid", amount=debit - credit)
        return acc.sums()

    def _live_customer(self) -> ColumnElement[bool]:
        return exists().where(
            Customer.tenant_id == LedgerEntry.tenant_id,
            Customer.id == LedgerEntry.customer_id,
            Customer.deleted_at.is_(None),
        )

    def ledger(self, lo: date | None, hi: date | None) -> Sums:
        where = [LedgerEntry.tenant_id == self.tenant_id, self._live_customer()]
        if lo:
            where.append(LedgerEntry.transaction_date >= lo)
        if hi:
            where.append(LedgerEntry.transaction_date <= hi)
        original = LedgerEntry.reversal_of_id.is_(None)
        keys = (
            LedgerEntry.transaction_type,
            LedgerEntry.status,
            original,
            LedgerEntry.reference_document_type,
        )
        stmt = (
            select(
                *keys,
                money_sum(LedgerEntry.debit_amount),
                money_sum(LedgerEntry.credit_amount),
            )
            .where(*where)
            .group_by(*keys)
        )
        acc = Acc()
        for kind, status, is_original, reference, debit, credit in self.session.execute(stmt):
            acc.add(None, "balance", amount=debit - credit)
            if status != EntryStatus.active or not is_original:
                continue
            if kind == "invoice":
                acc.add(None, "invoiced", amount=debit)
            elif kind == "payment":
                acc.add(None, "paid", amount=credit)
            elif kind == "credit_note":
                acc.add(None, "credit_notes", amount=credit)
            elif kind == "debit_note":
                acc.add(None, "debit_notes", amount=debit)
            elif reference == "booking":
                acc.add(None, "refunded", amount=debit - credit)
        return acc.sums()

    def customers(self, lo: date | None, hi: date | None) -> int:
        day = utc_day(self.session, Customer.created_at)
        stmt = select(func.count()).where(
            Customer.tenant_id == self.tenant_id, Customer.deleted_at.is_(None)
        )
        if lo:
            stmt = stmt.where(day >= lo)
        if hi:
            stmt = stmt.where(day <= hi)
        return int(self.session.scalar(stmt) or 0)

    def active_customers(self, since: date) -> int:
        # Each correlated subquery names the tenant itself, not only through the join: on
        # Citus that routes the whole statement to the tenant's shard instead of all shards.
        booked = exists().where(
            Booking.tenant_id == self.tenant_id,
            Booking.tenant_id == Customer.tenant_id,
            Booking.customer_id == Customer.id,
            Booking.deleted_at.is_(None),
            Booking.status != "cancelled",
        )
        recent = exists().where(
            LedgerEntry.tenant_id == self.tenant_id,
            LedgerEntry.tenant_id == Customer.tenant_id,
            LedgerEntry.customer_id == Customer.id,
            LedgerEntry.transaction_date >= since,
        )
        stmt = select(func.count()).where(
            Customer.tenant_id == self.tenant_id, Customer.deleted_at.is_(None), or_(booked, recent)
        )
        return int(self.session.scalar(stmt) or 0)

    def _all_debtors(self) -> list[Debtor]:
        if self._debtors is None:
            self._debtors = self._compute_debtors()
        return self._debtors

    def _compute_debtors(self) -> list[Debtor]:
        stmt = (
            select(Customer.id, Customer.customer_code, Customer.name, *ENTRY_COLUMNS)
            .join(
                LedgerEntry,
                and_(
                    LedgerEntry.tenant_id == Customer.tenant_id,
                    LedgerEntry.customer_id == Customer.id,
                ),
            )
            .where(Customer.tenant_id == self.tenant_id, Customer.deleted_at.is_(None))
            .order_by(Customer.id, LedgerEntry.position)
        )
        grouped: dict[uuid.UUID, list[Any]] = defaultdict(list)
        names: dict[uuid.UUID, tuple[str, str]] = {}
        for row in self.session.execute(stmt):
            grouped[row[0]].append(row)
            names[row[0]] = (row[1], row[2])
        out = []
        for customer_id, entries in grouped.items():
            balance = sum((e.debit_amount - e.credit_amount for e in entries), start=ZERO)
            if balance == 0:
                continue
            _days, unpaid = ledger_by_day(entries)
            code, name = names[customer_id]
            out.append(Debtor(customer_id, code, name, balance, unpaid))
        out.sort(key=lambda d: (d.outstanding, d.customer_id), reverse=True)
        return out

    def debtors(self, limit: int, after: tuple[Decimal, uuid.UUID] | None) -> list[Debtor]:
        found = self._all_debtors()
        if after is not None:
            found = [d for d in found if (d.outstanding, d.customer_id) < after]
        return found[:limit]

    def unpaid(self, lo: date | None, hi: date | None) -> Decimal:
        total = 0
        for debtor in self._all_debtors():
            for text, amount in debtor.unpaid.items():
                day = date.fromisoformat(text)
                if (lo is None or day >= lo) and (hi is None or day <= hi):
                    total += amount
        return Decimal(total) / 100

    def owing_bands(self) -> Sums:
        acc = Acc()
        for debtor in self._all_debtors():
            if debtor.outstanding > 0:
                acc.add(None, f"owing:{health.amount_band(debtor.outstanding)}", 1)
        return acc.sums()

    def overdue_bands(self, until: date) -> Sums:
        acc = Acc()
        for debtor in self._all_debtors():
            if debtor.outstanding > 0 and debtor.unpaid:
                oldest = min(date.fromisoformat(text) for text in debtor.unpaid)
                if oldest <= until:
                    acc.add(None, f"oldest:{health.amount_band(debtor.outstanding)}", 1)
        return acc.sums()

    def outstanding_total(self) -> Decimal:
        return self.ledger(None, None).amount("balance")
