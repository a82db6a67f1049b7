"""A user's own preferences: when reminders come, and the locale they read.

No row means the defaults (``auth.models``): a digest at 08:00 in the tenant's zone, alerts
30 minutes before a timed follow-up, the team's overdue digest for managers (admins may
turn it on), and the tenant's locale. A PATCH writes the row with the defaults for what it
leaves out. The team digest is for managers and admins only (422 for other roles).
"""

from __future__ import annotations

import uuid
from datetime import time
from typing import Annotated, ClassVar

from pydantic import AfterValidator, Field, StrictBool, WithJsonSchema
from sqlalchemy import select
from sqlalchemy.orm import Session

from salestrack.auth.context import Actor
from salestrack.auth.models import (
    DEFAULT_ALERT_MINUTES,
    DEFAULT_DIGEST_TIME,
    TEAM_DIGEST_ROLES,
    Tenant,
    UserPreference,
)
from salestrack.auth.roles import Role
from salestrack.core.db import upsert_insert, utcnow
from salestrack.core.errors import Unprocessable
from salestrack.core.formatting import USER_LOCALES
from salestrack.core.schema_base import NOT_BOOLEAN, OutputModel, UpdateModel

MIN_ALERT_MINUTES = 5
MAX_ALERT_MINUTES = 1440  # a day: the scheduler looks at follow-ups of today and tomorrow


def _local(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("a local time of day, without a zone")
    return value.replace(second=0, microsecond=0)


DigestTime = Annotated[
    time,
    AfterValidator(_local),
    WithJsonSchema(
        {
            "type": "string",
            "maxLength": 8,
            "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$",
            "description": "local time of day in the tenant's zone, e.g. 08:30",
        }
    ),
]
AlertMinutes = Annotated[int, Field(ge=MIN_ALERT_MINUTES, le=MAX_ALERT_MINUTES), NOT_BOOLEAN]
LocaleName = Annotated[
    str,
    Field(
        json_schema_extra={"enum": list(USER_LOCALES)},
        max_length=20,
        description="how numbers and dates are written and the e-mails' language",
    ),
    AfterValidator(lambda v: _known_locale(v)),
]


def _known_locale(value: str) -> str:
    if value not in USER_LOCALES:
        raise ValueError(f"locale must be one of {', '.join(USER_LOCALES)}")
    return value


class PreferencesPublic(OutputModel):
    digest_enabled: bool
    digest_time: DigestTime
    team_digest_enabled: bool = Field(
        description="managers and admins: a digest of the whole team's overdue follow-ups"
    )
    alerts_enabled: bool
    alert_minutes: int = Field(description="how long before a timed follow-up its alert comes")
    locale: str | None = Field(description="null: the tenant's locale")
    effective_locale: str = Field(description="the locale in force (this one or the tenant's)")
    team_digest_available: bool = Field(description="this user's role may have the team digest")


class PreferencesUpdate(UpdateModel):
    """Change some preferences; ``locale: null`` goes back to the tenant's."""

    NOT_NULL: ClassVar[frozenset[str]] = frozenset(
        {"digest_enabled", "digest_time", "team_digest_enabled", "alerts_enabled", "alert_minutes"}
    )
    digest_enabled: StrictBool | None = None
    digest_time: DigestTime | None = None
    team_digest_enabled: StrictBool | None = None
    alerts_enabled: StrictBool | None = None
    alert_minutes: AlertMinutes | None = None
    locale: LocaleName | None = None


def defaults(role: Role) -> dict[str, object]:
    return {
        "digest_enabled": True,
        "digest_time": DEFAULT_DIGEST_TIME,
        "team_digest_enabled": role is Role.manager,
        "alerts_enabled": True,
        "alert_minutes": DEFAULT_ALERT_MINUTES,
        "locale": None,
    }


def stored(session: Session, *, tenant_id: uuid.UUID) -> dict[uuid.UUID, UserPreference]:
    """Every stored row of the tenant, by user (the worker reads them all at once)."""
    stmt = select(UserPreference).where(UserPreference.tenant_id == tenant_id)
    return {row.user_id: row for row in session.scalars(stmt)}


def effective(row: UserPreference | None, role: Role) -> dict[str, object]:
    """The user's preferences: the row's values, or the defaults for their role."""
    values = defaults(role)
    if row is not None:
        values.update({name: getattr(row, name) for name in values})
    if role not in TEAM_DIGEST_ROLES:
        values["team_digest_enabled"] = False
    return values


def get_preferences(session: Session, *, actor: Actor) -> PreferencesPublic:
    """The acting user's preferences (defaults where they chose nothing)."""
    assert actor.user_id is not None
    row = session.get(UserPreference, (actor.tenant_id, actor.user_id))
    return _public(session, actor, effective(row, actor.role))


def update_preferences(
    session: Session, *, actor: Actor, data: PreferencesUpdate
) -> PreferencesPublic:
    """Change the acting user's preferences (all or nothing: 422 leaves them as they were)."""
    assert actor.user_id is not None
    changes = data.changes()
    if changes.get("team_digest_enabled") and actor.role not in TEAM_DIGEST_ROLES:
        raise Unprocessable(
            "the team digest is for managers and admins", field="team_digest_enabled"
        )
    row = session.get(UserPreference, (actor.tenant_id, actor.user_id), with_for_update=True)
    values = {**effective(row, actor.role), **changes}
    insert = upsert_insert(session)(UserPreference).values(
        tenant_id=actor.tenant_id, user_id=actor.user_id, updated_at=utcnow(), **values
    )
    session.execute(
        insert.on_conflict_do_update(
            index_elements=["tenant_id", "user_id"],
            set_={**values, "updated_at": utcnow()},
        )
    )
    if row is not None:
        session.expire(row)  # written by the statement above, not through the row
    return _public(session, actor, values)


def _public(session: Session, actor: Actor, values: dict[str, object]) -> PreferencesPublic:
    tenant_locale = session.scalar(select(Tenant.locale).where(Tenant.tenant_id == actor.tenant_id))
    locale = values["locale"]
    return PreferencesPublic.model_validate(
        {
            **values,
            "effective_locale": locale or tenant_locale or USER_LOCALES[0],
            "team_digest_available": actor.role in TEAM_DIGEST_ROLES,
        }
    )


def locale_of(session: Session, *, tenant_id: uuid.UUID, user_id: uuid.UUID) -> str | None:
    """The locale the user chose (None: the tenant's), for the pages."""
    return session.scalar(
        select(UserPreference.locale).where(
            UserPreference.tenant_id == tenant_id, UserPreference.user_id == user_id
        )
    )
