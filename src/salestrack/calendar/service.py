"""Making, replacing and finding a user's calendar feed.

One feed per user: making one when there is one replaces its token (the old URL answers
404 from then on). Finding the feed of a presented token needs no login: the token names
its tenant, and the feed's user must still be active; otherwise there is no feed (404).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from salestrack.auth.context import Actor
from salestrack.auth.models import Tenant, User
from salestrack.auth.roles import Role
from salestrack.calendar import tokens
from salestrack.calendar.models import CalendarFeed
from salestrack.core import crud
from salestrack.core.config import Settings
from salestrack.core.db import utcnow
from salestrack.core.errors import NotFound
from salestrack.core.tenancy import set_tenant

ENTITY = "calendar_feed"


@dataclass(frozen=True)
class FeedOwner:
    """Whose feed a token opens, and the name the calendar is given."""

    actor: Actor
    display_name: str


def current_feed(session: Session, *, actor: Actor) -> CalendarFeed | None:
    user_id = _user(actor)
    return session.scalars(
        select(CalendarFeed).where(
            CalendarFeed.tenant_id == actor.tenant_id, CalendarFeed.user_id == user_id
        )
    ).one_or_none()


def rotate(session: Session, *, actor: Actor, settings: Settings) -> tuple[CalendarFeed, str]:
    """A new token for the actor's feed (made on first use); the token, shown this once."""
    user_id = _user(actor)
    token = tokens.new_token(actor.tenant_id)
    hashed = tokens.digest(settings, token)
    feed = session.scalars(
        select(CalendarFeed)
        .where(CalendarFeed.tenant_id == actor.tenant_id, CalendarFeed.user_id == user_id)
        .with_for_update()
    ).one_or_none()
    now = utcnow()
    action = "rotate"
    if feed is None:
        action = "create"
        feed = CalendarFeed(tenant_id=actor.tenant_id, user_id=user_id, created_at=now)
        session.add(feed)
    feed.token_hash = hashed
    feed.rotated_at = now
    session.flush()
    # Audited without the hash: that a feed was made or replaced, by whom, when.
    crud.log_action(
        session,
        actor=actor,
        entity=ENTITY,
        entity_id=feed.id,
        action=action,
        changes={"user_id": user_id},
    )
    return feed, token


def owner_of(session: Session, *, settings: Settings, token: str) -> FeedOwner | None:
    """The active user whose feed ``token`` opens (None: no such feed, or not any more)."""
    tenant_id = tokens.tenant_of(token)
    if tenant_id is None:
        return None
    set_tenant(session, tenant_id)  # before the first query: row-level security
    row = session.execute(
        select(User, Tenant)
        .join(
            CalendarFeed,
            and_(CalendarFeed.tenant_id == User.tenant_id, CalendarFeed.user_id == User.id),
        )
        .join(Tenant, Tenant.tenant_id == User.tenant_id)
        .where(
            CalendarFeed.tenant_id == tenant_id,
            CalendarFeed.token_hash == tokens.digest(settings, token),
            User.is_active.is_(True),
            User.deleted_at.is_(None),
        )
    ).one_or_none()
    if row is None:
        return None
    user, tenant = row
    actor = Actor(tenant.tenant_id, tenant.slug, user.id, Role(user.role), user.email)
    return FeedOwner(actor, user.full_name or user.email)


def _user(actor: Actor) -> uuid.UUID:
    if actor.user_id is None:
        raise NotFound("a calendar feed belongs to a user")
    return actor.user_id
