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

import multiprocessing
import random
import secrets
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from decimal import Decimal
from queue import Empty
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth import service as auth
from salestrack.auth.context import Actor, system_actor
from salestrack.auth.models import User
from salestrack.auth.roles import Role
from salestrack.auth.schemas import UserCreate
from salestrack.core.db import transaction, upsert_insert
from salestrack.core.numbering import Counter
from salestrack.core.tenancy import tenant_transaction
from salestrack.journey import clock
from salestrack.leads import service as leads
from salestrack.leads.models import CampaignType, Channel, LeadSource, SourceType
from salestrack.leads.schemas import CampaignCreate, LeadSourceCreate
from salestrack.money import inventory
from salestrack.money.models import Inventory
from salestrack.money.schemas import InventoryCreate
from salestrack.reports import loader
from salestrack.reports.copytext import now_stamp
from salestrack.reports.presummed import Summaries, Tally, write_counters
from salestrack.reports.simulate import Context, Rows, simulate_lead
from salestrack.reports.summaries import DISABLED

BATCH = 5_000
LOADERS = 2
CAMPAIGNS = (
    ("Google Ads - always on", CampaignType.digital, 1200, 300),
    ("Facebook lead forms", CampaignType.social, 600, 250),
    ("Monthly newsletter", CampaignType.email, 150, 400),
    ("Property Expo", CampaignType.event, 900, 200),
    ("Channel partners", CampaignType.referral, 400, 150),
)
SOURCES = (
    (SourceType.website, "Google Ads", Channel.paid_search, 0, 30),
    (SourceType.social, "Facebook", Channel.social_media, 1, 20),
    (SourceType.email, "Newsletter", Channel.email, 2, 8),
    (SourceType.event, "Property Expo stall", Channel.offline, 3, 10),
    (SourceType.partner, "Channel partner", Channel.referral, 4, 12),
    (SourceType.referral, "Customer referral", Channel.referral, None, 6),
    (SourceType.walk_in, "Site office", Channel.offline, None, 7),
    (SourceType.website, "Organic search", Channel.organic_search, None, 7),
)
PROJECTS = (
    ("Whitefield Towers", "3BHK"),
    ("Whitefield Towers", "2BHK"),
    ("Lakeside Villas", "villa"),
)


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


@dataclass
class Batch:
    """A simulated batch on its way to the database."""

    leads: int
    blocks: list[loader.Block]
    held: dict[uuid.UUID, int]


@dataclass
class Outcome:
    """What the simulation ends with: code counters reached and the counter totals."""

    counters: dict[str, int]
    tally: Tally


def _reference_data(session: Session, actor: Actor, scale: float) -> dict[str, list[object]]:
    """Campaigns, sources and inventory for the load (made once per tenant, then reused)."""
    tenant_id = actor.tenant_id
    found = session.scalars(select(LeadSource).where(LeadSource.tenant_id == tenant_id)).all()
    if not found:
        campaigns = [
            leads.CAMPAIGNS.create(
                session,
                actor=actor,
                data=CampaignCreate(
                    campaign_name=name,
                    campaign_type=kind,
                    budget=Decimal(int(budget * 1000 * scale)),
                    expected_roi=Decimal(roi),
                ),
            )
            for name, kind, budget, roi in CAMPAIGNS
        ]
        for kind, sub, channel, index, _weight in SOURCES:
            campaign_id = campaigns[index].id if index is not None else None
            data = LeadSourceCreate(
                source_type=kind, subsource_name=sub, channel=channel, campaign_id=campaign_id
            )
            leads.SOURCES.create(session, actor=actor, data=data)
        for project, unit_type in PROJECTS:
            item = InventoryCreate(project=project, unit_type=unit_type, total_units=1)
            inventory.create_inventory(session, actor=actor, data=item)
    weights = {sub: w for _k, sub, _c, _i, w in SOURCES}
    sources = [
        (s.id, s.campaign_id, float(weights.get(s.subsource_name, 5)))
        for s in session.scalars(
            select(LeadSource).where(
                LeadSource.tenant_id == tenant_id, LeadSource.deleted_at.is_(None)
            )
        )
    ]
    stock = session.execute(
        select(Inventory.id, Inventory.unit_type).where(Inventory.tenant_id == tenant_id)
    ).all()
    return {"sources": list(sources), "inventory": [tuple(r) for r in stock]}


def _people(session: Session, actor: Actor) -> list[uuid.UUID]:
    """The tenant's sales reps (five made up if there are fewer), who own the leads."""
    stmt = select(User.id).where(User.tenant_id == actor.tenant_id, User.role == Role.sales_rep)
    reps = list(session.scalars(stmt))
    for i in range(len(reps), 5):
        email = f"seed-rep{i}@{actor.tenant_slug}.example.com"
        data = UserCreate(
            email=email,
            password=secrets.token_urlsafe(16),
            role=Role.sales_rep,
            full_name=f"Rep {i}",
        )
        reps.append(auth.create_user(session, actor=actor, data=data).id)
    return reps


def _setup(factory: sessionmaker[Session], slug: str, leads: int, seed: int) -> Context:
    """The tenant (created if missing), its reps and reference data, today, code counters."""
    with transaction(factory) as session:
        tenant = auth.open_tenant(session, slug) or auth.create_tenant(
            session, slug=slug, name=slug.replace("-", " ").title()
        )
        actor = system_actor(tenant.tenant_id, tenant.slug)
        reps = _people(session, actor)
        refs = _reference_data(session, actor, max(0.6, leads / 1000))
        today = clock.today(clock.tenant_zone(session, tenant.tenant_id))
        counters: dict[str, int] = {
            row[0]: row[1]
            for row in session.execute(
                select(Counter.name, Counter.value).where(Counter.tenant_id == tenant.tenant_id)
            )
        }
    return Context(
        tenant_id=tenant.tenant_id,
        today=today,
        actor_id=reps[0],
        reps=reps,
        sources=refs["sources"],  # type: ignore[arg-type]
        inventory=refs["inventory"],  # type: ignore[arg-type]
        counters={k: int(v) for k, v in counters.items()},
        rng=random.Random(seed),  # noqa: S311 (synthetic data, reproducible by seed)
    )


def simulate_batches(
    ctx: Context, summaries: Summaries, leads: int, batch: int
) -> Generator[Batch, None, None]:
    """Simulate ``leads`` leads, ``batch`` at a time (lead days skew towards today)."""
    rng, today = ctx.rng, ctx.today_ordinal
    for start in range(0, leads, batch):
        count = min(batch, leads - start)
        rows = Rows()
        ctx.now = now_stamp()
        for _ in range(count):
            simulate_lead(ctx, rows, summaries, today - int(rng.triangular(0, 365, 0)))
        yield Batch(count, loader.blocks(rows), rows.held)


def _worker(ctx: Context, leads: int, batch: int, queue: Any) -> None:
    """The simulating process: batches into ``queue``, then the ``Outcome``."""
    summaries = Summaries(ctx.tenant_id)
    for item in simulate_batches(ctx, summaries, leads, batch):
        queue.put(item)
    queue.put(Outcome(ctx.counters, summaries.tally))


def _from_worker(
    ctx: Context, summaries: Summaries, leads: int, batch: int
) -> Generator[Batch, None, None]:
    """Batches simulated by a forked worker (two ahead at most), then its outcome merged.

    The worker is forked here, before the progress bar and the loader threads exist (a
    fork copies only the calling thread), and stopped when the batches are closed."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue(maxsize=2)
    process = context.Process(target=_worker, args=(ctx, leads, batch, queue), daemon=True)
    process.start()
    return _drain(process, queue, ctx, summaries)


def _drain(
    process: Any, queue: Any, ctx: Context, summaries: Summaries
) -> Generator[Batch, None, None]:
    try:
        while True:
            try:
                item = queue.get(timeout=5)
            except Empty:
                if not process.is_alive():
                    died = f"the simulating process died ({process.exitcode})"
                    raise RuntimeError(died) from None
                continue
            if isinstance(item, Outcome):
                ctx.counters = item.counters
                summaries.tally.merge(item.tally)
                return
            yield item
    finally:
        if process.is_alive():
            process.terminate()
        process.join()


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
    from tqdm import tqdm

    ctx = _setup(factory, slug, leads, seed)
    with tenant_transaction(factory, ctx.tenant_id) as session:
        copy = loader.can_copy(session)
    stats, summaries = Stats(), Summaries(ctx.tenant_id)
    held: dict[uuid.UUID, int] = defaultdict(int)
    if copy and leads > batch:
        batches = _from_worker(ctx, summaries, leads, batch)
    else:
        batches = simulate_batches(ctx, summaries, leads, batch)
    started = time.perf_counter()
    with (
        tqdm(total=leads, unit="lead", disable=not progress, desc=f"seeding {slug}") as bar,
        closing(batches),
    ):

        def done(item: Batch, counts: dict[str, int]) -> None:
            for name, count in counts.items():
                stats.rows[name] = stats.rows.get(name, 0) + count
            for key, units in item.held.items():
                held[key] += units
            bar.update(item.leads)
            rate = stats.total / (time.perf_counter() - started)
            bar.set_postfix_str(f"{stats.total:,} rows, {rate:,.0f} rows/s")

        _load_all(factory, ctx.tenant_id, batches, copy, done)
    with tenant_transaction(factory, ctx.tenant_id) as session:
        session.info[DISABLED] = True
        _finish(session, ctx, held)
    stats.load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with tenant_transaction(factory, ctx.tenant_id) as session:
        session.info[DISABLED] = True
        write_counters(session, ctx.tenant_id, summaries.tally.frozen(), copy=copy)
    stats.summary_seconds = time.perf_counter() - started
    with tenant_transaction(factory, ctx.tenant_id) as session:  # fresh planner statistics
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("ANALYZE"))
    return stats


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
