"""The demo tenant `make run` opens on: created once, left alone afterwards."""

from __future__ import annotations

import os
import random
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

import salestrack.models  # noqa: F401  (every domain's hooks, e.g. a lead's first milestone)
from salestrack.auth import service as auth
from salestrack.auth.context import Actor, system_actor
from salestrack.auth.roles import Role
from salestrack.auth.schemas import UserCreate
from salestrack.db import transaction
from salestrack.leads import schemas, service
from salestrack.leads.models import CampaignType, Channel, SourceType

DEMO_TENANT = "demo"
DEMO_ADMIN = "admin@demo.example.com"


def demo_password() -> str:
    """Not a secret: the demo tenant only exists on development machines."""
    return os.environ.get("SALESTRACK_DEMO_PASSWORD", "demo-admin-pass")


def ensure_demo(factory: sessionmaker[Session]) -> dict[str, str]:
    login = {"tenant": DEMO_TENANT, "email": DEMO_ADMIN, "password": demo_password()}
    with transaction(factory) as session:
        if auth.open_tenant(session, DEMO_TENANT) is not None:
            return login
        tenant = auth.create_tenant(session, slug=DEMO_TENANT, name="Demo Realty")
        actor = system_actor(tenant.tenant_id, tenant.slug)
        admin = auth.create_user(
            session,
            actor=actor,
            data=UserCreate(
                email=DEMO_ADMIN,
                password=login["password"],
                role=Role.admin,
                full_name="Demo Admin",
            ),
        )
        for email, role, name in (
            ("manager@demo.example.com", Role.manager, "Meera Manager"),
            ("rep@demo.example.com", Role.sales_rep, "Ravi Rep"),
        ):
            auth.create_user(
                session,
                actor=actor,
                data=UserCreate(email=email, password=login["password"], role=role, full_name=name),
            )
        as_admin = Actor(tenant.tenant_id, tenant.slug, admin.id, Role.admin, admin.email)
        _sample_sales_data(session, as_admin)
    return login


def _sample_sales_data(session: Session, actor: Actor) -> None:
    rng = random.Random(2025)
    today = service.today()
    campaigns = [
        service.CAMPAIGNS.create(
            session,
            actor=actor,
            data=schemas.CampaignCreate(
                campaign_name=name,
                campaign_type=kind,
                budget=Decimal(budget),
                expected_roi=Decimal(roi),
                start_date=today - timedelta(days=300),
                end_date=today + timedelta(days=60),
            ),
        )
        for name, kind, budget, roi in (
            ("Whitefield Towers launch", CampaignType.digital, "250000", "300"),
            ("Q4 Email Blast", CampaignType.email, "50000", "300"),
            ("Channel partner referrals", CampaignType.referral, "80000", "150"),
        )
    ]
    sources = [
        service.SOURCES.create(
            session,
            actor=actor,
            data=schemas.LeadSourceCreate(
                source_type=kind,
                subsource_name=sub,
                channel=channel,
                campaign_id=campaigns[i].id if i is not None else None,
            ),
        )
        for kind, sub, channel, i in (
            (SourceType.website, "Google Ads", Channel.paid_search, 0),
            (SourceType.social, "Facebook", Channel.social_media, 0),
            (SourceType.email, "Newsletter", Channel.email, 1),
            (SourceType.referral, "Channel partner", Channel.referral, 2),
            (SourceType.walk_in, "Site office", Channel.offline, None),
        )
    ]
    first = ["Rahul", "Priya", "Anil", "Sneha", "Vikram", "Kavya", "Arjun", "Divya", "Rohan"]
    last = ["Sharma", "Iyer", "Reddy", "Patel", "Nair", "Gupta", "Rao", "Menon", "Das"]
    for _ in range(40):
        source = rng.choice(sources)
        service.create_lead(
            session,
            actor=actor,
            data=schemas.LeadCreate(
                name=f"{rng.choice(first)} {rng.choice(last)}",
                company=rng.choice(["", "Infosys", "Wipro", "Self-employed", "Bosch"]),
                phone=f"+91 98{rng.randint(10000000, 99999999)}",
                source_id=source.id,
                campaign_id=source.campaign_id,
                expected_value=Decimal(rng.choice([4_500_000, 7_500_000, 12_000_000])),
                lead_date=today - timedelta(days=rng.randint(0, 360)),
            ),
        )
