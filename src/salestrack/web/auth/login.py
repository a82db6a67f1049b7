"""Login, logout and the start page: the browser's way in, on the API's login rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from salestrack.auth import service as auth
from salestrack.auth.security import read_token
from salestrack.core.errors import TooManyRequests
from salestrack.http.deps import SessionDep, SettingsDep
from salestrack.web.kit.deps import CurrentUser, FormDep, LoginRequired, WebUser, current_user
from salestrack.web.kit.nav import start_page
from salestrack.web.kit.render import redirect, render
from salestrack.web.kit.session import load_session

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site (never ``//host`` or ``https://...``) may follow login."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return None


def _optional_user(request: Request, session: SessionDep) -> WebUser | None:
    try:
        return current_user(request, session)
    except LoginRequired:
        return None


MaybeUser = Annotated[WebUser | None, Depends(_optional_user)]
NextParam = Annotated[str | None, Query(alias="next", max_length=500)]


@router.get("/")
def home(request: Request, user: MaybeUser) -> Response:
    """The user's start page, or the login page."""
    return redirect(request, start_page(user) if user else "/login")


@router.get("/login")
def login_page(request: Request, user: MaybeUser, next_page: NextParam = None) -> Response:
    """The login form (a logged-in user goes straight on)."""
    if user is not None:
        return redirect(request, _safe_next(next_page) or start_page(user))
    return render(request, "login.html", {"values": {}, "next": _safe_next(next_page)})


@router.post("/login")
def login_submit(
    request: Request, session: SessionDep, settings: SettingsDep, form: FormDep
) -> Response:
    """Check the credentials with the API's login (same throttle); start a session."""
    values = {k: form.get(k, "").strip()[:254] for k in ("tenant", "email")}
    target = _safe_next(form.get("next"))
    context = {"values": values, "next": target}
    if not values["tenant"] or not values["email"] or not form.get("password"):
        context["error"] = "Enter your company (tenant), email and password."
        return render(request, "login.html", context, status=400)
    address = request.client.host if request.client else "unknown"
    result = auth.login(
        session,
        settings=settings,
        tenant_reference=values["tenant"][:64],
        email=values["email"],
        password=form["password"][:256],
        address=address,
    )
    if result.error is not None:
        # The failed attempt is counted: the request's transaction commits it.
        context["error"] = (
            "Too many failed logins. Wait a while and try again."
            if isinstance(result.error, TooManyRequests)
            else "That tenant, email and password do not match an active user."
        )
        return render(request, "login.html", context, status=result.error.status)
    claims = read_token(settings, result.token or "")
    assert claims is not None
    load_session(request).log_in(
        tenant_id=claims.tenant_id, user_id=claims.user_id, session_epoch=claims.session_epoch
    )
    return redirect(request, target or start_page(current_user(request, session)))


@router.post("/logout")
def logout(request: Request, session: SessionDep, user: CurrentUser, _form: FormDep) -> Response:
    """Sign out: end this session and every other session and token of the user (a form
    post with the CSRF token, so no other site can sign you out)."""
    assert user.actor.user_id is not None  # a page's user is always a real user
    auth.end_sessions(session, tenant_id=user.actor.tenant_id, user_id=user.actor.user_id)
    load_session(request).log_out()
    return redirect(request, "/login")
