"""The oracle's lead figures: cohorts by stage reached, conversions, revenue and cash
collected, statuses, engagements and open follow-ups, each a plain GROUP BY over the
base tables (lead ranks from the status history, cash from the ledger)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select

from salestrack.journey.models import LeadEngagement, LeadMilestone, LeadStatusHistory
from salestrack.leads.models import Lead
from salestrack.money.booking_money import LIVE_STATUSES
from salestrack.money.models import Booking, EntryStatus, LedgerEntry
from salestrack.reports.common import utc_day
from salestrack.reports.contrib import OPEN_STATUSES, RANK, month_of
from salestrack.reports.counters import Sums
from salestrack.reports.figure_types import BY_DIMENSION
from salestrack.reports.oracle.base import Acc, OracleBase, money_sum

H, M = LeadStatusHistory, LeadMilestone


def _dimension(by: str) -> Any:
    """The lead's column to group by; a last touch is the first touch's until the lead
    enquired again (``retouched_at``)."""
    column = getattr(Lead, BY_DIMENSION[by])
    if by in ("lsource", "lcampaign"):
        first = Lead.source_id if by == "lsource" else Lead.campaign_id
        return case((Lead.retouched_at.is_(None), first), else_=column)
    return column


class _Cohorts:
    """One ``leads`` question: the leads in scope, grouped by day and ``by``."""

    def __init__(self, oracle: OracleBase, where: list[ColumnElement[bool]], by: str | None):
        self.oracle, self.session, self.where, self.by = oracle, oracle.session, where, by
        self.dim = _dimension(by) if by in BY_DIMENSION else Lead.lead_date
        self.acc = Acc()

    def group(self, value: Any, day: date | None = None) -> Any:
        if self.by == "month":
            return month_of(day) if day else None
        return value if self.by in BY_DIMENSION else None

    def stages(self, tenant_id: uuid.UUID) -> None:
        """How many leads reached each stage (furthest status in their history), lost."""
        rank = case(*((H.to_status == s, r) for s, r in RANK.items()), else_=0)
        hist = (
            select(H.lead_id, func.max(rank).label("reached"))
            .where(H.tenant_id == tenant_id)
            .group_by(H.lead_id)
            .subquery()
        )
        stages = [func.sum(case((hist.c.reached >= r, 1), else_=0)) for r in range(5)]
        lost = func.sum(case((Lead.status == "lost", 1), else_=0))
        # The correlated subquery names the tenant itself, not only through the lead: on
        # Citus (PostgreSQL 15) the statement, an outer join with a correlated subquery
        # under row-level security, is otherwise refused ("outer joins and pseudoconstant
        # quals"); named, it routes whole to the tenant's shard.
        has_sale = (
            select(Booking.id)
            .where(
                Booking.tenant_id == tenant_id,
                Booking.tenant_id == Lead.tenant_id,
                Booking.lead_id == Lead.id,
                Booking.deleted_at.is_(None),
                Booking.status.in_(LIVE_STATUSES),
                Booking.invoice_entry_id.is_not(None),
            )
            .exists()
        )
        booked = func.sum(case((and_(hist.c.reached >= RANK["converted"], has_sale), 1), else_=0))
        stmt = (
            select(Lead.lead_date, self.dim, *stages, lost, booked)
            .join(hist, and_(hist.c.lead_id == Lead.id), isouter=True)
            .where(*self.where)
            .group_by(Lead.lead_date, self.dim)
        )
        for day, value, *counts in self.session.execute(stmt):
            g = self.group(value, day)
            for r in range(5):
                self.acc.add(g, f"r{r}", counts[r])
            self.acc.add(g, "lost", counts[5])
            self.acc.add(g, "booked", counts[6])

    def conversions(self, tenant_id: uuid.UUID) -> None:
        """Leads with a booking milestone, and the days from lead to the first one."""
        booked = (
            select(M.lead_id, func.min(M.milestone_date).label("conv_on"))
            .where(M.tenant_id == tenant_id, M.milestone_type == "booking", M.deleted_at.is_(None))
            .group_by(M.lead_id)
            .subquery()
        )
        conv = (
            select(Lead.lead_date, self.dim, booked.c.conv_on)
            .join(booked, booked.c.lead_id == Lead.id)
            .where(*self.where)
        )
        for day, value, conv_on in self.session.execute(conv):
            conv_day = conv_on if isinstance(conv_on, date) else date.fromisoformat(str(conv_on))
            self.acc.add(self.group(value, day), "conv", 1)
            self.acc.add(self.group(value, day), "conv_days", (conv_day - day).days)

    def money(self) -> None:
        """Booked revenue of the leads' live invoiced bookings, and the cash on them."""
        booking_of_lead = and_(
            Booking.tenant_id == Lead.tenant_id,
            Booking.lead_id == Lead.id,
            Booking.deleted_at.is_(None),
        )
        revenue = (
            select(Lead.lead_date, self.dim, money_sum(Booking.booking_amount))
            .join(Booking, booking_of_lead)
            .where(
                *self.where,
                Booking.status.in_(LIVE_STATUSES),
                Booking.invoice_entry_id.is_not(None),
            )
            .group_by(Lead.lead_date, self.dim)
        )
        for day, value, amount in self.session.execute(revenue):
            self.acc.add(self.group(value, day), "revenue", amount=amount)
        kind, debit, credit = (
            LedgerEntry.transaction_type,
            LedgerEntry.debit_amount,
            LedgerEntry.credit_amount,
        )
        cash = (
            select(
                Lead.lead_date,
                self.dim,
                money_sum(case((kind == "payment", credit))),
                money_sum(case((kind == "adjustment", debit))),
                money_sum(case((kind == "adjustment", credit))),
            )
            .join(Booking, booking_of_lead)
            .join(LedgerEntry, self.oracle.booking_ref())
            .where(*self.where, LedgerEntry.status == EntryStatus.active)
            .group_by(Lead.lead_date, self.dim)
        )
        for day, value, paid, adj_debit, adj_credit in self.session.execute(cash):
            self.acc.add(self.group(value, day), "collected", amount=paid - adj_debit + adj_credit)


class LeadOracle(OracleBase):
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
        cohorts = _Cohorts(self, self._lead_scope(lo, hi, filters or {}), by)
        cohorts.stages(self.tenant_id)
        cohorts.conversions(self.tenant_id)
        cohorts.money()
        return cohorts.acc.sums()

    def lead_statuses(self) -> Sums:
        stmt = (
            select(Lead.status, func.count())
            .where(Lead.tenant_id == self.tenant_id, Lead.deleted_at.is_(None))
            .group_by(Lead.status)
        )
        acc = Acc()
        for status, n in self.session.execute(stmt):
            acc.add(None, str(status), n)
        return acc.sums()

    def engagements(
        self, lo: date | None, hi: date | None, *, open_leads_only: bool = False
    ) -> int:
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
        if open_leads_only:
            stmt = stmt.where(Lead.status.in_(OPEN_STATUSES))
        if lo:
            stmt = stmt.where(day >= lo)
        if hi:
            stmt = stmt.where(day <= hi)
        return int(self.session.scalar(stmt) or 0)

    def follow_ups(self, lo: date | None, hi: date | None) -> int:
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
