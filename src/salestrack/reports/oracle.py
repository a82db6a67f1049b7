"""The oracle: every report figure recomputed from the base tables with plain GROUP BYs.

Slow (it scans the tenant's leads, history and ledger each time)
but obviously right; the parity test holds the counters to it, the benchmark times it,
and filter combinations the counters do not keep are answered by it.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from salestrack.core.db import Money
from salestrack.journey.models import LeadEngagement, LeadMilestone, LeadStatusHistory
from salestrack.leads.models import Customer, Lead
from salestrack.money.models import Booking, EntryStatus, LedgerEntry
from salestrack.reports import facts
from salestrack.reports.contrib import LIVE_BOOKING, RANK, month_of
from salestrack.reports.counters import Sums
from salestrack.reports.figures import BY_DIMENSION, Debtor
from salestrack.reports.rebuild import utc_day

ZERO = Decimal("0.00")
H = LeadStatusHistory


def _money_sum(expr: Any) -> Any:
    return type_coerce(func.coalesce(func.sum(expr), 0), Money())


class _Acc:
    def __init__(self) -> None:
        self.values: dict[tuple[Any, str], list[Any]] = defaultdict(lambda: [0, ZERO])

    def add(self, group: Any, metric: str, n: int = 0, amount: Decimal = ZERO) -> None:
        slot = self.values[(group, metric)]
        slot[0] += int(n or 0)
        slot[1] += Decimal(amount or 0)

    def sums(self) -> Sums:
        return Sums({k: (v[0], v[1]) for k, v in self.values.items() if v[0] or v[1]})


class OracleFigures:
    recording = False  # it answers each question as it is asked

    def __init__(self, session: Session, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self._debtors: list[Debtor] | None = None  # one ledger scan per answer

    def _booking_ref(self) -> ColumnElement[bool]:
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

    def _lead_scope(
        self, lo: date | None, hi: date | None, filters: dict[str, uuid.UUID]
    ) -> list[ColumnElement[bool]]:
        where = [Lead.tenant_id == self.tenant_id, Lead.deleted_at.is_(None)]
        if lo:
            where.append(Lead.lead_date >= lo)
        if hi:
            where.append(Lead.lead_date <= hi)
        for name, value in filters.items():
            where.append(getattr(Lead, name) == value)
        return where

    def leads(
        self,
        lo: date | None,
        hi: date | None,
        *,
        by: str | None = None,
        filters: dict[str, uuid.UUID] | None = None,
    ) -> Sums:
        where = self._lead_scope(lo, hi, filters or {})
        dim = getattr(Lead, BY_DIMENSION[by]) if by in BY_DIMENSION else Lead.lead_date
        rank = case(*((H.to_status == s, r) for s, r in RANK.items()), else_=0)
        hist = (
            select(H.lead_id, func.max(rank).label("reached"))
            .where(H.tenant_id == self.tenant_id)
            .group_by(H.lead_id)
            .subquery()
        )
        M = LeadMilestone
        booked = (
            select(M.lead_id, func.min(M.milestone_date).label("conv_on"))
            .where(
                M.tenant_id == self.tenant_id, M.milestone_type == "booking", M.deleted_at.is_(None)
            )
            .group_by(M.lead_id)
            .subquery()
        )
        joined = and_(hist.c.lead_id == Lead.id)
        stages = [func.sum(case((hist.c.reached >= r, 1), else_=0)) for r in range(5)]
        lost = func.sum(case((Lead.status == "lost", 1), else_=0))
        acc = _Acc()

        def group(value: Any, day: date | None = None) -> Any:
            if by == "month":
                return month_of(day) if day else None
            return value if by in BY_DIMENSION else None

        stmt = (
            select(Lead.lead_date, dim, *stages, lost)
            .join(hist, joined, isouter=True)
            .where(*where)
            .group_by(Lead.lead_date, dim)
        )
        for day, value, *counts in self.session.execute(stmt):
            g = group(value, day)
            for r in range(5):
                acc.add(g, f"r{r}", counts[r])
            acc.add(g, "lost", counts[5])
        conv = (
            select(Lead.lead_date, dim, booked.c.conv_on)
            .join(booked, booked.c.lead_id == Lead.id)
            .where(*where)
        )
        for day, value, conv_on in self.session.execute(conv):
            conv_day = conv_on if isinstance(conv_on, date) else date.fromisoformat(str(conv_on))
            acc.add(group(value, day), "conv", 1)
            acc.add(group(value, day), "conv_days", (conv_day - day).days)
        booking_of_lead = and_(
            Booking.tenant_id == Lead.tenant_id,
            Booking.lead_id == Lead.id,
            Booking.deleted_at.is_(None),
        )
        revenue = (
            select(Lead.lead_date, dim, _money_sum(Booking.booking_amount))
            .join(Booking, booking_of_lead)
            .where(*where, Booking.status.in_(LIVE_BOOKING), Booking.invoice_entry_id.is_not(None))
            .group_by(Lead.lead_date, dim)
        )
        for day, value, amount in self.session.execute(revenue):
            acc.add(group(value, day), "revenue", amount=amount)
        cash = (
            select(
                Lead.lead_date,
                dim,
                _money_sum(
                    case((LedgerEntry.transaction_type == "payment", LedgerEntry.credit_amount))
                ),
                _money_sum(
                    case((LedgerEntry.transaction_type == "adjustment", LedgerEntry.debit_amount))
                ),
                _money_sum(
                    case((LedgerEntry.transaction_type == "adjustment", LedgerEntry.credit_amount))
                ),
            )
            .join(Booking, booking_of_lead)
            .join(LedgerEntry, self._booking_ref())
            .where(*where, LedgerEntry.status == EntryStatus.active)
            .group_by(Lead.lead_date, dim)
        )
        for day, value, paid, adj_debit, adj_credit in self.session.execute(cash):
            acc.add(group(value, day), "collected", amount=paid - adj_debit + adj_credit)
        return acc.sums()

    def lead_statuses(self) -> Sums:
        stmt = (
            select(Lead.status, func.count())
            .where(Lead.tenant_id == self.tenant_id, Lead.deleted_at.is_(None))
            .group_by(Lead.status)
        )
        acc = _Acc()
        for status, n in self.session.execute(stmt):
            acc.add(None, str(status), n)
        return acc.sums()

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
                _money_sum(Booking.booking_amount),
                func.sum(Booking.unit_count),
                _money_sum(Booking.cancellation_refund_amount),
            )
            .where(*where)
            .group_by(Booking.status)
        )
        acc = _Acc()
        for status, n, amount, units, promised in self.session.execute(stmt):
            acc.add(None, f"count:{status}", n, amount)
            acc.add(None, f"units:{status}", units)
            acc.add(None, "refund_promised", amount=promised)
        paid = (
            select(_money_sum(LedgerEntry.debit_amount), _money_sum(LedgerEntry.credit_amount))
            .select_from(Booking)
            .join(LedgerEntry, self._booking_ref())
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
                _money_sum(LedgerEntry.debit_amount),
                _money_sum(LedgerEntry.credit_amount),
            )
            .where(*where)
            .group_by(*keys)
        )
        acc = _Acc()
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

    def engagements(self, lo: date | None, hi: date | None) -> int:
        day = utc_day(self.session, LeadEngagement.engagement_date)
        stmt = (
            select(func.count())
            .select_from(LeadEngagement)
            .join(
                Lead,
                and_(Lead.tenant_id == LeadEngagement.tenant_id, Lead.id == LeadEngagement.lead_id),
            )
            .where(
                LeadEngagement.tenant_id == self.tenant_id,
                LeadEngagement.deleted_at.is_(None),
                Lead.deleted_at.is_(None),
            )
        )
        if lo:
            stmt = stmt.where(day >= lo)
        if hi:
            stmt = stmt.where(day <= hi)
        return int(self.session.scalar(stmt) or 0)

    def follow_ups(self, lo: date | None, hi: date | None) -> int:
        M = LeadMilestone
        stmt = (
            select(func.count())
            .select_from(M)
            .join(Lead, and_(Lead.tenant_id == M.tenant_id, Lead.id == M.lead_id))
            .where(
                M.tenant_id == self.tenant_id,
                M.deleted_at.is_(None),
                Lead.deleted_at.is_(None),
                M.follow_up_required.is_(True),
                M.follow_up_closed_at.is_(None),
                M.follow_up_date.is_not(None),
            )
        )
        if lo:
            stmt = stmt.where(M.follow_up_date >= lo)
        if hi:
            stmt = stmt.where(M.follow_up_date <= hi)
        return int(self.session.scalar(stmt) or 0)

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
        booked = exists().where(
            Booking.tenant_id == Customer.tenant_id,
            Booking.customer_id == Customer.id,
            Booking.deleted_at.is_(None),
            Booking.status != "cancelled",
        )
        recent = exists().where(
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
            select(
                Customer.id,
                Customer.customer_code,
                Customer.name,
                LedgerEntry.transaction_type,
                LedgerEntry.debit_amount,
                LedgerEntry.credit_amount,
                LedgerEntry.transaction_date,
                LedgerEntry.status,
                LedgerEntry.reversal_of_id,
                LedgerEntry.reference_document_type,
                LedgerEntry.position,
            )
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
            _days, unpaid = facts.ledger_by_day(entries)
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

    def outstanding_total(self) -> Decimal:
        return self.ledger(None, None).amount("balance")
