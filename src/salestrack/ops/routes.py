"""``/healthz`` (the process answers), ``/readyz`` (it can serve) and ``/metrics``."""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine

from salestrack.core.errors import problem_response
from salestrack.core.migrate import current_revision, head_revision
from salestrack.http.routing import api_router
from salestrack.ops.metrics import exposition

router = api_router(include_in_schema=False)
log = logging.getLogger("salestrack.ops")


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Up: the process runs and answers (nothing else is checked)."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """Ready: the database answers and its schema is the one this code needs; else 503."""
    head = head_revision()
    try:
        current = current_revision(_engine(request))
    except Exception as exc:  # any failure to reach the database means "not ready"
        log.warning("readiness check failed: %s", exc)
        return problem_response(
            503,
            "Service unavailable",
            "the database is unreachable",
            headers={"Retry-After": "1"},
        )
    if current != head:
        return problem_response(
            503,
            "Service unavailable",
            f"database schema is at {current or 'nothing'}, this version needs {head}",
            headers={"Retry-After": "5"},
        )
    return JSONResponse({"status": "ready", "revision": head})


@router.get("/metrics")
def prometheus_metrics(request: Request) -> Response:
    """Prometheus text format. Expose it to the scraper, not to the internet."""
    body, content_type = exposition(_engine(request))
    return Response(body, media_type=content_type)
