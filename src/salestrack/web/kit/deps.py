"""Who is looking at a page, and the checks every page and form post goes through."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from salestrack.auth import preferences
from salestrack.auth import service as auth
from salestrack.auth.context import Actor
from salestrack.auth.roles import Permission, Role
from salestrack.core.errors import Forbidden
from salestrack.core.tenancy import set_tenant
from salestrack.http.deps import SessionDep
from salestrack.notifications import service as notifications
from salestrack.web.kit.filters import LocaleFormat
from salestrack.web.kit.session import load_session


class LoginRequired(Exception):
    """No (valid) session: the page answers with a redirect to /login."""


class CsrfRefused(Exception):
    """A form post without the session's CSRF token: refused with 403."""


@dataclass(frozen=True)
class WebUser:
    """The logged-in user as pages need them: the actor services take, and display bits."""

    actor: Actor
    display_name: str
    tenant_name: str
    fmt: LocaleFormat
    # The bell in every page's header: unread notifications, counted up to
    # ``notifications.COUNT_CAP`` (the header says "99+" beyond).
    unread: int = 0

    @property
    def role(self) -> Role:
        return self.actor.role

    def can(self, permission: Permission | str) -> bool:
        return self.actor.can(Permission(permission))


def current_user(request: Request, session: SessionDep) -> WebUser:
    """The session's user, still active and in the session epoch the cookie was issued
    in, with their tenant; otherwise LoginRequired."""
    web = load_session(request)
    if web.tenant_id is None or web.user_id is None:
        raise LoginRequired
    set_tenant(session, web.tenant_id)  # before the first query: row-level security
    request.state.tenant_id = str(web.tenant_id)
    tenant = auth.get_tenant(session, tenant_id=web.tenant_id)
    user = auth.get_active_user(session, tenant_id=web.tenant_id, user_id=web.user_id)
    if tenant is None or user is None or user.session_epoch != web.session_epoch:
        web.log_out()  # signed out elsewhere, password changed or deactivated: no session
        raise LoginRequired
    request.state.user_id = str(user.id)
    actor = Actor(tenant.tenant_id, tenant.slug, user.id, Role(user.role), user.email)
    chosen = preferences.locale_of(session, tenant_id=tenant.tenant_id, user_id=user.id)
    fmt = LocaleFormat(chosen or tenant.locale, tenant.currency, tenant.timezone)
    unread = notifications.unread_count(session, actor=actor)
    who = WebUser(actor, user.full_name or user.email, tenant.name, fmt, unread)
    request.state.web_user = who
    return who


CurrentUser = Annotated[WebUser, Depends(current_user)]


def permitted(permission: Permission) -> Callable[..., WebUser]:
    """A dependency: the user if their role grants ``permission``, else a 403 page."""

    def _check(user: CurrentUser) -> WebUser:
        if not user.can(permission):
            raise Forbidden(f"Your role ({user.role.value}) may not do this.")
        return user

    return _check


def user_with(permission: Permission) -> object:
    """``Annotated`` metadata: ``user: Annotated[WebUser, user_with(Permission.x)]``."""
    return Depends(permitted(permission))


async def posted_form(request: Request) -> dict[str, str]:
    """The posted form's text fields, after checking its CSRF token against the session."""
    form = await request.form()
    token = form.get("csrf_token")
    if not isinstance(token, str) or not load_session(request).csrf_matches(token):
        raise CsrfRefused
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


FormDep = Annotated[dict[str, str], Depends(posted_form)]
