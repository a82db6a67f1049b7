"""Errors as RFC 9457 problem+json, raised by services and rendered in one place."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("salestrack.core.errors")


class ProblemError(Exception):
    """A failure the client can understand; ``detail`` is written for a human.

    ``field`` names the input the failure is about (``"source_id"``, ``"unit_count"``), so
    a form can show the message beside it without reading the text; it is not part of the
    problem+json body, which ``extra`` alone extends.
    """

    status = 400
    title = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.headers = headers or {}
        self.extra = extra


class NotFound(ProblemError):
    status = 404
    title = "Not found"


class Conflict(ProblemError):
    status = 409
    title = "Conflict"


class Unprocessable(ProblemError):
    status = 422
    title = "Unprocessable content"


class Unauthorized(ProblemError):
    status = 401
    title = "Unauthorized"

    def __init__(self, detail: str = "missing or invalid bearer token", **extra: Any) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"}, **extra)


class Forbidden(ProblemError):
    status = 403
    title = "Forbidden"


class TooManyRequests(ProblemError):
    status = 429
    title = "Too many requests"


class PayloadTooLarge(ProblemError):
    status = 413
    title = "Payload too large"


def problem_response(
    status: int,
    title: str,
    detail: str,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update(jsonable_encoder(extra))
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


# Failures of the database rather than of the request: the client may retry (503).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)
_RETRYABLE_DETAIL = {
    "57014": "the database took too long to answer (statement timeout); try again",
    "40001": "the request collided with a concurrent one; try again",
    "40P01": "the request collided with a concurrent one; try again",
}


def database_unavailable_detail(exc: Exception) -> str:
    """What to tell the client when the database failed (never the driver's message)."""
    if isinstance(exc, PoolTimeout):
        return "the server is busy (no database connection free); try again shortly"
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return _RETRYABLE_DETAIL.get(str(sqlstate), "the database is unavailable; try again shortly")


def _describe_validation(errors: list[dict[str, Any]]) -> str:
    parts = []
    for error in errors[:5]:
        location = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query"))
        parts.append(f"{location or 'request'}: {error.get('msg', 'invalid')}")
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return "; ".join(parts) + more


async def _problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(
        exc.status,
        exc.title,
        exc.detail,
        instance=request.url.path,
        headers=exc.headers,
        **exc.extra,
    )


async def _invalid(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in exc.errors()]
    return problem_response(
        422,
        "Unprocessable content",
        _describe_validation(errors),
        instance=request.url.path,
        errors=errors,
    )


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:
        # The framework's "error parsing the body" (e.g. bytes that are not UTF-8): bad
        # input like any other, so 422 as the API promises, not an undocumented 400.
        return problem_response(
            422,
            "Unprocessable content",
            "request body could not be parsed (send UTF-8 JSON, or a form where asked)",
            instance=request.url.path,
            errors=[{"loc": ["body"], "msg": "unparsable body", "type": "body_unparsable"}],
        )
    detail = exc.detail if isinstance(exc.detail, str) else "request failed"
    title = {404: "Not found", 405: "Method not allowed", 413: "Payload too large"}.get(
        exc.status_code, "Error"
    )
    return problem_response(
        exc.status_code,
        title,
        detail,
        instance=request.url.path,
        headers=getattr(exc, "headers", None),
    )


async def _integrity(request: Request, exc: Exception) -> JSONResponse:
    # Services check uniqueness first; this answers the race two requests can still run.
    log.info("integrity error on %s: %s", request.url.path, getattr(exc, "orig", exc))
    return problem_response(
        409,
        "Conflict",
        "the change conflicts with existing data (a duplicate?)",
        instance=request.url.path,
    )


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    return problem_response(
        503,
        "Service unavailable",
        database_unavailable_detail(exc),
        instance=request.url.path,
        headers={"Retry-After": "1"},
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(
        500,
        "Internal server error",
        "the server failed; the error was logged",
        instance=request.url.path,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Every error leaves the app as problem+json; unexpected ones are logged, not leaked."""
    app.add_exception_handler(ProblemError, _problem)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(IntegrityError, _integrity)
    for exc_type in DATABASE_UNAVAILABLE:
        app.add_exception_handler(exc_type, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected)
