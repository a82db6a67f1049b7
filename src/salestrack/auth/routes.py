"""Token endpoint and user administration."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Form, Header, Request, Response

from salestrack.auth import preferences, service
from salestrack.auth.context import Actor
from salestrack.auth.deps import actor_with, current_actor
from salestrack.auth.models import User
from salestrack.auth.preferences import PreferencesPublic, PreferencesUpdate
from salestrack.auth.roles import Permission
from salestrack.auth.schemas import TokenResponse, UserCreate, UserPublic, UserUpdate
from salestrack.core import crud
from salestrack.core.schema_base import PRINTABLE
from salestrack.http.deps import SessionDep, SettingsDep
from salestrack.http.routing import api_router, in_thread

auth_router = api_router(prefix="/api/v1/auth", tags=["auth"])
users_router = api_router(prefix="/api/v1/sales/users", tags=["users"])
Admin = Annotated[Actor, actor_with(Permission.users_manage)]


@auth_router.post(
    "/token",
    response_model=TokenResponse,
    responses={
        401: {"description": "Unknown tenant, wrong email or password"},
        429: {"description": "Too many failed logins; retry after `Retry-After` seconds"},
    },
)
@in_thread  # argon2: tens of milliseconds of CPU, off the event loop
def issue_token(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, PRINTABLE, Form(min_length=1, max_length=254)],
    password: Annotated[str, PRINTABLE, Form(min_length=1, max_length=256)],
    x_tenant_id: Annotated[str, Header(max_length=64)],
) -> TokenResponse:
    """OAuth2 password login: a short-lived bearer token for one tenant."""
    address = request.client.host if request.client else "unknown"
    request.state.tenant_id = str(service.tenant_id_from_reference(x_tenant_id))
    result = service.login(
        session,
        settings=settings,
        tenant_reference=x_tenant_id,
        email=username,
        password=password,
        address=address,
    )
    if result.error is not None:
        session.commit()  # the failed attempt must be counted even though we refuse
        raise result.error
    assert result.token is not None
    return TokenResponse(access_token=result.token, expires_in=settings.token_ttl_seconds)


@auth_router.post(
    "/logout",
    status_code=204,
    responses={401: {"description": "No valid token, or its session has already ended"}},
)
def log_out(session: SessionDep, actor: Annotated[Actor, Depends(current_actor)]) -> Response:
    """Sign out: every token and page session of the caller ends now, this token included."""
    assert actor.user_id is not None  # a token always names its user
    service.end_sessions(session, tenant_id=actor.tenant_id, user_id=actor.user_id)
    return Response(status_code=204)


@users_router.get("", response_model=list[UserPublic])
def list_users(session: SessionDep, actor: Admin) -> list[User]:
    """All users of the tenant (admins only)."""
    return service.list_users(session, tenant_id=actor.tenant_id)


@users_router.post("", response_model=UserPublic, status_code=201)
@in_thread  # hashes the password
def create_user(session: SessionDep, actor: Admin, body: UserCreate) -> User:
    """Add a user with a role (admins only)."""
    return service.create_user(session, actor=actor, data=body)


@users_router.patch("/{user_id}", response_model=UserPublic)
@in_thread  # may hash a new password
def update_user(session: SessionDep, actor: Admin, user_id: uuid.UUID, body: UserUpdate) -> User:
    """Change a user's name, password, role or active flag (admins only)."""
    user = crud.get_live(session, User, tenant_id=actor.tenant_id, row_id=user_id, label="user")
    return service.update_user(session, actor=actor, user=user, data=body)


me_router = api_router(prefix="/api/v1/me", tags=["me"])
Me = Annotated[Actor, Depends(current_actor)]


@me_router.get("/preferences", response_model=PreferencesPublic)
def my_preferences(session: SessionDep, actor: Me) -> PreferencesPublic:
    """The caller's own preferences: reminder e-mails and locale (any role)."""
    return preferences.get_preferences(session, actor=actor)


@me_router.patch("/preferences", response_model=PreferencesPublic)
def change_my_preferences(
    session: SessionDep, actor: Me, body: PreferencesUpdate
) -> PreferencesPublic:
    """Change some of the caller's own preferences; what the body leaves out stays."""
    return preferences.update_preferences(session, actor=actor, data=body)
