"""One pure-ASGI layer around every request: request id, metrics and the request log.

The request id comes from ``X-Request-ID`` when it looks like an id (so a proxy's id runs
through), otherwise it is generated; either way it is returned in ``X-Request-ID`` and
written in the request's log line. Routes are labelled by their template
(``/api/v1/sales/leads/{lead_id}``), never the raw path, so metrics stay bounded.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from sqlalchemy import Engine
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salestrack.ops import metrics
from salestrack.ops.logs import ACCESS_LOGGER

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
log = logging.getLogger(ACCESS_LOGGER)


def request_id_from(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            if _SANE_ID.match(candidate):
                return candidate
            break
    return uuid.uuid4().hex


def route_template(scope: Scope) -> str:
    """The matched route's path template; unmatched paths share one label."""
    route: Any = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    return "<unmatched>"


class RequestContext:
    """Request id in and out, a metrics sample and one JSON log line per request."""

    def __init__(self, app: ASGIApp, engine: Engine) -> None:
        self.app = app
        self.engine = engine

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope)
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append(REQUEST_ID_HEADER, request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._record(scope, state, request_id, status, time.perf_counter() - started)

    def _record(
        self, scope: Scope, state: dict[str, Any], request_id: str, status: int, seconds: float
    ) -> None:
        route = route_template(scope)
        method = scope.get("method", "")
        metrics.observe_request(method, route, status, seconds)
        metrics.observe_pool(self.engine)
        if log.isEnabledFor(logging.INFO):
            fields = {
                "request_id": request_id,
                "method": method,
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
                "tenant": state.get("tenant_id"),
                "user": state.get("user_id"),
            }
            log.info("request", extra={"fields": fields})
