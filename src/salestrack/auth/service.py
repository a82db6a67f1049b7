"""Tenants, users and logging in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, update
from sqlalchemy.orm import Session

from salestrack.auth import passwords, throttle
from salestrack.auth.clock import known_zone
from salestrack.auth.context import Actor
from salestrack.auth.models import Tenant, User
from salestrack.auth.roles import Role
from salestrack.auth.schemas import UserCreate, UserUpdate
from salestrack.auth.security import (
    TokenClaims,
    hash_password,
    issue_token,
    needs_rehash,
    verify_password,
)
from salestrack.core import crud, jobs
from salestrack.core.config import Settings
from salestrack.core.errors import Conflict, TooManyRequests, Unauthorized, Unprocessable
from salestrack.core.formatting import DEFAULT_TIMEZONE
from salestrack.core.schema_base import CONTROL_CHARACTERS
from salestrack.core.tenancy import set_tenant

TENANT_NAMESPACE = uuid.UUID("6f1c7d3e-5b8a-4e55-9a61-2f0c2b7d9e10")


def tenant_id_for(slug: str) -> uuid.UUID:
    """Tenant ids are derived from the slug, so a slug can never name two tenants."""
    return uuid.uuid5(TENANT_NAMESPACE, slug)


def tenant_id_from_reference(reference: str) -> uuid.UUID:
    """The tenant id an ``X-Tenant-ID`` names: its UUID, or the id derived from its slug."""
    try:
        return uuid.UUID(reference)
    except ValueError:
        return tenant_id_for(reference.strip().lower())


def find_tenant(session: Session, reference: str) -> Tenant | None:
    """A tenant by slug or by its UUID, as sent in ``X-Tenant-ID``.

    The session must act for that tenant (``open_tenant``): row-level security hides
    every other tenant's row, including its ``tenants`` row.
    """
    return session.get(Tenant, tenant_id_from_reference(reference))


def get_tenant(session: Session, *, tenant_id: uuid.UUID) -> Tenant | None:
    """The tenant with this id, if the session acts for it (row-level security)."""
    return session.get(Tenant, tenant_id)


def open_tenant(session: Session, reference: str) -> Tenant | None:
    """Make ``session`` act for the tenant ``reference`` names, and return it (None: none)."""
    set_tenant(session, tenant_id_from_reference(reference))
    return find_tenant(session, reference)


def create_tenant(
    session: Session,
    *,
    slug: str,
    name: str,
    locale: str = "en_IN",
    currency: str = "INR",
    timezone: str = DEFAULT_TIMEZONE,
) -> Tenant:
    """A new tenant. Its time zone says which calendar day "today" is for its dates left
    out of a write, its reports' periods and its reminders (422 for a zone this machine's
    time zone database does not know)."""
    if not known_zone(timezone):
        raise Unprocessable(
            f"unknown time zone {timezone!r}: give an IANA name such as Asia/Kolkata"
        )
    set_tenant(session, tenant_id_for(slug))  # the session now acts for the new tenant
    if session.get(Tenant, tenant_id_for(slug)) is not None:
        raise Conflict(f"tenant {slug!r} already exists")
    tenant = Tenant(
        tenant_id=tenant_id_for(slug),
        slug=slug,
        name=name,
        locale=locale,
        currency=currency,
        timezone=timezone,
    )
    session.add(tenant)
    session.flush()
    jobs.enlist(session, tenant.tenant_id)  # the worker sends its users' reminders
    return tenant


def find_user_by_email(session: Session, *, tenant_id: uuid.UUID, email: str) -> User | None:
    stmt = crud.scoped(User, tenant_id).where(func.lower(User.email) == email.strip().lower())
    return session.scalars(stmt).one_or_none()


def create_user(session: Session, *, actor: Actor, data: UserCreate) -> User:
    """Add a user; the password must pass ``passwords.problem`` (422 otherwise)."""
    if find_user_by_email(session, tenant_id=actor.tenant_id, email=data.email):
        raise Conflict(f"a user with email {data.email} already exists")
    user = User(
        email=data.email.lower(),
        full_name=data.full_name,
        password_hash=_new_password_hash(data.password, data.email, data.full_name),
        role=data.role,
    )
    return crud.add(session, actor=actor, row=user, entity="user")


def update_user(session: Session, *, actor: Actor, user: User, data: UserUpdate) -> User:
    """Change a user; a new password must pass ``passwords.problem`` (422 otherwise). A new
    password or a deactivation also ends every session and token they hold (reactivating
    them later does not bring those back)."""
    values = data.model_dump(exclude_unset=True, exclude={"password"})
    if data.password is not None:
        full_name = data.full_name if data.full_name is not None else user.full_name
        values["password_hash"] = _new_password_hash(data.password, user.email, full_name)
    crud.change(session, actor=actor, row=user, values=values, entity="user")
    if data.password is not None or values.get("is_active") is False:
        end_sessions(session, tenant_id=user.tenant_id, user_id=user.id)
    return user


def end_sessions(session: Session, *, tenant_id: uuid.UUID, user_id: uuid.UUID) -> None:
    """End every session cookie and token of this user from their next request on.

    Raises the user's session epoch in one ``UPDATE`` (``epoch + 1``, so two concurrent
    endings both count); the per-request user check (``auth.verification``, and the pages'
    ``current_user``) refuses anything issued in an earlier epoch. Used for logging out, a
    password change and a deactivation.
    """
    session.execute(
        update(User)
        .where(User.tenant_id == tenant_id, User.id == user_id)
        .values(session_epoch=User.session_epoch + 1)
    )


def _new_password_hash(password: str, email: str, full_name: str) -> str:
    """The hash of an acceptable new password; refuse a common, guessable or own-name one."""
    problem = passwords.problem(password, email=email, full_name=full_name)
    if problem is not None:
        error = {"loc": ["body", "password"], "msg": problem, "type": "password_refused"}
        raise Unprocessable(problem, field="password", errors=[error])
    return hash_password(password)


def get_active_user(session: Session, *, tenant_id: uuid.UUID, user_id: uuid.UUID) -> User | None:
    stmt = crud.scoped(User, tenant_id).where(User.id == user_id, User.is_active.is_(True))
    return session.scalars(stmt).one_or_none()


@dataclass(frozen=True)
class LoginResult:
    token: str | None
    error: Unauthorized | TooManyRequests | None = None


def login(
    session: Session,
    *,
    settings: Settings,
    tenant_reference: str,
    email: str,
    password: str,
    address: str,
) -> LoginResult:
    """Check credentials under the throttle; at most the limit of attempts is ever checked.

    The attempt is reserved in its account's and its address's buckets and committed
    *before* the password is checked: the one place a service commits, because every other
    request, in this process or another, must count this attempt while its check runs. A
    failure stays counted; a success clears its account and hands back its address's
    reservation, in a second transaction the caller commits with the rest.
    """
    unreadable = any(CONTROL_CHARACTERS.search(text) for text in (tenant_reference, email))
    tenant = None if unreadable else open_tenant(session, tenant_reference)
    if tenant is None:
        verify_password(None, password)
        return LoginResult(None, Unauthorized("invalid tenant, email or password"))
    buckets = _Buckets(f"account:{email.strip().lower()}", f"address:{address}")
    refusal = _reserve_attempt(session, settings, tenant.tenant_id, buckets)
    user = None if refusal else find_user_by_email(session, tenant_id=tenant.tenant_id, email=email)
    # From here every request counts this attempt; and the slow hash check below holds no
    # transaction, lock or connection (SQLite's write lock would otherwise stall every writer).
    session.commit()
    if refusal is not None:
        return LoginResult(None, refusal)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        return LoginResult(None, Unauthorized("invalid tenant, email or password"))
    throttle.reset(session, tenant_id=tenant.tenant_id, bucket=buckets.account)
    throttle.release(session, tenant_id=tenant.tenant_id, bucket=buckets.address)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    claims = TokenClaims(
        tenant.tenant_id, tenant.slug, user.id, Role(user.role), user.session_epoch
    )
    return LoginResult(issue_token(settings, claims))


@dataclass(frozen=True)
class _Buckets:
    account: str
    address: str


def _reserve_attempt(
    session: Session, settings: Settings, tenant_id: uuid.UUID, buckets: _Buckets
) -> TooManyRequests | None:
    """Reserve one attempt for the account, then for the address; the refusal, if any.

    An attempt the account refuses is not counted against the address (a locked account
    does not use up its office's budget); one the address refuses hands the account's
    reservation back.
    """
    window = settings.login_window_seconds
    account = throttle.reserve(
        session,
        tenant_id=tenant_id,
        bucket=buckets.account,
        limit=settings.login_max_failures_per_account,
        window_seconds=window,
    )
    if not account.granted:
        return _too_many(account.retry_after)
    address = throttle.reserve(
        session,
        tenant_id=tenant_id,
        bucket=buckets.address,
        limit=settings.login_max_failures_per_address,
        window_seconds=window,
    )
    if not address.granted:
        throttle.release(session, tenant_id=tenant_id, bucket=buckets.account)
        return _too_many(address.retry_after)
    return None


def _too_many(retry_after: int) -> TooManyRequests:
    return TooManyRequests(
        "too many failed logins; try again later", headers={"Retry-After": str(retry_after)}
    )


def list_users(session: Session, *, tenant_id: uuid.UUID) -> list[User]:
    return list(session.scalars(crud.scoped(User, tenant_id).order_by(User.email)))
