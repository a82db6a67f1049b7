"""Which tenant a database session acts for, enforced by PostgreSQL row-level security.

Every query already filters by tenant (``crud.scoped``). On PostgreSQL the database checks
it a second time: each tenant table has a ``tenant_isolation`` policy comparing ``tenant_id``
with the transaction's ``app.tenant_id`` setting, and the app connects as a role that owns
no table and cannot bypass the policies. This module sets that setting: a session is told
its tenant once (``set_tenant``), and every transaction it begins starts with
``SET LOCAL app.tenant_id = '<uuid>'``. The value is rendered from a ``uuid.UUID``, never
from request text, so it needs no escaping beyond the quotes.

On Citus the policies are checked on the worker that holds a tenant's shard, so the setting
must reach the workers. Citus forwards ``SET LOCAL`` (and never ``set_config``) to the
workers a transaction uses, but only when ``citus.propagate_set_commands`` is ``'local'``
(its default is ``'none'``: the workers would see no tenant and hide every row).
``salestrack migrate`` sets it for the app role and the owner (``salestrack.core.citus``).

On SQLite there is no row-level security; the setting is kept and ignored.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from salestrack.core import opening
from salestrack.core.db import transaction

TENANT_KEY = "tenant_id"
SETTING = "app.tenant_id"


class TenantNotSet(RuntimeError):
    """A PostgreSQL session touched the database before it was told its tenant."""


class TenantMismatch(RuntimeError):
    """A session that acts for one tenant was asked to act for another."""


def set_local_statement(tenant_id: uuid.UUID) -> str:
    """``SET LOCAL app.tenant_id = '…'`` for a tenant id (a UUID, so a safe literal)."""
    if not isinstance(tenant_id, uuid.UUID):  # never build this from request text
        raise TypeError("tenant_id must be a uuid.UUID")
    return f"SET LOCAL {SETTING} = '{tenant_id}'"


def session_tenant(session: Session) -> uuid.UUID | None:
    tenant: uuid.UUID | None = session.info.get(TENANT_KEY)
    return tenant


def set_tenant(session: Session, tenant_id: uuid.UUID) -> None:
    """Make ``session`` act for ``tenant_id`` from now on (this and later transactions).

    A session acts for one tenant in its life: asking it to switch is a bug (two tenants'
    data in one unit of work), so it raises instead.
    """
    current = session_tenant(session)
    if current is not None:
        if current != tenant_id:
            raise TenantMismatch(f"session acts for tenant {current}, not {tenant_id}")
        return
    session.info[TENANT_KEY] = tenant_id
    transaction = session.get_transaction()
    if transaction is not None and _is_postgresql(session):
        # Already inside a transaction that began without a tenant: set it now.
        session.execute(text(set_local_statement(tenant_id)))


def _after_begin(session: Session, transaction: SessionTransaction, connection: Any) -> None:
    if connection.dialect.name != "postgresql":
        return
    tenant_id = session_tenant(session)
    if tenant_id is None:
        raise TenantNotSet(
            "this session has no tenant: call tenancy.set_tenant(session, tenant_id) "
            "before using it (row-level security would hide every row)"
        )
    statement = set_local_statement(tenant_id)
    if opening.owns_begin(connection):  # BEGIN, the setting and the companions: one trip
        opening.open_transaction(connection, transaction, [statement], session)
        return
    connection.exec_driver_sql(statement)


ZONE_KEY = "salestrack.tenant_zone"  # session.info: the zone a transaction's opening read


def note_zone(session: Session, tenant_id: uuid.UUID, name: str | None) -> None:
    """Keep the tenant's time zone name that the current transaction read as it began
    (with its user check), for ``noted_zone`` during that transaction."""
    session.info[ZONE_KEY] = (session.get_transaction(), tenant_id, name)


def noted_zone(session: Session, tenant_id: uuid.UUID) -> tuple[bool, str | None]:
    """``(True, name)`` if the current transaction already read the tenant's zone name."""
    noted = session.info.get(ZONE_KEY)
    if noted is None or noted[0] is not session.get_transaction() or noted[1] != tenant_id:
        return False, None
    return True, noted[2]


def install(factory: sessionmaker[Session]) -> None:
    """Start every transaction of ``factory``'s sessions with the session's tenant."""
    event.listen(factory, "after_begin", _after_begin)


@contextmanager
def tenant_transaction(factory: sessionmaker[Session], tenant_id: uuid.UUID) -> Iterator[Session]:
    """One unit of work for one tenant outside a request (CLI, demo data, tests)."""
    with transaction(factory) as session:
        set_tenant(session, tenant_id)
        yield session


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"
