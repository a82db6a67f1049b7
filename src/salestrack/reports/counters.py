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

from sqlalchemy.orm import Session

from salestrack.reports.contrib import EPOCH, Contribution, month_of
from salestrack.reports.models import ReportCounter

SHARDS = 4
FAR_PAST = date(1900, 1, 1)
FAR_FUTURE = date(9000, 12, 31)
BATCH = 500
T = ReportCounter.__table__
KEY = [c.name for c in ReportCounter.__table__.primary_key]
ALL_TIME = [("a", EPOCH, EPOCH + timedelta(days=1))]  # the one row of all-time counters


def apply(session: Session, tenant_id: uuid.UUID, delta: Contribution) -> None:
    """Add ``delta`` to the tenant's counters: one multi-row upsert per ``BATCH`` rows.

    Plain SQL text, like the reads: a write changes ~10 rows, and one statement with all of
    them is one round trip, where the expression layer would build or run ten.
    """
    if not delta:
        return
    postgres = session.get_bind().dialect.name == "postgresql"
    shard = random.randrange(SHARDS)  # noqa: S311 (spreading load, not security)
    rows: list[tuple[Any, ...]] = []
    for key in sorted(delta, key=lambda k: (k[0], k[1], k[3], k[4], str(k[2]), k[5])):
        n, cents = delta[key]
        family, kind, dim_id, grain, period, metric = key
        rows.append(
            (
                tenant_id if postgres else tenant_id.hex,
                family,
                kind,
                grain,
                period if postgres else period.isoformat(),
                dim_id if postgres else dim_id.hex,
                metric,
                shard if kind == "all" else 0,
                n,
                Decimal(cents) / 100 if postgres else cents,
            )
        )
    mark = "%s" if postgres else "?"
    value = "(" + ", ".join([mark] * 10) + ")"
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        # Placeholders and column names only.
        sql = (
            "INSERT INTO report_counters (tenant_id, family, dim_kind, grain, period, dim_id,"  # noqa: S608
            " metric, shard, n, amount) VALUES "
            + ", ".join([value] * len(chunk))
            + f" ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET"
            " n = report_counters.n + excluded.n,"
            " amount = report_counters.amount + excluded.amount"
        )
        params = tuple(v for row in chunk for v in row)
        session.connection().exec_driver_sql(sql, params)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def spans(lo: date | None, hi: date | None) -> list[tuple[str, date, date]]:
    """``(grain, first, after_last)`` ranges covering ``[lo, hi]`` exactly once: month rows
    inside, day rows at the edges. Each is one index range scan."""
    lo = lo or FAR_PAST
    hi = hi or FAR_FUTURE
    first_full = lo if lo.day == 1 else _next_month(lo)
    after_last_full = month_of(hi + timedelta(days=1))
    after_hi = hi + timedelta(days=1)
    if first_full >= after_last_full:
        return [("d", lo, after_hi)]
    out = [("m", first_full, after_last_full)]
    if lo < first_full:
        out.append(("d", lo, first_full))
    if after_last_full < after_hi:
        out.append(("d", after_last_full, after_hi))
    return out


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


@dataclass(frozen=True)
class Spec:
    """One sum over the counters: a family and dimension, a date range, a grouping."""

    family: str
    lo: date | None = None
    hi: date | None = None
    dim_kind: str = "all"
    dim_ids: tuple[uuid.UUID, ...] | None = None
    by: str | None = None  # None, "dim" or "month"
    metrics: tuple[str, ...] | None = None
    all_time: bool = False


def read_many(session: Session, tenant_id: uuid.UUID, specs: Sequence[Spec]) -> list[Sums]:
    """Every spec's sums in one round trip: one index range scan per spec and grain.

    Plain SQL text: this runs on every report request, and building the equivalent
    expression tree costs more than the database takes to answer it.
    """
    if not specs:
        return []
    postgres = session.get_bind().dialect.name == "postgresql"
    mark = "%s" if postgres else "?"
    parts: list[str] = []
    params: list[Any] = []
    for index, spec in enumerate(specs):
        _select_spec(index, spec, tenant_id, mark, parts, params)
    sql = (
        "SELECT q, g_dim, g_period, metric, SUM(n), SUM(amount) FROM ("  # noqa: S608
        + " UNION ALL ".join(parts)
        + ") AS found GROUP BY q, g_dim, g_period, metric"
    )
    bound = tuple(_bind(p, postgres) for p in params)
    rows = session.connection().exec_driver_sql(sql, bound)
    return _sums_of(rows, specs, postgres)


def _bind(value: Any, postgres: bool) -> Any:
    """A parameter as the driver takes it (SQLite keeps ids as hex and days as text)."""
    if postgres:
        return value
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, date):
        return value.isoformat()
    return value


def _select_spec(
    index: int, spec: Spec, tenant_id: uuid.UUID, mark: str, parts: list[str], params: list[Any]
) -> None:
    """Append the spec's SELECTs (one per grain range) to ``parts``, its values to ``params``."""
    ranges = ALL_TIME if spec.all_time else spans(spec.lo, spec.hi)
    dim = "dim_id" if spec.by == "dim" else "CAST(NULL AS uuid)"
    period = "period" if spec.by == "month" else "CAST(NULL AS date)"
    wanted: tuple[tuple[str, Sequence[Any] | None], ...] = (
        ("dim_id", spec.dim_ids),
        ("metric", spec.metrics),
    )
    for grain, first, after in ranges:
        # Only placeholders, column names and integers are put into the text.
        sql = (
            f"SELECT {index} AS q, {dim} AS g_dim"  # noqa: S608
            f", {period} AS g_period, metric, n, amount FROM report_counters"
            f" WHERE tenant_id = {mark} AND family = {mark}"
            f" AND dim_kind = {mark} AND grain = {mark} AND period >= {mark}"
            f" AND period < {mark}"
        )
        params += [tenant_id, spec.family, spec.dim_kind, grain, first, after]
        for column, allowed in wanted:
            if allowed is not None:
                sql += f" AND {column} IN ({', '.join(mark for _ in allowed)})"
                params += list(allowed)
        parts.append(sql)


def _sums_of(rows: Iterable[Any], specs: Sequence[Spec], postgres: bool) -> list[Sums]:
    """The grouped rows as each spec's ``Sums`` (SQLite sums cents, PostgreSQL amounts)."""
    sums: list[dict[tuple[Any, str], tuple[int, Decimal]]] = [{} for _ in specs]
    for index, dim_id, period, metric, n, total in rows:
        spec = specs[index]
        amount = Decimal(total or 0) if postgres else Decimal(int(total or 0)) / 100
        if spec.by == "dim":
            group: Any = dim_id if postgres else uuid.UUID(dim_id)
        elif spec.by == "month":
            group = month_of(period if isinstance(period, date) else date.fromisoformat(period))
        else:
            group = None
        old_n, old_amount = sums[index].get((group, metric), (0, Decimal("0.00")))
        sums[index][(group, metric)] = (old_n + int(n or 0), old_amount + amount)
    # Rows brought back to zero by later writes stay in the table; they count as absent.
    return [Sums({k: v for k, v in found.items() if v[0] or v[1]}) for found in sums]
