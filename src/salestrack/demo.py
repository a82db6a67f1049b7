"""The demo tenant `make run` opens on: created once, left alone afterwards."""

from __future__ import annotations

import os

from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth import service as auth
from salestrack.auth.context import system_actor
from salestrack.auth.roles import Role
from salestrack.auth.schemas import UserCreate
from salestrack.core.db import transaction
from salestrack.generator.seed import generate

DEMO_TENANT = "demo"
DEMO_ADMIN = "admin@demo.example.com"


def demo_password() -> str:
    """Not a secret: the demo tenant only exists on development machines."""
    return os.environ.get("SALESTRACK_DEMO_PASSWORD", "sea-view-tower-17")


def ensure_demo(factory: sessionmaker[Session]) -> dict[str, str]:
    login = {"tenant": DEMO_TENANT, "email": DEMO_ADMIN, "password": demo_password()}
    with transaction(factory) as session:
        if auth.open_tenant(session, DEMO_TENANT) is not None:
            return login
        tenant = auth.create_tenant(
            session, slug=DEMO_TENANT, name="Demo Realty (Bengaluru and Pune)"
        )
        actor = system_actor(tenant.tenant_id, tenant.slug)
        admin = auth.create_user(
            session,
            actor=actor,
            data=UserCreate(
                email=DEMO_ADMIN,
                password=login["password"],
                role=Role.admin,
                full_name="Anand Rao",
            ),
        )
        for email, role, name in (
            ("manager@demo.example.com", Role.manager, "Meera Iyer"),
            ("rep@demo.example.com", Role.sales_rep, "Ravi Kumar"),
        ):
            auth.create_user(
                session,
                actor=actor,
                data=UserCreate(email=email, password=login["password"], role=role, full_name=name),
            )
        del admin
    # A year of leads, journeys, bookings and payments, so every report and chart has
    # something to say (small enough that `make run` stays quick).
    leads = int(os.environ.get("SALESTRACK_DEMO_LEADS", "600"))
    generate(factory, DEMO_TENANT, leads=leads, seed=2025, progress=False)
    return login
