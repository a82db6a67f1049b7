"""The check that the token's user is still active with the token's role, made by the
request's own transaction as it begins.

Every API request checks its user against the database, so a deactivation or a change of
role counts from the next request. The check is not a query of its own in a thread of its
own: it is the first statement of the request's transaction (right after
``SET LOCAL app.tenant_id``), issued in the thread that runs the handler. A request thus
takes a database connection only when its handler starts, never while it waits for a
thread, and no statement of a handler ever runs for a user who is no longer allowed.

A token carries the role it was issued with. If the user's role has changed since, the
token is refused (403) until the user signs in again, whichever way the role moved.

A token also carries the user's session epoch at issue. Logging out, a password change and
deactivation raise the epoch (``auth.service.end_sessions``), so every token issued before
is refused (401) at its next request. The epoch is read by the same statement that reads
the role: ending sessions costs a request no extra round trip.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, bindparam, event, exists, select
from sqlalchemy.dialects.postgresql import psycopg as pg_psycopg
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from salestrack.auth.models import Tenant, User
from salestrack.auth.roles import Role
from salestrack.core import hooks, opening, tenancy
from salestrack.core.errors import Forbidden, Unauthorized

KEY = "salestrack.expected_user"


@dataclass
class ExpectedUser:
    tenant_id: uuid.UUID
    user_id: uuid.UUID
    role: Role
    session_epoch: int
    checked: bool = False


def expect_user(
    session: Session, *, tenant_id: uuid.UUID, user_id: uuid.UUID, role: Role, session_epoch: int
) -> None:
    """Check this user, in this session epoch, at the start of each of ``session``'s
    transactions."""
    session.info[KEY] = ExpectedUser(tenant_id, user_id, role, session_epoch)
    params = {"tenant_id": tenant_id, "user_id": user_id}
    opening.add_companion(session, "user", opening.Companion((USER_CHECK_SQL,), params))


# The user check as a condition: true while the token's user is still active, with the
# token's role and session epoch. A write that must happen only for such a user, in the
# same round trip as the check itself, is made conditional on it (an Idempotency-Key's
# claim: ``http.idempotency_asgi``).
STILL_VALID = exists().where(
    User.tenant_id == bindparam("still_tenant_id"),
    User.id == bindparam("still_user_id"),
    User.is_active.is_(True),
    User.deleted_at.is_(None),
    User.role == bindparam("still_role"),
    User.session_epoch == bindparam("still_epoch"),
)


def still_valid(session: Session) -> tuple[ColumnElement[bool], dict[str, Any]] | None:
    """``STILL_VALID`` and its values for the session's expected user (None: no user)."""
    expected: ExpectedUser | None = session.info.get(KEY)
    if expected is None:
        return None
    values = {
        "still_tenant_id": expected.tenant_id,
        "still_user_id": expected.user_id,
        "still_role": expected.role.value,
        "still_epoch": expected.session_epoch,
    }
    return STILL_VALID, values


def pending(session: Session) -> bool:
    """The user is expected but no transaction has checked them yet."""
    expected: ExpectedUser | None = session.info.get(KEY)
    return expected is not None and not expected.checked


def check_now(session: Session) -> None:
    """Check the expected user now: in the transaction under way, or by beginning one
    (whose start makes the check)."""
    expected: ExpectedUser | None = session.info.get(KEY)
    if expected is None:
        return
    if session.in_transaction():
        _check(session, session.connection(), expected)
    else:
        session.connection()


# Built once: the statement every API request runs, with its cache key computed once too.
# The tenant's time zone comes along (most reports and the timeline need it): the request
# then asks no query of its own for it (``auth.clock.tenant_zone``).
ROLE_AND_EPOCH_OF_ACTIVE_USER = (
    select(User.role, User.session_epoch, Tenant.timezone)
    .join(Tenant, Tenant.tenant_id == User.tenant_id)
    .where(
        User.tenant_id == bindparam("tenant_id"),
        User.id == bindparam("user_id"),
        User.is_active.is_(True),
        User.deleted_at.is_(None),
    )
)


# The same statement for the opening script (``core.opening``), in psycopg's placeholders.
USER_CHECK_SQL = str(
    ROLE_AND_EPOCH_OF_ACTIVE_USER.compile(dialect=pg_psycopg.dialect())  # type: ignore[no-untyped-call]
)


def _check(session: Session, connection: Any, expected: ExpectedUser) -> None:
    params = {"tenant_id": expected.tenant_id, "user_id": expected.user_id}
    _judge(session, expected, connection.execute(ROLE_AND_EPOCH_OF_ACTIVE_USER, params).first())


def _judge(session: Session, expected: ExpectedUser, found: Any) -> None:
    expected.checked = True
    if found is None:
        raise Unauthorized("user is no longer active")
    role, epoch, zone = found
    tenancy.note_zone(session, expected.tenant_id, zone)
    if epoch != expected.session_epoch:
        raise Unauthorized("this session has ended (signed out or password changed): sign in again")
    if Role(role) != expected.role:
        raise Forbidden(
            f"your role is now {Role(role).value}, not the {expected.role.value} this token "
            "was issued for: sign in again"
        )


def _after_begin(session: Session, transaction: SessionTransaction, connection: Any) -> None:
    expected: ExpectedUser | None = session.info.get(KEY)
    if expected is None:
        return
    read, row = opening.opened_row(connection, transaction, "user")
    if read:  # the transaction's opening script read it (``core.opening``)
        _judge(session, expected, row)
    else:
        _check(session, connection, expected)


def check_if_pending(session: Session) -> None:
    """Before a request commits: a handler that never touched the database still checks."""
    if pending(session):
        check_now(session)


def install(factory: sessionmaker[Session]) -> None:
    """Check the expected user as each transaction of ``factory``'s sessions begins (after
    the tenant is set: the users table is under row-level security too), and before a
    request that began none commits."""
    event.listen(factory, "after_begin", _after_begin)
    hooks.CLOSING_CHECKS.connect(factory, check_if_pending)
