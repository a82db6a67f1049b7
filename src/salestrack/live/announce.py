"""Announcing a transaction's changes when, and only when, it commits.

Installed on a session factory by ``salestrack.wiring`` (like the report summaries): after
each flush the session notes what the flushed rows stand for (``changes.of_flush``); a
savepoint rolled back takes its notes with it, a rollback forgets them all. Just before the
outermost commit the notes become one message per tenant:

- PostgreSQL: ``pg_notify`` in the writer's own transaction. PostgreSQL delivers it to the
  listeners only when the transaction commits, and never if it rolls back, so no page is
  told of a change that did not happen, on any app server. On the API's connections the
  ``pg_notify`` travels with the ``COMMIT`` itself (``core.closing``): no round trip of
  its own.
- SQLite: the messages wait on the session and are published in this process once the
  commit has succeeded (``after_commit``).

A bulk load that turns the summaries off (``reports.summaries.DISABLED``) is still
announced: the pages then show it at once (as ``bulk`` when large).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event, inspect, text
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, sessionmaker

from salestrack.auth.models import User
from salestrack.core import closing
from salestrack.core.tenancy import session_tenant
from salestrack.live import changes, wire
from salestrack.live.changes import Change
from salestrack.live.local import BUS, database_key

_USERS = inspect(User)
NOTES = "salestrack.live.notes"
OUTGOING = "salestrack.live.outgoing"
CHANNEL_PREFIX = "salestrack_live:"
# One channel per database schema (a channel is database-wide: two installations sharing a
# database in different schemas, or two test runs, must not hear each other). PostgreSQL
# caps channel names at 63 bytes.
CHANNEL_SQL = f"'{CHANNEL_PREFIX}' || coalesce(left(current_schema(), 40), '')"
NOTIFY = text(f"SELECT pg_notify({CHANNEL_SQL}, :payload)")
NOTIFY_AT_COMMIT = (f"SELECT pg_notify({CHANNEL_SQL}, %(payload)s)",)  # ``core.closing``


@dataclass(frozen=True)
class Note:
    tenant_id: uuid.UUID
    change: Change
    savepoints: tuple[SessionTransaction, ...]


def _savepoints(session: Session) -> tuple[SessionTransaction, ...]:
    """The savepoints open now, innermost first (rolling back any drops what is noted)."""
    chain = []
    transaction = session.get_nested_transaction()
    while transaction is not None and transaction.nested:
        chain.append(transaction)
        transaction = transaction.parent
    return tuple(chain)


def _notes(session: Session) -> list[Note]:
    found: list[Note] = session.info.setdefault(NOTES, [])
    return found


def _after_flush(session: Session, _context: Any) -> None:
    chain = _savepoints(session)
    _notes(session).extend(Note(t, c, chain) for t, c in changes.of_flush(session))


def _on_execute(state: ORMExecuteState) -> None:
    """A bulk ``UPDATE users`` (ending a user's sessions raises their epoch this way): the
    tenant's streams check their viewers again."""
    if not state.is_update or state.bind_mapper is not _USERS:
        return
    tenant_id = session_tenant(state.session)
    if tenant_id is not None:
        change = Change(changes.USER_CHANGED)
        _notes(state.session).append(Note(tenant_id, change, _savepoints(state.session)))


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: its notes wait for the outermost commit
    session.flush()
    notes: list[Note] = session.info.pop(NOTES, [])
    if not notes:
        return
    by_tenant: dict[uuid.UUID, list[Change]] = {}
    for note in notes:
        by_tenant.setdefault(note.tenant_id, []).append(note.change)
    messages = [wire.message(tenant_id, found) for tenant_id, found in by_tenant.items()]
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        payloads = [{"payload": wire.encode(item)} for item in messages]
        if closing.sends_with_commit(session):  # one round trip fewer: with the COMMIT
            for values in payloads:
                closing.send_with_commit(
                    session, closing.Closing(NOTIFY_AT_COMMIT, values, closing.no_row_needed)
                )
            return
        for values in payloads:
            session.execute(NOTIFY, values)
    elif isinstance(bind, Engine):
        session.info[OUTGOING] = (database_key(bind), messages)


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    outgoing = session.info.pop(OUTGOING, None)
    if outgoing is not None:
        BUS.publish(*outgoing)


def _after_soft_rollback(session: Session, previous: SessionTransaction) -> None:
    if previous.parent is None:
        session.info.pop(NOTES, None)
        session.info.pop(OUTGOING, None)
    elif previous.nested and NOTES in session.info:
        session.info[NOTES] = [n for n in _notes(session) if previous not in n.savepoints]


def install(factory: sessionmaker[Session]) -> None:
    """Announce the committed changes of ``factory``'s sessions (install after the report
    summaries: their commit-time flush is noted too)."""
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "do_orm_execute", _on_execute)
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_commit", _after_commit)
    event.listen(factory, "after_soft_rollback", _after_soft_rollback)
