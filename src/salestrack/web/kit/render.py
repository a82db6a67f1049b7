"""Rendering pages: one template environment, the context every page gets, safe headers."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from salestrack.web.kit.deps import WebUser
from salestrack.web.kit.filters import LocaleFormat, install_filters
from salestrack.web.kit.nav import nav_for
from salestrack.web.kit.session import load_session, save_session

TEMPLATES_DIR = Path(__file__).parent.parent / "templates"
STATIC_DIR = Path(__file__).parent.parent / "static"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
install_filters(templates.env)

# Everything is served from this origin: no remote script, style, font or frame.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def page_user(request: Request) -> WebUser | None:
    user = getattr(request.state, "web_user", None)
    return user if isinstance(user, WebUser) else None


def with_style_nonce(nonce: str) -> dict[str, str]:
    """The page headers, letting ``<style nonce=...>`` elements (inline SVG charts) apply."""
    policy = SECURITY_HEADERS["Content-Security-Policy"].replace(
        "style-src 'self'", f"style-src 'self' 'nonce-{nonce}'"
    )
    return {**SECURITY_HEADERS, "Content-Security-Policy": policy}


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    style_nonce: str | None = None,
) -> Response:
    """An HTML page with the header (tenant, user, role), navigation and CSRF token."""
    user = page_user(request)
    base: dict[str, Any] = {
        "user": user,
        "nav": nav_for(user) if user else [],
        "fmt": user.fmt if user else LocaleFormat(),
        "csrf_token": load_session(request).csrf_token,
        "path": request.url.path,
    }
    base.update(context or {})
    response = templates.TemplateResponse(
        request,
        template,
        base,
        status_code=status,
        headers=with_style_nonce(style_nonce) if style_nonce else SECURITY_HEADERS,
    )
    return save_session(request, response)


def redirect(request: Request, url: str) -> Response:
    """303 See Other: after a form post the browser follows with a GET."""
    response = RedirectResponse(url, status_code=303, headers=SECURITY_HEADERS)
    return save_session(request, response)


def query_string(params: Mapping[str, Any]) -> str:
    """``?a=1&b=2`` of the non-empty params (for filter and paging links)."""
    kept = {k: str(v) for k, v in params.items() if v not in (None, "")}
    return f"?{urlencode(kept)}" if kept else ""
