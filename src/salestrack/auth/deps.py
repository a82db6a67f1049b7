"""The acting user of an API request, and permission checks as dependencies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from salestrack.auth import service, verification
from salestrack.auth.context import Actor
from salestrack.auth.roles import Permission
from salestrack.auth.security import read_token
from salestrack.core.errors import Forbidden, Unauthorized
from salestrack.core.tenancy import set_tenant
from salestrack.http.deps import SessionDep, SettingsDep, run_db
from salestrack.http.idempotency_asgi import claim_key

bearer = HTTPBearer(auto_error=False, description="token from POST /api/v1/auth/token")


async def current_actor(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    x_tenant_id: Annotated[
        str | None, Header(max_length=64, description="tenant slug or id; must match the token")
    ] = None,
) -> Actor:
    """The token's user, acting in the tenant named by ``X-Tenant-ID``.

    Async: only the token and the header are checked here, on the event loop. That the user
    is still active with the token's role is checked by the request's transaction as it
    begins (``auth.verification``), in the handler's thread.
    """
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized()
    claims = read_token(settings, credentials.credentials)
    if claims is None or claims.tenant_id != service.tenant_id_for(claims.tenant_slug):
        raise Unauthorized("token is invalid or expired")
    header = (x_tenant_id or "").strip()
    if header.lower() not in (claims.tenant_slug, str(claims.tenant_id)):
        raise Forbidden("X-Tenant-ID must name the tenant the token was issued for")
    set_tenant(session, claims.tenant_id)  # before the first query: row-level security
    verification.expect_user(
        session,
        tenant_id=claims.tenant_id,
        user_id=claims.user_id,
        role=claims.role,
        session_epoch=claims.session_epoch,
    )
    if session.in_transaction():  # a session that has begun already: check before going on
        await run_db(session, verification.check_now, session)
    request.state.tenant_id = str(claims.tenant_id)
    request.state.user_id = str(claims.user_id)
    return Actor(
        tenant_id=claims.tenant_id,
        tenant_slug=claims.tenant_slug,
        user_id=claims.user_id,
        role=claims.role,
    )


def require(permission: Permission) -> Callable[..., Awaitable[Actor]]:
    """A dependency that yields the actor if their role grants ``permission``, else 403.

    Then, for a POST carrying an ``Idempotency-Key``, it claims the key for this user
    (``http.idempotency_asgi.claim_key``), so a key is looked up only for a caller who has
    passed every check of a fresh request; the claim's transaction begins with the check
    that the user is still active with the token's role. A repeat raises ``Replayed`` here,
    before any statement of the handler: the idempotency layer sends the stored answer.
    """

    async def _check(
        request: Request, session: SessionDep, actor: Annotated[Actor, Depends(current_actor)]
    ) -> Actor:
        if not actor.can(permission):
            raise Forbidden(f"role {actor.role.value} may not do this ({permission.value})")
        if actor.user_id is not None:  # always, for a token's user (None: the system actor)
            await claim_key(
                request.scope,
                tenant_id=actor.tenant_id,
                user_id=actor.user_id,
                guard=verification.still_valid(session),
            )
        return actor

    return _check


def actor_with(permission: Permission) -> object:
    """``Annotated`` metadata: ``actor: Annotated[Actor, actor_with(Permission.x)]``."""
    return Depends(require(permission))
