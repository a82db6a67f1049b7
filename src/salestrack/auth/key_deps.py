"""Authentication by integration key: a small dependency of its own for the routes other
systems call (lead capture), apart from the user-token path in ``auth.deps``.

The key comes as ``Authorization: Bearer stk_…`` or ``X-API-Key: stk_…``. It names its
tenant, so the request's session acts for that tenant before the key is looked up (row-
level security), and the request acts only there: no ``X-Tenant-ID`` can point it
elsewhere. The actor has no user (``user_id`` None) and only a sales rep's permissions;
what the key may do at all is its scope, checked here.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPBearer
from starlette.datastructures import Headers

from salestrack.auth import keys
from salestrack.auth.context import Actor
from salestrack.auth.models import Tenant
from salestrack.auth.roles import Role
from salestrack.core.config import Settings
from salestrack.core.db import runs_on_loop
from salestrack.core.errors import Forbidden, Unauthorized
from salestrack.core.tenancy import set_tenant
from salestrack.http.deps import SessionDep, SettingsDep, run_db
from salestrack.http.idempotency_asgi import claim_key

api_key_header = APIKeyHeader(
    name="X-API-Key",
    scheme_name="IntegrationKey",
    auto_error=False,
    description="an integration key (stk_…)",
)
bearer_key = HTTPBearer(
    scheme_name="IntegrationKeyBearer",
    auto_error=False,
    description="an integration key as a bearer token: Bearer stk_…",
)


@dataclass(frozen=True)
class KeyActor:
    """Who acts on a key-authenticated request: the key, in its tenant."""

    actor: Actor
    key_id: uuid.UUID
    scope: keys.KeyScope


def presented_key(headers: Headers) -> str | None:
    """The key a request carries, from ``X-API-Key`` or a bearer ``Authorization``."""
    direct = headers.get("x-api-key")
    if direct:
        return direct.strip()
    scheme, _, value = (headers.get("authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and value.strip().startswith(keys.PREFIX):
        return value.strip()
    return None


def tenant_of_request_key(_settings: Settings, key: str) -> uuid.UUID | None:
    """For the idempotency layer: the tenant a key names (checked later, by the route)."""
    return keys.tenant_of_key(key)


def require_key(scope: keys.KeyScope) -> Callable[..., Awaitable[KeyActor]]:
    """A dependency: the request's valid key of ``scope`` (401 without one, 403 for a key
    of another scope), then the request's Idempotency-Key claimed for that key."""

    async def _check(
        request: Request,
        session: SessionDep,
        settings: SettingsDep,
        _header: Annotated[str | None, Depends(api_key_header)],
        _bearer: Annotated[object, Depends(bearer_key)],
    ) -> KeyActor:
        key = presented_key(request.headers)  # the schemes above document; this reads
        tenant_id = keys.tenant_of_key(key) if key else None
        if key is None or tenant_id is None:
            raise Unauthorized("an integration key is required (X-API-Key or Bearer stk_…)")
        set_tenant(session, tenant_id)  # before the first query: row-level security

        def lookup() -> tuple[uuid.UUID, str, str] | None:
            row = keys.authenticate(session, settings=settings, tenant_id=tenant_id, key=key)
            tenant = session.get(Tenant, tenant_id) if row else None
            found = (row.id, row.scope, tenant.slug) if row and tenant else None
            if not runs_on_loop(session):
                # In threads (SQLite) the lookup is a short transaction of its own: the
                # write lock SQLite's BEGIN IMMEDIATE took must not be held while this
                # request waits for the handler's thread, which other requests can hold
                # while they wait for that very lock (a burst would stall for the busy
                # timeout). The handler's transaction begins in its own thread.
                session.commit()
            return found

        found = await run_db(session, lookup)
        if found is None:
            raise Unauthorized("the integration key is not valid (unknown or revoked)")
        key_id, key_scope, slug = found
        if key_scope != scope.value:
            raise Forbidden(f"this key's scope is {key_scope}, not {scope.value}")
        request.state.tenant_id = str(tenant_id)
        await claim_key(request.scope, tenant_id=tenant_id, user_id=key_id)
        actor = Actor(tenant_id=tenant_id, tenant_slug=slug, user_id=None, role=Role.sales_rep)
        return KeyActor(actor=actor, key_id=key_id, scope=keys.KeyScope(key_scope))

    return _check
