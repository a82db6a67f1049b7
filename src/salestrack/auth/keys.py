"""Integration keys: per-tenant API keys other systems use instead of a user.

A key looks like ``stk_<tenant id hex>_<43 random characters>``: the ``stk_`` prefix makes
a leaked key easy to spot (secret scanners, logs), and the tenant part lets a request set
its tenant (row-level security) before the key is looked up. The random part carries 256
bits, so the key is stored as HMAC-SHA256 under a key derived from the server secret, not
with argon2: a slow hash protects guessable passwords, and nobody can guess 256 random
bits, so the cost would be paid on every request for nothing. The HMAC (rather than a
plain SHA-256) means a copy of the table alone cannot even confirm a key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from salestrack.auth.context import Actor
from salestrack.auth.models import IntegrationKey
from salestrack.core import crud
from salestrack.core.config import Settings
from salestrack.core.db import utcnow
from salestrack.core.errors import Conflict

PREFIX = "stk_"
KEY_PATTERN = re.compile(r"^stk_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$")
# A key's last use is written at most this often (one small write a minute per busy key).
LAST_USED_EVERY = timedelta(seconds=60)


class KeyScope(StrEnum):
    capture = "capture"  # sends leads in; reads nothing (it may sit on a website's server)
    read = "read"  # reads leads; writes nothing


def tenant_of_key(key: str) -> uuid.UUID | None:
    """The tenant a well-formed key names (not yet proof that the key is valid)."""
    found = KEY_PATTERN.match(key.strip())
    return uuid.UUID(found.group(1)) if found else None


def digest(settings: Settings, key: str) -> str:
    """HMAC-SHA256 of the key under a key derived from the server secret."""
    pepper = hmac.new(
        settings.signing_key().encode(), b"salestrack integration keys", hashlib.sha256
    ).digest()
    return hmac.new(pepper, key.strip().encode(), hashlib.sha256).hexdigest()


def create_key(
    session: Session, *, actor: Actor, settings: Settings, name: str, scope: KeyScope
) -> tuple[IntegrationKey, str]:
    """A new key: the row (audited, without the key) and the key itself, shown once."""
    key = f"{PREFIX}{actor.tenant_id.hex}_{secrets.token_urlsafe(32)}"
    row = IntegrationKey(
        name=name,
        scope=scope.value,
        hint=key[:8] + "…" + key[-4:],
        key_hash=digest(settings, key),
    )
    crud.add(session, actor=actor, row=row, entity="integration_key")
    return row, key


def list_keys(session: Session, *, tenant_id: uuid.UUID) -> list[IntegrationKey]:
    """The tenant's keys, revoked ones too (newest first)."""
    stmt = crud.scoped(IntegrationKey, tenant_id).order_by(
        IntegrationKey.created_at.desc(), IntegrationKey.id
    )
    return list(session.scalars(stmt))


def revoke_key(session: Session, *, actor: Actor, key_id: uuid.UUID) -> IntegrationKey:
    """Revoke a key for good (409 if it already is); audited."""
    row = crud.get_live(
        session,
        IntegrationKey,
        tenant_id=actor.tenant_id,
        row_id=key_id,
        label="integration key",
        for_update=True,
    )
    if row.revoked_at is not None:
        raise Conflict("this key is already revoked")
    crud.change(
        session, actor=actor, row=row, values={"revoked_at": utcnow()}, entity="integration_key"
    )
    return row


def authenticate(
    session: Session, *, settings: Settings, tenant_id: uuid.UUID, key: str
) -> IntegrationKey | None:
    """The tenant's live, unrevoked key matching ``key`` (None: refuse); notes its use."""
    found = session.scalars(
        select(IntegrationKey).where(
            IntegrationKey.tenant_id == tenant_id,
            IntegrationKey.key_hash == digest(settings, key),
            IntegrationKey.deleted_at.is_(None),
            IntegrationKey.revoked_at.is_(None),
        )
    ).one_or_none()
    if found is None:
        return None
    now = utcnow()
    if found.last_used_at is None or now - found.last_used_at >= LAST_USED_EVERY:
        # A plain UPDATE, not audited: a use is not a change of the key. The condition
        # keeps two concurrent first uses of the minute from both writing.
        session.execute(
            update(IntegrationKey)
            .where(
                IntegrationKey.tenant_id == tenant_id,
                IntegrationKey.id == found.id,
                or_(
                    IntegrationKey.last_used_at.is_(None),
                    IntegrationKey.last_used_at < now - LAST_USED_EVERY,
                ),
            )
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
        set_committed_value(found, "last_used_at", now)
    return found
