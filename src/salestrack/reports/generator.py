"""``salestrack seed``: a year of realistic sales data for one tenant, loaded fast.

Reference data (users, campaigns, sources, inventory) goes through the services; the bulk
(leads and everything that happens to them) is simulated by ``simulate`` and loaded with
COPY on PostgreSQL (executemany on SQLite) in batches, with summary maintenance off; the
report summaries are rebuilt once at the end. Code counters and inventory sizes are set so
the services carry on from the loaded data (next codes free, availability not negative).
"""

from __future__ import annotations

import random
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth import service as auth
from salestrack.auth.context import Actor, system_actor
from salestrack.auth.models import User
from salestrack.auth.roles import Role
from salestrack.auth.schemas import UserCreate
from salestrack.db import transaction, upsert_insert
from salestrack.journey import clock
from salestrack.leads import service as leads
from salestrack.leads.models import CampaignType, Channel, LeadSource, SourceType
from salestrack.leads.schemas import CampaignCreate, LeadSourceCreate
from salestrack.money import inventory
from salestrack.money.models import Inventory
from salestrack.money.schemas import InventoryCreate
from salestrack.numbering import Counter
from salestrack.reports import loader, summaries
from salestrack.reports.rebuild import rebuild
from salestrack.reports.simulate import Context, Rows, simulate_lead

BATCH = 10_000
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
    rebuild_seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def summary(self) -> str:
        rate = self.total / self.load_seconds if self.load_seconds else 0
        parts = ", ".join(f"{n:,} {name}" for name, n in self.rows.items())
        return (
            f"loaded {self.total:,} rows ({parts}) in {self.load_seconds:.1f}s"
            f" = {rate:,.0f} rows/s;"
            f" summaries rebuilt in {self.rebuild_seconds:.1f}s"
        )


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


def generate(
    factory: sessionmaker[Session], slug: str, *, leads: int, seed: int = 1, progress: bool = True
) -> Stats:
    from tqdm import tqdm

    with transaction(factory) as session:
        tenant = auth.find_tenant(session, slug) or auth.create_tenant(
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
    admin = reps[0]
    ctx = Context(
        tenant_id=tenant.tenant_id,
        today=today,
        actor_id=admin,
        reps=reps,
        sources=refs["sources"],  # type: ignore[arg-type]
        inventory=refs["inventory"],  # type: ignore[arg-type]
        counters={k: int(v) for k, v in counters.items()},
        rng=random.Random(seed),  # noqa: S311 (synthetic data, reproducible by seed)
    )
    stats = Stats()
    held: dict[uuid.UUID, int] = {}
    started = time.perf_counter()
    with tqdm(total=leads, unit="lead", disable=not progress, desc=f"seeding {slug}") as bar:
        for start in range(0, leads, BATCH):
            rows = Rows()
            for _ in range(min(BATCH, leads - start)):
                day = today - timedelta(days=int(ctx.rng.triangular(0, 365, 0)))
                simulate_lead(ctx, rows, day)
            with transaction(factory) as session:
                session.info[summaries.DISABLED] = True
                for name, count in loader.load(session, rows).items():
                    stats.rows[name] = stats.rows.get(name, 0) + count
            for key, units in rows.held.items():
                held[key] = held.get(key, 0) + units
            bar.update(min(BATCH, leads - start))
    with transaction(factory) as session:
        session.info[summaries.DISABLED] = True
        _finish(session, ctx, held)
    stats.load_seconds = time.perf_counter() - started
    with transaction(factory) as session:  # fresh statistics for the planner
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("ANALYZE"))
    started = time.perf_counter()
    with transaction(factory) as session:
        rebuild(session, tenant.tenant_id)
    stats.rebuild_seconds = time.perf_counter() - started
    return stats


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
