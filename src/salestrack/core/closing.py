"""Statements that travel with a transaction's ``COMMIT``, in the same round trip.

A gap-free number (a receipt's) locks its counter row from the moment it is taken until the
transaction ends. Taken by a statement of its own, the lock lasts that statement's round
trip, every statement after it and the ``COMMIT``'s, and on a busy app server each round
trip also waits its turn on the event loop: the tenant's next payment waits for all of
that, and payments queue behind one another. Sent as ``<statements>; COMMIT`` in one
simple-protocol script, the lock lives only while the database runs that script.

Only connections whose transactions start with a script of ours (``core.opening``: the
API's engine on PostgreSQL, not on Citus) can do this; ``sends_with_commit`` says whether
the session's can, and a caller that gets False takes its number the ordinary way. A
``Closing``'s statements run as the transaction's last ones, in the order they were added;
if any fails, the transaction rolls back with the error (wrapped as SQLAlchemy's, so it is
reported as every database error is), and nothing of it is kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, event, insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.util import await_only

from salestrack.core import opening

PENDING = "salestrack.closing.pending"  # connection.info: this transaction's closings
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@dataclass(frozen=True)
class Closing:
    """Statements (psycopg ``%(name)s`` placeholders, values bound by psycopg on the client)
    and what to do with the first row of the last one (None: it returned no row)."""

    statements: Sequence[str]
    params: dict[str, Any]
    on_row: Callable[[tuple[Any, ...] | None], None]


def no_row_needed(_row: tuple[Any, ...] | None) -> None:
    """``on_row`` for a closing whose statements return nothing to act on."""


def sends_with_commit(session: Session) -> bool:
    """The session's transaction can send statements with its ``COMMIT``."""
    return opening.owns_begin(session.connection())


def send_with_commit(session: Session, closing: Closing) -> None:
    """Run ``closing`` as part of the commit of the session's transaction (only where
    ``sends_with_commit``)."""
    session.connection().info.setdefault(PENDING, []).append(closing)


def insert_at_commit(session: Session, model: Any, values: dict[str, Any]) -> bool:
    """Insert a row of ``model`` by a statement sent with the COMMIT, where the session's
    transaction can send one (``sends_with_commit``) and no batch is being written; False
    elsewhere, and the caller adds the row to the session as usual.

    For rows the writing transaction never reads back (audit entries, notifications, mail
    jobs): one round trip and one flush fewer per row. The row's Python-side column
    defaults are filled in and its values go through its column types' bind processing,
    exactly as the ORM's own insert would send them.
    """
    from salestrack.core import batching  # imports core.db, which imports this module

    if batching.current(session) is not None:
        return False
    connection = session.connection()
    if not opening.owns_begin(connection):
        return False
    if len(connection.info.get(PENDING, [])) >= MAX_ROWS_AT_COMMIT:
        return False  # a write of many rows: the ORM's multi-row inserts, not a long script
    table = model.__table__
    row = dict(values)
    for column in table.columns:
        default = column.default
        if column.key in row or default is None:
            continue
        if not (default.is_scalar or default.is_callable):
            return False  # a SQL expression or sequence: the ORM knows how to insert it
        row[column.key] = default.arg(None) if default.is_callable else default.arg
    sql, processors = _insert_of(table, tuple(sorted(row)), connection.dialect)
    params = {
        name: processors[name](value) if processors[name] else value for name, value in row.items()
    }
    send_with_commit(session, Closing((sql,), params, no_row_needed))
    return True


MAX_ROWS_AT_COMMIT = 50
_INSERTS: dict[tuple[str, tuple[str, ...], Any], tuple[str, dict[str, Any]]] = {}


def _insert_of(table: Any, names: tuple[str, ...], dialect: Any) -> tuple[str, dict[str, Any]]:
    """An ``INSERT`` of ``names`` into ``table`` in psycopg placeholders, and each value's
    bind processor: compiled once per table, column set and dialect (the engine's own:
    its processors are the engine's, e.g. its JSON serializer)."""
    key = (table.name, names, dialect)
    found = _INSERTS.get(key)
    if found is None:
        statement = insert(table).values({name: bindparam(name) for name in names})
        processors = {
            name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
        }
        found = _INSERTS[key] = (str(statement.compile(dialect=dialect)), processors)
    return found


def install(engine: Engine) -> None:
    """Send pending closings with the commits of ``engine``'s connections."""
    event.listen(engine, "commit", _commit)
    event.listen(engine, "rollback", _forget)


def _forget(connection: Connection) -> None:
    if not connection.invalidated:  # an invalidated connection's info would reconnect
        connection.info.pop(PENDING, None)


def _commit(connection: Connection) -> None:
    """``<closings>; COMMIT`` as one script; the driver's own commit then finds no
    transaction open and sends nothing."""
    if connection.invalidated:
        return
    closings: list[Closing] = connection.info.pop(PENDING, [])
    if not closings:
        return
    import psycopg  # only the PostgreSQL driver's connections own their transactions

    statements: list[str] = []
    params: dict[str, Any] = {}
    for index, closing in enumerate(closings):  # each closing's names made its own
        statements += [_PLACEHOLDER.sub(rf"%(c{index}_\1)s", s) for s in closing.statements]
        params.update({f"c{index}_{name}": value for name, value in closing.params.items()})
    script = "; ".join([*statements, "COMMIT"])
    driver: Any = connection.connection.driver_connection
    try:
        rows = await_only(opening.script_rows(driver, script, params, range(len(statements))))
    except psycopg.Error as exc:
        _end_failed(connection, driver, exc)
        raise DBAPIError.instance(script, params, exc, psycopg.Error) from exc
    at = 0
    for closing in closings:
        at += len(closing.statements)
        closing.on_row(rows[at - 1])


def _end_failed(connection: Connection, driver: Any, exc: Exception) -> None:
    """A statement of the script failed, so its COMMIT never ran: the transaction is still
    open (aborted) on the server. SQLAlchemy counts it as ended by the commit it tried and
    sends no ROLLBACK, nor does the pool when the connection is checked in, so end it here;
    a connection that cannot is invalidated rather than handed to the next request."""
    import psycopg

    try:
        if not (driver.closed or driver.broken):
            # psycopg sends ROLLBACK whenever the server reports a transaction open
            await_only(driver.rollback())
            return
    except psycopg.Error:
        pass
    connection.invalidate(exc)
