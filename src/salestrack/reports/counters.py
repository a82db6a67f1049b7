"""Writing deltas into ``report_counters`` and summing them back over a date range.

Writes are one upsert per changed row per transaction (``value = value + delta``), sent as
one batch in key order, so concurrent writers lock shared rows in the same order and cannot
deadlock. The tenant-wide rows every write touches are spread over ``SHARDS`` rows; reads
add them up.

Reads cover ``[lo, hi]`` with whole months from the month rows and the partial months at
either end from the day rows: at most 12 + 62 rows per metric and dimension for a year.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from salestrack.db import upsert_insert
from salestrack.reports.contrib import EPOCH, Contribution, month_of
from salestrack.reports.models import ReportCounter

SHARDS = 4
FAR_PAST = date(1900, 1, 1)
FAR_FUTURE = date(9000, 12, 31)
BATCH = 5000
T = ReportCounter.__table__


def apply(session: Session, tenant_id: uuid.UUID, delta: Contribution) -> None:
    """Add ``delta`` to the tenant's counters (one statement per ``BATCH`` rows)."""
    if not delta:
        return
    shard = random.randrange(SHARDS)  # noqa: S311 (spreading load, not security)
    rows = []
    for key in sorted(delta, key=lambda k: (k[0], k[1], k[3], k[4], str(k[2]), k[5])):
        n, amount = delta[key]
        family, kind, dim_id, grain, period, metric = key
        rows.append(
            {
                "tenant_id": tenant_id,
                "family": family,
                "dim_kind": kind,
                "grain": grain,
                "period": period,
                "dim_id": dim_id,
                "metric": metric,
                "shard": shard if kind == "all" else 0,
                "n": n,
                "amount": Decimal(amount) / 100,
            }
        )
    insert = upsert_insert(session)
    stmt = insert(T)
    stmt = stmt.on_conflict_do_update(
        index_elements=[c.name for c in T.primary_key.columns],
        set_={"n": T.c.n + stmt.excluded.n, "amount": T.c.amount + stmt.excluded.amount},
    )
    # One cached statement, executed for every row (a pipeline on PostgreSQL).
    for start in range(0, len(rows), BATCH):
        session.execute(stmt, rows[start : start + BATCH])


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def spans(lo: date | None, hi: date | None) -> ColumnElement[bool]:
    """Rows covering ``[lo, hi]`` exactly once: month rows inside, day rows at the edges."""
    lo = lo or FAR_PAST
    hi = hi or FAR_FUTURE
    first_full = lo if lo.day == 1 else _next_month(lo)
    after_last_full = month_of(hi + timedelta(days=1))
    if first_full >= after_last_full:
        return and_(T.c.grain == "d", T.c.period >= lo, T.c.period <= hi)
    return or_(
        and_(T.c.grain == "m", T.c.period >= first_full, T.c.period < after_last_full),
        and_(T.c.grain == "d", T.c.period >= lo, T.c.period < first_full),
        and_(T.c.grain == "d", T.c.period >= after_last_full, T.c.period <= hi),
    )


@dataclass(frozen=True)
class Sums:
    """``(group, metric) -> (n, amount)`` with zeros for what is absent."""

    values: dict[tuple[Any, str], tuple[int, Decimal]]

    def n(self, metric: str, group: Any = None) -> int:
        return self.values.get((group, metric), (0, Decimal(0)))[0]

    def amount(self, metric: str, group: Any = None) -> Decimal:
        return self.values.get((group, metric), (0, Decimal("0.00")))[1]

    def groups(self) -> set[Any]:
        return {g for g, _ in self.values}


def read(
    session: Session,
    tenant_id: uuid.UUID,
    family: str,
    *,
    lo: date | None = None,
    hi: date | None = None,
    dim_kind: str = "all",
    dim_ids: Sequence[uuid.UUID] | None = None,
    by: str | None = None,
    metrics: Iterable[str] | None = None,
    all_time: bool = False,
) -> Sums:
    """Sum counters over ``[lo, hi]``; ``by`` is None, ``"dim"`` or ``"month"``."""
    group_cols: list[Any] = []
    if by == "dim":
        group_cols = [T.c.dim_id]
    elif by == "month":
        group_cols = [T.c.grain, T.c.period]
    stmt = (
        select(*group_cols, T.c.metric, func.sum(T.c.n), func.sum(T.c.amount))
        .where(T.c.tenant_id == tenant_id, T.c.family == family, T.c.dim_kind == dim_kind)
        .group_by(*group_cols, T.c.metric)
    )
    if all_time:
        stmt = stmt.where(T.c.grain == "a", T.c.period == EPOCH)
    else:
        stmt = stmt.where(spans(lo, hi))
    if dim_ids is not None:
        stmt = stmt.where(T.c.dim_id.in_(list(dim_ids)))
    if metrics is not None:
        stmt = stmt.where(T.c.metric.in_(list(metrics)))
    values: dict[tuple[Any, str], tuple[int, Decimal]] = {}
    for row in session.execute(stmt):
        *groups, metric, n, amount = row
        if by == "month":
            group: Any = month_of(groups[1])
        elif by == "dim":
            group = groups[0]
        else:
            group = None
        old_n, old_amount = values.get((group, metric), (0, Decimal("0.00")))
        values[(group, metric)] = (old_n + int(n or 0), old_amount + Decimal(amount or 0))
    # Rows brought back to zero by later writes stay in the table; they count as absent.
    return Sums({k: v for k, v in values.items() if v[0] or v[1]})
