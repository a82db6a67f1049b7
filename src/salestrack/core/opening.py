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

The companion query's values are bound on the client by psycopg (``ClientCursor``: its own
quoting, not string formatting), because the server's extended protocol allows one
statement per message; the tenant setting is ``tenancy.set_local_statement``'s, rendered
from a ``uuid.UUID``. Engines in psycopg's default mode (the thread engine of pages and
probes, the CLI) keep sending the statements one by one, and so does the loop engine on a
Citus coordinator (``core.db``): Citus forwards a ``SET LOCAL`` to the workers as the text
of the whole query it came in, so the script itself would run again on each worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.util import await_only

# session.info key: the read a higher layer wants in the transaction's opening round trip.
COMPANION = "salestrack.opening.companion"
# connection.info key: what the opening script of the connection's current transaction read.
OPENED = "salestrack.opening.opened"


@dataclass(frozen=True)
class Companion:
    """A one-row read sent with the opening statements (psycopg ``%(name)s`` placeholders)."""

    sql: str
    params: dict[str, Any]


@dataclass(frozen=True)
class Opened:
    """The transaction the script opened, and the companion's first row (None: no row)."""

    transaction: Any
    row: tuple[Any, ...] | None


def owns_begin(connection: Connection) -> bool:
    """This connection's transactions start with a script of ours, not psycopg's ``BEGIN``."""
    if connection.dialect.name != "postgresql":
        return False
    driver = connection.connection.driver_connection
    return bool(getattr(driver, "autocommit", False)) and not connection.in_nested_transaction()


def open_transaction(
    connection: Connection, transaction: Any, statements: list[str], companion: Companion | None
) -> None:
    """``BEGIN``, ``statements`` and ``companion`` in one round trip; the companion's row is
    kept in ``connection.info`` for this transaction (``opened_row``)."""
    import psycopg  # the PostgreSQL driver; only engines on it own their BEGIN

    parts = ["BEGIN", *statements]
    params: dict[str, Any] | None = None
    if companion is not None:
        parts.append(companion.sql)
        params = companion.params
    script = "; ".join(parts)
    driver: Any = connection.connection.driver_connection
    row: tuple[Any, ...] | None
    if connection.dialect.is_async:
        acursor = psycopg.AsyncClientCursor(driver)
        try:
            await_only(acursor.execute(script, params))
            row = await_only(_last_row_async(acursor)) if companion else None
        finally:
            await_only(acursor.close())
    else:
        with psycopg.ClientCursor(driver) as cursor:
            cursor.execute(script, params)
            while cursor.nextset():
                pass
            row = cursor.fetchone() if companion else None
    connection.info[OPENED] = Opened(transaction, row)


async def _last_row_async(cursor: Any) -> tuple[Any, ...] | None:
    while cursor.nextset():
        pass
    row: tuple[Any, ...] | None = await cursor.fetchone()
    return row


def opened_row(connection: Connection, transaction: Any) -> Opened | None:
    """What the opening script of ``transaction`` read, if a script opened it."""
    opened: Opened | None = connection.info.pop(OPENED, None)
    if opened is None or opened.transaction is not transaction:
        return None
    return opened
