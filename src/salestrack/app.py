"""create_app(): settings, database, routers, middleware and error handlers."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI
from sqlalchemy import Engine, QueuePool
from sqlalchemy.ext.asyncio import AsyncEngine

from salestrack import __version__, wiring
from salestrack.audit.routes import router as audit_router
from salestrack.auth.key_deps import presented_key, tenant_of_request_key
from salestrack.auth.key_routes import keys_router
from salestrack.auth.routes import auth_router, me_router, users_router
from salestrack.auth.security import configure_hashing, tenant_of_token
from salestrack.billing.routes import router as billing_router
from salestrack.calendar.routes import feed_router as calendar_feed_router
from salestrack.calendar.routes import router as calendar_router
from salestrack.core.config import ConfigurationError, Settings, get_settings
from salestrack.core.db import LoopEngines, make_engine, make_loop_engine
from salestrack.core.errors import install_error_handlers
from salestrack.core.migrate import ensure_migrated
from salestrack.core.rls import connected_role_problems
from salestrack.documents.quotation_routes import router as quotations_router
from salestrack.documents.settings_routes import router as document_settings_router
from salestrack.http.idempotency_asgi import IdempotencyMiddleware
from salestrack.http.limits import BodySizeLimit
from salestrack.http.openapi_doc import install_openapi
from salestrack.intake.routes import ROUTERS as INTAKE_ROUTERS
from salestrack.journey.routes import ROUTERS as JOURNEY_ROUTERS
from salestrack.leads.routes import (
    campaigns_router,
    customers_router,
    leads_router,
    sources_router,
)
from salestrack.live.floor import LiveFloor
from salestrack.money.ledger_routes import ledger_reports_router, ledger_router
from salestrack.money.routes import bookings_router, inventory_router
from salestrack.notifications.routes import router as notifications_router
from salestrack.ops.middleware import RequestContext
from salestrack.ops.routes import router as ops_router
from salestrack.reports.routes import router as reports_router
from salestrack.web import install_web
from salestrack.webhooks.routes import router as webhooks_router

log = logging.getLogger("salestrack.app")
CAPTURE_PREFIX = "/api/v1/capture/"
IMPORT_UPLOAD_PATH = "/imports/upload"

# Starlette tries routes in order, one by one, on every request: the busiest routers come
# first (probes, then the day-to-day reads and writes of the sales floor), the rarely used
# ones last. No two routers share a path, so the order changes nothing else.
ROUTERS = [
    ops_router,  # /healthz /readyz /metrics: polled by load balancers and Prometheus
    leads_router,
    *JOURNEY_ROUTERS,
    reports_router,
    notifications_router,
    ledger_router,
    customers_router,
    bookings_router,
    inventory_router,
    ledger_reports_router,
    campaigns_router,
    sources_router,
    auth_router,
    users_router,
    me_router,
    keys_router,
    *INTAKE_ROUTERS,
    audit_router,
    webhooks_router,
    calendar_router,
    calendar_feed_router,  # /calendar/<token>.ics: calendar clients, hourly
    quotations_router,
    document_settings_router,
    billing_router,
]


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """The ASGI app. Refuses to start on an unmigrated database or without a usable key."""
    settings = settings or get_settings()
    settings.signing_key()  # fail fast: production without SALESTRACK_SECRET_KEY
    configure_hashing(settings)
    # An engine handed in (tests, embedding) belongs to the caller, who disposes it; disposing
    # it here would orphan connections other requests still hold.
    owns_engine = engine is None
    engine = engine or engine_for(settings)
    try:
        ensure_migrated(engine)
        _check_database_role(settings, engine)
    except Exception:
        if owns_engine:
            engine.dispose()
        raise

    # API handlers on PostgreSQL run on the event loop with the async driver (see
    # http.routing); pages, probes and SQLite use ``engine`` in threads.
    loop_engines = loop_engines_for(settings, engine)
    live = LiveFloor(settings, engine)  # the live floor's hub and its feed (docs/live.md)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        await live.start()
        if settings.env == "production":
            # A server process: what is built by now (modules, the app, its routes and
            # models) lives as long as the process. Kept out of the collector's generations,
            # a full collection no longer walks it, which shortens the pauses that made the
            # tail of request latency (not in tests, which build many apps in one process).
            gc.collect()
            gc.freeze()
        yield
        await live.stop()  # first: open streams end, so nothing waits on them
        if loop_engines is not None:
            await loop_engines.dispose_current()
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
    app.state.loop_engines = loop_engines
    app.state.live = live
    app.state.session_factory = wiring.session_factory(engine)
    # Wired once; each session is bound to its loop's engine (http.deps.request_session).
    app.state.loop_session_factory = wiring.session_factory(engine) if loop_engines else None
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    install_openapi(app)  # problem+json answers and Idempotency-Key in the schema
    install_web(app)  # pages (/, /login, /leads ...) on the same services
    # Inside the body limit: idempotent POSTs buffer a body that is already bounded.
    app.add_middleware(IdempotencyMiddleware, tenant_of=tenant_of_token)
    app.add_middleware(  # the capture routes: keys, not user tokens
        IdempotencyMiddleware,
        tenant_of=tenant_of_request_key,
        prefix=CAPTURE_PREFIX,
        credential=presented_key,
    )
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        upload_path=IMPORT_UPLOAD_PATH,  # the web import's file may be up to its own limit
        upload_max_bytes=settings.import_max_bytes,
    )
    app.add_middleware(RequestContext, engine=engine)  # outermost: ids, metrics, request log
    return app


def engine_for(settings: Settings) -> Engine:
    """The app's engine, with the pool and timeout settings."""
    return make_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
        statement_timeout_ms=settings.db_statement_timeout_ms,
    )


def loop_engines_for(settings: Settings, engine: Engine) -> LoopEngines | None:
    """Async-driver twins of ``engine`` (one per event loop): same URL, pool size, overflow
    and timeout (an engine handed in may have its own), and the statement timeout; None on
    SQLite."""
    if engine.dialect.name != "postgresql":
        return None
    pool = engine.pool
    sizes = {"pool_size": settings.db_pool_size, "max_overflow": settings.db_max_overflow}
    timeout = settings.db_pool_timeout_seconds
    if isinstance(pool, QueuePool):
        sizes = {"pool_size": pool.size(), "max_overflow": pool._max_overflow}
        timeout = pool.timeout()
    url = engine.url.render_as_string(hide_password=False)

    def make() -> AsyncEngine:
        made = make_loop_engine(
            url,
            **sizes,
            pool_timeout=timeout,
            statement_timeout_ms=settings.db_statement_timeout_ms,
        )
        assert made is not None  # PostgreSQL
        return made

    return LoopEngines(make)


def _check_database_role(settings: Settings, engine: Engine) -> None:
    """In production the app's role must not see past row-level security: refuse to start."""
    problems = connected_role_problems(engine)
    if not problems:
        return
    message = (
        "the app's database role can bypass row-level security: "
        + "; ".join(problems)
        + ". Connect with SALESTRACK_DATABASE_URL as the app role (SALESTRACK_APP_DB_ROLE)"
        " and migrate with SALESTRACK_MIGRATION_DATABASE_URL as the owner."
    )
    if settings.env == "production":
        raise ConfigurationError(message)
    log.warning(message)
