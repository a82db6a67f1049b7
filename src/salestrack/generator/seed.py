"""``salestrack seed``: a year of realistic sales data for one tenant, loaded fast.

Reference data (users, campaigns, sources, inventory) goes through the services; the bulk
(leads and everything that happens to them) is simulated by ``simulate`` and loaded with
COPY on PostgreSQL (executemany on SQLite) in batches, with summary maintenance off.

On PostgreSQL with COPY, a worker process simulates the next batch while this one COPYs
the last: simulating is Python on one core, COPY is PostgreSQL on the other. The summary
state rows are computed during the simulation (``presummed``) and loaded with each batch;
the counter totals are written once at the end, so no rebuild has to read the load back.
Code counters and inventory sizes are set so the services carry on from the loaded data
(next codes free, availability not negative).
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field

from sqlalchemy import text, update
from sqlalchemy.orm import Session, sessionmaker

from salestrack.core import jobs
from salestrack.core.db import upsert_insert
from salestrack.core.numbering import Counter
from salestrack.core.tenancy import tenant_transaction
from salestrack.generator import loader
from salestrack.generator.batches import Batch, from_worker, simulate_batches
from salestrack.generator.presummed import Summaries, write_counters
from salestrack.generator.records import Context
from salestrack.generator.reference import setup
from salestrack.money.models import Inventory
from salestrack.reports.summaries import DISABLED

BATCH = 5_000
LOADERS = 2


@dataclass
class Stats:
    rows: dict[str, int] = field(default_factory=dict)
    load_seconds: float = 0.0
    summary_seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    @property
    def rate(self) -> float:
        """Rows per second of the load phase (every table, summary state rows included)."""
        return self.total / self.load_seconds if self.load_seconds else 0.0

    def summary(self) -> str:
        parts = ", ".join(f"{n:,} {name}" for name, n in self.rows.items())
        return (
            f"loaded {self.total:,} rows ({parts}) in {self.load_seconds:.1f}s"
            f" = {self.rate:,.0f} rows/s; summaries done in {self.summary_seconds:.1f}s"
        )


def generate(
    factory: sessionmaker[Session],
    slug: str,
    *,
    leads: int,
    seed: int = 1,
    progress: bool = True,
    batch: int = BATCH,
) -> Stats:
    """Load ``leads`` simulated leads into tenant ``slug`` and its summaries; see module."""
    ctx = setup(factory, slug, leads, seed)
    with tenant_transaction(factory, ctx.tenant_id) as session:
        copy = loader.can_copy(session)
    stats, summaries = Stats(), Summaries(ctx.tenant_id)
    if copy and leads > batch:
        batches = from_worker(ctx, summaries, leads, batch)
    else:
        batches = simulate_batches(ctx, summaries, leads, batch)
    started = time.perf_counter()
    held = _load_with_progress(
        factory, ctx, batches, copy, stats, bar=(leads, f"seeding {slug}", progress)
    )
    with tenant_transaction(factory, ctx.tenant_id) as session:
        session.info[DISABLED] = True
        _finish(session, ctx, held)
    stats.load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with tenant_transaction(factory, ctx.tenant_id) as session:
        session.info[DISABLED] = True
        write_counters(session, ctx.tenant_id, summaries.tally.frozen(), copy=copy)
        # Written past the hooks, so the tenant is listed for the worker here, as a
        # follow-up set through the services would list it (its follow-ups fall due).
        jobs.enlist(session, ctx.tenant_id)
    stats.summary_seconds = time.perf_counter() - started
    # Fresh planner statistics for the tables just loaded, and only those: a bare ANALYZE
    # locks every table of the database (other schemas too) and can deadlock with their DDL.
    with tenant_transaction(factory, ctx.tenant_id) as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text(f"ANALYZE {', '.join(loader.COLUMNS)}"))
    return stats


def _load_with_progress(
    factory: sessionmaker[Session],
    ctx: Context,
    batches: Generator[Batch, None, None],
    copy: bool,
    stats: Stats,
    bar: tuple[int, str, bool],
) -> dict[uuid.UUID, int]:
    """Load every batch, counting rows into ``stats`` under a progress bar (``bar``: leads
    in all, its title, whether shown); returns the inventory units the bookings hold."""
    from tqdm import tqdm

    leads, desc, shown = bar
    held: dict[uuid.UUID, int] = defaultdict(int)
    started = time.perf_counter()
    with (
        tqdm(total=leads, unit="lead", disable=not shown, desc=desc) as progress,
        closing(batches),
    ):

        def done(item: Batch, counts: dict[str, int]) -> None:
            for name, count in counts.items():
                stats.rows[name] = stats.rows.get(name, 0) + count
            for key, units in item.held.items():
                held[key] += units
            progress.update(item.leads)
            rate = stats.total / (time.perf_counter() - started)
            progress.set_postfix_str(f"{stats.total:,} rows, {rate:,.0f} rows/s")

        _load_all(factory, ctx.tenant_id, batches, copy, done)
    return held


def _load_all(
    factory: sessionmaker[Session],
    tenant_id: uuid.UUID,
    batches: Iterator[Batch],
    copy: bool,
    done: Callable[[Batch, dict[str, int]], None],
) -> None:
    """Load each batch in its own transaction, ``LOADERS`` at once with COPY: one COPY
    keeps one PostgreSQL backend busy parsing text, and there is a second core. Batches
    are self-contained (a lead and all its rows travel together), so order does not
    matter; ``done`` runs here, in order, as each finishes."""
    with ThreadPoolExecutor(max_workers=LOADERS if copy else 1) as pool:
        running: deque[Future[tuple[Batch, dict[str, int]]]] = deque()
        for item in batches:
            if len(running) >= (LOADERS if copy else 1):
                done(*running.popleft().result())
            running.append(pool.submit(_load_batch, factory, tenant_id, item, copy))
        while running:
            done(*running.popleft().result())


def _load_batch(
    factory: sessionmaker[Session], tenant_id: uuid.UUID, item: Batch, copy: bool
) -> tuple[Batch, dict[str, int]]:
    """One batch in one transaction; its commit need not wait for the WAL flush (a failed
    seed is simply run again)."""
    with tenant_transaction(factory, tenant_id) as session:
        session.info[DISABLED] = True
        if copy:
            session.execute(text("SET LOCAL synchronous_commit TO OFF"))
            loader.skip_key_checks(session)
        return item, loader.load(session, item.blocks, copy=copy)


def _finish(session: Session, ctx: Context, held: dict[uuid.UUID, int]) -> None:
    """Code counters carry on after the loaded codes; every unit held exists."""
    insert = upsert_insert(session)
    for name, value in ctx.counters.items():
        stmt = insert(Counter).values(tenant_id=ctx.tenant_id, name=name, value=value)
        session.execute(
            stmt.on_conflict_do_update(index_elements=["tenant_id", "name"], set_={"value": value})
        )
    for inventory_id, units in held.items():
        session.execute(
            update(Inventory)
            .where(Inventory.tenant_id == ctx.tenant_id, Inventory.id == inventory_id)
            .values(total_units=Inventory.total_units + units + 25)
        )
