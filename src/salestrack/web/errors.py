"""Errors on pages answer as pages: 403, 404, expired forms, and a redirect to log in.

The API's handlers (problem+json) stay in charge of ``/api/``; every other path gets an
HTML page with the same status, written for a person.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from salestrack.core.errors import DATABASE_UNAVAILABLE, ProblemError
from salestrack.web.deps import CsrfRefused, LoginRequired
from salestrack.web.render import redirect, render

log = logging.getLogger("salestrack.web")
Handler = Callable[[Request, Any], Awaitable[Response]]

_TITLES = {
    400: "Bad request",
    401: "Please log in",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    409: "Conflict",
    413: "Too large",
    422: "That request was not understood",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "Please try again",
}
_MESSAGES = {
    403: "Your role does not allow this.",
    404: "There is nothing here. It may have been deleted, or the link is wrong.",
    422: "The address or form had a value this page cannot use.",
    500: "The server failed; the error was logged. Please try again.",
    503: "The service is busy or briefly unavailable. Please try again in a moment.",
}


def is_page(request: Request) -> bool:
    """Paths outside the API, its docs and health check are pages."""
    path = request.url.path
    return not path.startswith(
        ("/api/", "/docs", "/redoc", "/openapi", "/healthz", "/readyz", "/metrics")
    )


def error_page(request: Request, status: int, message: str | None = None) -> Response:
    title = _TITLES.get(status, "Error")
    text = message or _MESSAGES.get(status, title)
    return render(
        request, "error.html", {"title": title, "message": text, "status": status}, status=status
    )


def _login_redirect(request: Request, _exc: Exception) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return redirect(request, f"/login?next={quote(target, safe='')}")


def _csrf_refused(request: Request, _exc: Exception) -> Response:
    return error_page(
        request,
        403,
        "This form could not be accepted: it has expired or did not come from this site. "
        "Go back, reload the page and try again.",
    )


def install_page_errors(app: FastAPI) -> None:
    """Wrap the API's handlers: pages get HTML, the API keeps problem+json."""
    api: dict[Any, Handler] = dict(app.exception_handlers)

    def page_or_api(exc_type: Any, page: Callable[[Request, Any], Response]) -> None:
        fallback = api.get(exc_type)

        async def handler(request: Request, exc: Any) -> Response:
            if is_page(request) or fallback is None:
                return page(request, exc)
            return await fallback(request, exc)

        app.add_exception_handler(exc_type, handler)

    def problem(request: Request, exc: ProblemError) -> Response:
        message = exc.detail if exc.status in (403, 409, 429) else None
        return error_page(request, exc.status, message)

    def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return error_page(request, exc.status_code)

    def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on page %s %s", request.method, request.url.path)
        return error_page(request, 500)

    page_or_api(ProblemError, problem)
    page_or_api(StarletteHTTPException, http_error)
    page_or_api(RequestValidationError, lambda request, _exc: error_page(request, 422))
    page_or_api(
        IntegrityError,
        lambda request, _exc: error_page(
            request, 409, "That change clashes with data saved meanwhile. Reload and try again."
        ),
    )
    for exc_type in DATABASE_UNAVAILABLE:
        page_or_api(exc_type, lambda request, _exc: error_page(request, 503))
    page_or_api(Exception, unexpected)
    page_or_api(LoginRequired, _login_redirect)
    page_or_api(CsrfRefused, _csrf_refused)
