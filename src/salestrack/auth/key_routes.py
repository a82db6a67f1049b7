"""``/api/v1/sales/integration-keys``: admins create, list and revoke integration keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from salestrack.auth import keys
from salestrack.auth.context import Actor
from salestrack.auth.deps import actor_with
from salestrack.auth.models import IntegrationKey
from salestrack.auth.roles import Permission
from salestrack.core.schema_base import InputModel, Name, OutputModel
from salestrack.http.deps import SessionDep, SettingsDep
from salestrack.http.routing import api_router

keys_router = api_router(prefix="/api/v1/sales/integration-keys", tags=["integration keys"])
Admin = Annotated[Actor, actor_with(Permission.users_manage)]


class KeyCreate(InputModel):
    name: Name
    scope: keys.KeyScope


class KeyPublic(OutputModel):
    id: uuid.UUID
    name: str
    scope: keys.KeyScope
    hint: str
    created_at: datetime
    created_by: uuid.UUID | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class KeyCreated(KeyPublic):
    key: str


@keys_router.get("", response_model=list[KeyPublic])
def list_keys(session: SessionDep, actor: Admin) -> list[IntegrationKey]:
    """The tenant's integration keys (never the keys themselves), admins only."""
    return keys.list_keys(session, tenant_id=actor.tenant_id)


@keys_router.post("", response_model=KeyCreated, status_code=201)
def create_key(
    session: SessionDep, settings: SettingsDep, actor: Admin, body: KeyCreate
) -> KeyCreated:
    """A new key; ``key`` is in this answer only: it is stored as a hash."""
    row, key = keys.create_key(
        session, actor=actor, settings=settings, name=body.name, scope=body.scope
    )
    return KeyCreated(**KeyPublic.model_validate(row).model_dump(), key=key)


@keys_router.post("/{key_id}/revoke", response_model=KeyPublic)
def revoke_key(session: SessionDep, actor: Admin, key_id: uuid.UUID) -> IntegrationKey:
    """Revoke a key: from now on it authenticates nothing."""
    return keys.revoke_key(session, actor=actor, key_id=key_id)
