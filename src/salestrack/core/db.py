"""Engine, sessions, the declarative Base and the column types every domain shares.

Every table is keyed by ``tenant_id`` first so the schema can be distributed by tenant
(Citus) unchanged; the helpers here make that the path of least resistance.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Dialect,
    Engine,
    ForeignKeyConstraint,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    Uuid,
    create_engine,
    event,
    make_url,
)
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator, TypeEngine

from salestrack.core import closing

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on both databases (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC timestamp is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Money(TypeDecorator[Decimal]):
    """Exact money: NUMERIC(18,2) on PostgreSQL, integer minor units on SQLite.

    SQLite has no decimal type (NUMERIC becomes a float there), so it stores cents;
    ``SUM`` over cents stays exact and the result comes back as ``Decimal``.
    """

    PRECISION = 18
    impl = Numeric(PRECISION, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.PRECISION, 2, asdecimal=True))

    def process_bind_param(self, value: Decimal | int | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        amount = Decimal(value).quantize(Decimal("0.01"))
        return int(amount * 100) if dialect.name == "sqlite" else amount

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / 100).quantize(Decimal("0.01"))
        return Decimal(value).quantize(Decimal("0.01"))

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal


class Total(Money):
    """A running sum of amounts (report counters): ``NUMERIC(38,2)`` on PostgreSQL, so
    adding up any realistic number of amounts, each below 10^16, cannot overflow the
    column; integer minor units on SQLite, like ``Money``."""

    PRECISION = 38
    impl = Numeric(PRECISION, 2)
    cache_ok = True


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), uuid.UUID: Uuid(), Decimal: Money()}


class TenantKeyed:
    """A row owned by one tenant, keyed ``(tenant_id, id)`` with a random UUID."""

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid(), nullable=False)
    id: Mapped[uuid.UUID] = mapped_column(Uuid(), default=uuid.uuid4, nullable=False)


class Audited:
    """Who created and last changed a row, and when; ``deleted_at`` marks a soft delete."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )
    updated_by: Mapped[uuid.UUID | None] = mapped_column(Uuid(), nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


def tenant_pk() -> PrimaryKeyConstraint:
    return PrimaryKeyConstraint("tenant_id", "id")


def tenant_fk(column: str, target_table: str, *, name: str | None = None) -> ForeignKeyConstraint:
    """A foreign key to another tenant row: ``(tenant_id, column) -> target(tenant_id, id)``."""
    return ForeignKeyConstraint(
        ["tenant_id", column],
        [f"{target_table}.tenant_id", f"{target_table}.id"],
        name=name,
    )


def tenant_root_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id"], ["tenants.tenant_id"])


def make_engine(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int | None = None,
    pool_timeout: float = 3.0,
    statement_timeout_ms: int = 0,
) -> Engine:
    """An engine for SQLite (embedded) or PostgreSQL (production) with safe defaults.

    A request that cannot get a connection within ``pool_timeout`` seconds fails (503)
    rather than queueing forever; ``statement_timeout_ms`` makes PostgreSQL cancel a runaway
    statement. There is no ``pool_pre_ping``: it costs a round trip on every checkout.
    After a database restart the first statement on a dead connection fails (503), and
    SQLAlchemy, seeing a disconnect, invalidates every connection pooled before it, so the
    next requests connect afresh.
    """
    overflow = pool_size if max_overflow is None else max_overflow
    if url.startswith("sqlite"):
        pooled: dict[str, Any] = {}
        if make_url(url).database not in (None, "", ":memory:"):
            pooled = {
                "pool_size": pool_size,
                "max_overflow": overflow,
                "pool_timeout": pool_timeout,
            }
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **pooled
        )
        _configure_sqlite(engine)
        return engine
    engine = create_engine(url, **_kept_pool(pool_size, overflow, pool_timeout))
    if statement_timeout_ms:
        _set_statement_timeout(engine, statement_timeout_ms)
    return engine


def _kept_pool(pool_size: int, overflow: int, pool_timeout: float) -> dict[str, Any]:
    """PostgreSQL pool settings that keep every connection the pool opens.

    A pool of ``pool_size`` plus ``overflow`` connections at most, as configured, but with
    no overflow in SQLAlchemy's sense: an overflow connection is closed at check-in
    whenever the pool is full, so under steady concurrency above ``pool_size`` each burst
    opened and closed connections again — a new PostgreSQL backend process (fork,
    authentication, the session settings) for a fraction of the requests. Measured on the
    lead list at 16 concurrent requests: 228 new connections for 608 requests. Kept
    connections cost an idle backend each, which the sizing advice in the README already
    counts.
    """
    return {"pool_size": pool_size + overflow, "max_overflow": 0, "pool_timeout": pool_timeout}


def make_loop_engine(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int | None = None,
    pool_timeout: float = 3.0,
    statement_timeout_ms: int = 0,
) -> AsyncEngine | None:
    """An engine on PostgreSQL's async driver, for units of work run on the event loop.

    The app runs its API handlers' (sync) code in a greenlet on the event loop with a
    session on this engine: each statement awaits the socket instead of blocking a thread,
    so a request costs no trip to a thread pool and no thread switch per statement, and a
    handler waiting for a row lock holds no thread. Same pool and timeout settings as
    ``make_engine``. ``None`` on SQLite: its statements are in-process calls (an async
    SQLite driver would run each one in a thread of its own), so the app keeps one thread
    per request there.
    """
    if not url.startswith("postgresql"):
        return None
    overflow = pool_size if max_overflow is None else max_overflow
    # Autocommit at the driver: each transaction's BEGIN travels with the tenant setting and
    # the user check in one round trip (``core.opening``; the tenant listener sends it).
    engine = create_async_engine(
        url, connect_args={"autocommit": True}, **_kept_pool(pool_size, overflow, pool_timeout)
    )
    _one_by_one_on_citus(engine.sync_engine)
    closing.install(engine.sync_engine)  # numbers that travel with the COMMIT
    if statement_timeout_ms:
        _set_statement_timeout(engine.sync_engine, statement_timeout_ms)
    return engine


def _one_by_one_on_citus(engine: Engine) -> None:
    """On a Citus coordinator, connections leave autocommit off, so ``core.opening`` steps
    aside and a transaction's opening statements go one by one, as on the thread engine.

    Citus forwards a ``SET LOCAL`` to the workers a transaction reaches as the text of the
    whole query it arrived in: the opening script's ``BEGIN; SET LOCAL …; SELECT …`` would
    run again on each worker (a second ``BEGIN``, then the companion query against tables
    that are shards there), failing every request. Asked once per engine, at its first
    connection."""
    on_citus: list[bool] = []  # filled once; a racing second look finds the same answer

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        if not on_citus:
            cursor = dbapi_connection.cursor()  # the async driver's adapter: no ``with``
            cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')")
            on_citus.append(bool(cursor.fetchone()[0]))
            cursor.close()
        if on_citus[0]:
            dbapi_connection.autocommit = False


class LoopEngines:
    """The async-driver engine of each running event loop, made on first use.

    An async engine's connections and pool belong to the event loop that made them. A
    server process runs one loop, so it makes one engine; a client that starts a loop per
    request (a test client) gets one per loop instead of sharing connections across loops,
    and the engines of loops that have closed are dropped (their connections close as they
    are collected).
    """

    def __init__(self, make: Callable[[], AsyncEngine]) -> None:
        self._make = make
        self._by_loop: dict[asyncio.AbstractEventLoop, AsyncEngine] = {}
        self._lock = threading.Lock()  # loops run in threads of their own (test clients)

    async def current(self) -> AsyncEngine:
        """The running loop's engine (await it on that loop)."""
        loop = asyncio.get_running_loop()
        engine = self._by_loop.get(loop)
        if engine is not None:
            return engine
        with self._lock:
            retired = [self._by_loop.pop(old) for old in list(self._by_loop) if old.is_closed()]
            engine = self._by_loop.get(loop)
            if engine is None:
                engine = self._by_loop[loop] = self._make()
        for old_engine in retired:
            await _dispose_quietly(old_engine)
        return engine

    async def dispose_current(self) -> None:
        with self._lock:
            engine = self._by_loop.pop(asyncio.get_running_loop(), None)
        if engine is not None:
            await engine.dispose()


async def _dispose_quietly(engine: AsyncEngine) -> None:
    """Close a closed loop's pooled connections (closing one does no I/O to wait for)."""
    try:
        await engine.dispose()
    except Exception:  # a connection already broken: nothing left to release
        logging.getLogger(__name__).debug("disposing a closed loop's engine", exc_info=True)


def runs_on_loop(session: Session) -> bool:
    """``session`` is bound to an engine on an async driver (``make_loop_engine``): its
    statements must run in a greenlet on the event loop, never in a thread."""
    return bool(session.get_bind().dialect.is_async)


def _set_statement_timeout(engine: Engine, milliseconds: int) -> None:
    """Every connection cancels statements running longer than ``milliseconds``."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()  # also the async driver's adapter: no ``with``
        cursor.execute(f"SET statement_timeout = {int(milliseconds)}")
        cursor.close()
        dbapi_connection.commit()


def _configure_sqlite(engine: Engine) -> None:
    """Foreign keys on, WAL, and ``BEGIN IMMEDIATE`` so writers queue instead of deadlocking.

    SQLite allows one writer; taking the write lock when the transaction begins makes
    read-modify-write sequences (balances, counters, status changes) serial, the same
    guarantee ``SELECT ... FOR UPDATE`` gives on PostgreSQL.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Bare sessions on ``engine``: ``salestrack.wiring.session_factory`` is what the app,
    the CLI and the tests use (tenancy, user check, audit, summaries, journey hooks)."""
    return sessionmaker(engine, expire_on_commit=False, autoflush=True)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work outside a request (CLI, demo data): commit or roll back.

    On PostgreSQL the session must be told its tenant before its first query
    (``tenancy.set_tenant``, or use ``tenancy.tenant_transaction``).
    """
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def upsert_insert(session: Session) -> Any:
    """The dialect's ``insert`` (with ``on_conflict_*``) for the session's database."""
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
