"""create_app(): settings, database, routers, middleware and error handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import Engine

from salestrack import __version__
from salestrack.audit.routes import router as audit_router
from salestrack.auth.routes import auth_router, users_router
from salestrack.auth.security import configure_hashing
from salestrack.config import Settings, get_settings
from salestrack.db import make_engine, make_session_factory
from salestrack.errors import install_error_handlers
from salestrack.journey.routes import ROUTERS as JOURNEY_ROUTERS
from salestrack.leads.routes import (
    campaigns_router,
    customers_router,
    leads_router,
    sources_router,
)
from salestrack.limits import BodySizeLimit
from salestrack.migrate import ensure_migrated
from salestrack.money.idempotency_asgi import IdempotencyMiddleware
from salestrack.money.ledger_routes import ledger_reports_router, ledger_router
from salestrack.money.routes import bookings_router, inventory_router
from salestrack.reports.routes import router as reports_router
from salestrack.web import install_web

ROUTERS = [
    auth_router,
    users_router,
    leads_router,
    customers_router,
    campaigns_router,
    sources_router,
    *JOURNEY_ROUTERS,
    audit_router,
    inventory_router,
    bookings_router,
    ledger_router,
    ledger_reports_router,
    reports_router,
]


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """The ASGI app. Refuses to start on an unmigrated database or without a usable key."""
    settings = settings or get_settings()
    settings.signing_key()  # fail fast: production without SALESTRACK_SECRET_KEY
    configure_hashing(settings)
    # An engine handed in (tests, embedding) belongs to the caller, who disposes it; disposing
    # it here would orphan connections other requests still hold.
    owns_engine = engine is None
    engine = engine or make_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        pool_timeout=settings.db_pool_timeout_seconds,
    )
    try:
        ensure_migrated(engine)
    except Exception:
        if owns_engine:
            engine.dispose()
        raise

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owns_engine:
            engine.dispose()

    app = FastAPI(
        title="salestrack",
        version=__version__,
        description=(
            "Leads, journey, bookings, ledger and reports. Tenancy by X-Tenant-ID. Every POST "
            "under /api/v1/sales/ accepts an Idempotency-Key header (kept at least 24 hours)."
        ),
        lifespan=lifespan,
        docs_url=None,  # served by the web package from vendored files (works offline)
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    install_web(app)  # pages (/, /login, /leads ...) on the same services
    # Inside the body limit: idempotent POSTs buffer a body that is already bounded.
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
