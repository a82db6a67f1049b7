"""The tenant a load goes into: created if missing, with its sales reps, campaigns,
sources and inventory (made once per tenant through the services, then reused), today in
the tenant's zone and the code counters to carry on from.
"""

from __future__ import annotations

import random
import secrets
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth import clock
from salestrack.auth import service as auth
from salestrack.auth.context import Actor, system_actor
from salestrack.auth.models import User
from salestrack.auth.roles import Role
from salestrack.auth.schemas import UserCreate
from salestrack.core.db import transaction, utcnow
from salestrack.core.numbering import Counter
from salestrack.documents import settings
from salestrack.documents.charges import ChargeType
from salestrack.documents.settings_schemas import DocumentSettingsIn, TaxRateIn
from salestrack.generator import people
from salestrack.generator.records import Context
from salestrack.leads import service as leads
from salestrack.leads.models import CampaignType, Channel, LeadSource, SourceType
from salestrack.leads.schemas import CampaignCreate, LeadSourceCreate
from salestrack.money import inventory
from salestrack.money.models import Inventory
from salestrack.money.schemas import InventoryCreate

CAMPAIGNS = tuple(
    (name, CampaignType(kind), budget, roi) for name, kind, budget, roi in people.CAMPAIGNS
)
SOURCES = (
    (SourceType.website, "Google Ads", Channel.paid_search, 0, 30),
    (SourceType.social, "Facebook", Channel.social_media, 1, 20),
    (SourceType.email, "Newsletter", Channel.email, 2, 8),
    (SourceType.event, "Property Expo stall", Channel.offline, 3, 10),
    (SourceType.partner, "Channel partner", Channel.referral, 4, 12),
    (SourceType.referral, "Customer referral", Channel.referral, None, 6),
    (SourceType.walk_in, "Site office walk-in", Channel.offline, None, 7),
    (SourceType.website, "Organic search", Channel.organic_search, None, 7),
)
PROJECTS = tuple(
    (project, unit_type)
    for project, unit_types, *_place in people.PROJECTS
    for unit_type in unit_types
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
        name = people.REP_NAMES[i % len(people.REP_NAMES)]
        local = name.lower().replace(" ", ".")
        data = UserCreate(
            email=f"{local}@{actor.tenant_slug}.example.com",
            password=secrets.token_urlsafe(16),
            role=Role.sales_rep,
            full_name=name,
        )
        reps.append(auth.create_user(session, actor=actor, data=data).id)
    return reps


BASE_RATE = Decimal(5)  # GST on an under-construction flat (SAC 995411: residential)
BASE_SAC = "995411"


def _quotation_settings(session: Session, actor: Actor) -> dict[str, Any]:
    """What the load's quotations are priced with: the tenant's GST rate on the base
    price, set to 5% through the settings service if it has none (every generated booking
    comes from a quotation, and the service prices that tenant's next one the same way)."""
    rates = settings.tax_rates(session, actor.tenant_id)
    if ChargeType.base_price not in rates:
        shown = settings.view(session, actor.tenant_id)
        kept = [
            TaxRateIn(charge_type=ChargeType(r.charge_type), rate=r.rate, sac_code=r.sac_code)
            for r in rates.values()
        ]
        base = TaxRateIn(charge_type=ChargeType.base_price, rate=BASE_RATE, sac_code=BASE_SAC)
        fields = {k: shown[k] for k in DocumentSettingsIn.model_fields if k != "tax_rates"}
        data = DocumentSettingsIn(**fields, tax_rates=[*kept, base])
        settings.save_settings(session, actor=actor, data=data)
        rates = settings.tax_rates(session, actor.tenant_id)
    stored = settings.get_settings(session, actor.tenant_id)
    base_rate = rates[ChargeType.base_price]
    terms = stored.quotation_terms if stored is not None else ""
    return {
        "base_rate": (base_rate.rate, base_rate.sac_code),
        "state_code": stored.state_code if stored is not None else None,
        "validity_days": stored.quotation_validity_days if stored is not None else 15,
        "quotation_terms": _copy_text(terms),
    }


def _copy_text(value: str) -> str:
    """``value`` escaped for a COPY text field (terms may hold newlines)."""
    for raw, escaped in (("\\", "\\\\"), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
        value = value.replace(raw, escaped)
    return value


def setup(factory: sessionmaker[Session], slug: str, leads: int, seed: int) -> Context:
    """The tenant (created if missing), its reps and reference data, today, code counters."""
    with transaction(factory) as session:
        tenant = auth.open_tenant(session, slug) or auth.create_tenant(
            session, slug=slug, name=slug.replace("-", " ").title()
        )
        actor = system_actor(tenant.tenant_id, tenant.slug)
        reps = _people(session, actor)
        refs = _reference_data(session, actor, max(0.6, leads / 1000))
        quoting = _quotation_settings(session, actor)
        # Generated instants are UTC minutes and a record's day is its instant's UTC day, so
        # the last day is the one that has begun both in UTC and in the tenant's zone (east
        # of UTC the tenant's day starts first: its first hours stay empty, never dated ahead).
        today = min(clock.tenant_today(session, tenant.tenant_id), utcnow().date())
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
        **quoting,
    )
