"""One round trip to open an API transaction: ``BEGIN``, the tenant setting and the user check.

Every API request on PostgreSQL begins a transaction, names its tenant (``SET LOCAL``, for
row-level security) and checks its user (``auth.verification``) before the handler's first
statement. Sent one by one that is three round trips (psycopg sends its own ``BEGIN``
first), and a profile of the lead list found each round trip costing about a seventh of the
request's CPU on the app side alone (a send, an epoll registration, a wake-up and the
result's parsing), plus the database's share.

The engine the API handlers use on the event loop (``core.db.make_loop_engine``) therefore
opens its driver connections in psycopg's autocommit mode, and every transaction's opening
statements travel as **one** simple-protocol script: ``BEGIN; SET LOCAL …; SELECT …``. With
autocommit on, psycopg sends no ``BEGIN`` of its own, so the transaction is exactly the
script's. Nothing else changes: every statement after the script runs inside that
transaction, and ``commit()`` / ``rollback()`` (SQLAlchemy's, the pool's reset on return)
send ``COMMIT`` / ``ROLLBACK`` whenever the server reports a transaction open, which psycopg
does whatever its autocommit setting. A transaction that never ran the script cannot
happen on that engine: every session on it is wired, and the tenant listener either sends
the script or raises before any statement (``TenantNotSet``).

Higher layers add their own statements to that script as *companions* (``add_companion``):
the user check reads the user's role, epoch and tenant zone; a POST with an
``Idempotency-Key`` claims its key (``http.idempotency_asgi``). Each companion names the
statement whose row it wants back (``opened_row``) and may turn a database error of the
script into its own refusal (the key's lock wait running out is a 409, not a 503).

The companions' values are bound on the client by psycopg (``ClientCursor``: its own
quoting, not string formatting), because the server's extended protocol allows one
statement per message; the tenant setting is ``tenancy.set_local_statement``'s, rendered
from a ``uuid.UUID``. Engines in psycopg's default mode (the thread engine of pages and
probes, the CLI) keep sending the statements one by one, and so does the loop engine on a
Citus coordinator (``core.db``): Citus forwards a ``SET LOCAL`` to the workers as the text
of the whole query it came in, so the script itself would run again on each worker.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session
from sqlalchemy.util import await_only

# session.info key: the reads higher layers want in the opening round trip, by name.
COMPANIONS = "salestrack.opening.companions"
# connection.info key: what the opening script of the connection's current transaction read.
OPENED = "salestrack.opening.opened"


@dataclass(frozen=True)
class Companion:
    """Statements sent with the opening ones (psycopg ``%(name)s`` placeholders; names
    unique across the companions of a session), of which the one at ``row_of`` returns
    the row the companion reads (its first row, or None).

    ``refusal`` turns a database error of the script into the error the request should
    get (None: not this companion's), e.g. a lock the companion waited for too long.
    """

    statements: tuple[str, ...]
    params: dict[str, Any]
    row_of: int = 0
    refusal: Callable[[Exception], Exception | None] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Opened:
    """The transaction the script opened (weakly: a pooled connection keeps this until its
    next transaction, and must not keep the last request's session alive with it), and
    each companion's row (None: no row)."""

    transaction: weakref.ref[Any]
    rows: dict[str, tuple[Any, ...] | None]


def add_companion(session: Session, name: str, companion: Companion) -> None:
    """Send ``companion`` with the opening script of each of ``session``'s transactions,
    until ``drop_companion``; an engine that does not open with a script ignores it."""
    session.info.setdefault(COMPANIONS, {})[name] = companion


def drop_companion(session: Session, name: str) -> None:
    session.info.get(COMPANIONS, {}).pop(name, None)


def owns_begin(connection: Connection) -> bool:
    """This connection's transactions start with a script of ours, not psycopg's ``BEGIN``
    (the async driver's connections of ``core.db.make_loop_engine``)."""
    if connection.dialect.name != "postgresql" or not connection.dialect.is_async:
        return False
    driver = connection.connection.driver_connection
    return bool(getattr(driver, "autocommit", False)) and not connection.in_nested_transaction()


def open_transaction(
    connection: Connection, transaction: Any, statements: list[str], session: Session
) -> None:
    """``BEGIN``, ``statements`` and the session's companions in one round trip; their rows
    are kept in ``connection.info`` for this transaction (``opened_row``)."""
    import psycopg  # the PostgreSQL driver; only engines on it own their BEGIN

    companions: dict[str, Companion] = dict(session.info.get(COMPANIONS, {}))
    parts = ["BEGIN", *statements]
    wanted: dict[int, str] = {}  # result index -> companion
    params: dict[str, Any] = {}
    for name, companion in companions.items():
        wanted[len(parts) + companion.row_of] = name
        parts.extend(companion.statements)
        params.update(companion.params)
    driver: Any = connection.connection.driver_connection
    try:
        rows = await_only(_run_async(driver, "; ".join(parts), params or None, wanted))
    except psycopg.Error as exc:
        for companion in companions.values():
            refused = companion.refusal(exc) if companion.refusal else None
            if refused is not None:
                raise refused from exc
        raise driver_error(connection, "; ".join(parts), params, exc) from exc
    connection.info[OPENED] = Opened(weakref.ref(transaction), rows)


def driver_error(connection: Connection, sql: str, params: Any, exc: Exception) -> StatementError:
    """A psycopg error met outside SQLAlchemy's own execution, as SQLAlchemy would raise
    it (so a lost connection is a 503 like any other), the connection invalidated if the
    error broke it."""
    import psycopg

    driver: Any = connection.connection.driver_connection
    if driver.closed or driver.broken:
        connection.invalidate(exc)
    return DBAPIError.instance(sql, params, exc, psycopg.Error)


async def _run_async(
    driver: Any, script: str, params: Any, wanted: dict[int, str]
) -> dict[str, Any]:
    found = await script_rows(driver, script, params, wanted)
    return {name: found[index] for index, name in wanted.items()}


async def script_rows(
    driver: Any, script: str, params: Any, wanted: Iterable[int]
) -> dict[int, tuple[Any, ...] | None]:
    """Run a simple-protocol script on an async psycopg connection (values bound by psycopg
    on the client); the first row (None: no row) of each statement whose index is wanted."""
    import psycopg

    indexes = set(wanted)
    rows: dict[int, tuple[Any, ...] | None] = {}
    cursor = psycopg.AsyncClientCursor(driver)
    try:
        await cursor.execute(script, params)
        for index in range(max(indexes, default=-1) + 1):
            if index in indexes:
                rows[index] = await cursor.fetchone() if cursor.description else None
            cursor.nextset()
    finally:
        await cursor.close()
    return rows


def opened_row(
    connection: Connection, transaction: Any, name: str
) -> tuple[bool, tuple[Any, ...] | None]:
    """``(True, row)`` if the opening script of ``transaction`` read companion ``name``."""
    opened: Opened | None = connection.info.get(OPENED)
    if opened is None or opened.transaction() is not transaction or name not in opened.rows:
        return False, None
    return True, opened.rows[name]
