"""Tenants, their users, and the login throttle kept in the database."""

from __future__ import annotations

import uuid
from datetime import datetime, time

from sqlalchemy import (
    Boolean,
    ForeignKeyConstraint,
    Integer,
    PrimaryKeyConstraint,
    String,
    Time,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from salestrack.auth.roles import Role
from salestrack.core.db import (
    Audited,
    Base,
    TenantKeyed,
    UTCDateTime,
    tenant_pk,
    tenant_root_fk,
    utcnow,
)


class Tenant(Base):
    """One company. ``tenant_id`` is derived from the slug (UUIDv5), so it never changes
    and the slug needs no unique index of its own beside the primary key."""

    __tablename__ = "tenants"

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    locale: Mapped[str] = mapped_column(String(20), nullable=False, default="en_IN")
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="INR")
    timezone: Mapped[str] = mapped_column(String(64), nullable=False, default="Asia/Kolkata")
    # What a capture, API create or import does with a lead matching an open one by phone
    # or e-mail: ``merge`` (a re-enquiry on it), ``create`` (a second lead) or ``reject``.
    duplicate_policy: Mapped[str] = mapped_column(
        String(10), nullable=False, default="merge", server_default="merge"
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)


class User(TenantKeyed, Audited, Base):
    __tablename__ = "users"
    __table_args__ = (
        tenant_pk(),
        tenant_root_fk(),
        UniqueConstraint("tenant_id", "email"),
    )

    email: Mapped[str] = mapped_column(String(254), nullable=False)
    full_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[Role] = mapped_column(String(20), nullable=False)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Every token and session cookie carries the epoch it was issued in; raising it (logout,
    # password change, deactivation) ends all of them at their next request.
    session_epoch: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0"
    )


# What a user gets without having chosen: a digest at 08:00 in the tenant's zone, alerts
# 30 minutes before a timed follow-up, the team digest for managers, the tenant's locale.
DEFAULT_DIGEST_TIME = time(8, 0)
DEFAULT_ALERT_MINUTES = 30
TEAM_DIGEST_ROLES = frozenset({Role.manager, Role.admin})


class UserPreference(Base):
    """A user's own choices (reminders, locale); no row: the defaults above."""

    __tablename__ = "user_preferences"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "user_id"),
        tenant_root_fk(),
        ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid(), nullable=False)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid(), nullable=False)
    digest_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # A local time of day in the tenant's zone.
    digest_time: Mapped[time] = mapped_column(Time, nullable=False, default=DEFAULT_DIGEST_TIME)
    team_digest_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    alerts_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    alert_minutes: Mapped[int] = mapped_column(
        Integer, nullable=False, default=DEFAULT_ALERT_MINUTES
    )
    # A Babel locale from ``core.formatting.USER_LOCALES``; None: the tenant's.
    locale: Mapped[str | None] = mapped_column(String(20), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )


class IntegrationKey(TenantKeyed, Audited, Base):
    """A key another system uses instead of a user: shown once, kept as a keyed hash."""

    __tablename__ = "integration_keys"
    __table_args__ = (
        tenant_pk(),
        tenant_root_fk(),
        UniqueConstraint("tenant_id", "key_hash"),
    )

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    scope: Mapped[str] = mapped_column(String(10), nullable=False)
    # The first characters of the key, to tell keys apart in a list (not enough to use one).
    hint: Mapped[str] = mapped_column(String(20), nullable=False)
    key_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class LoginThrottle(Base):
    """Failed logins per account and per address, shared by every app process."""

    __tablename__ = "login_throttle"
    __table_args__ = (tenant_root_fk(),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(String(320), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
