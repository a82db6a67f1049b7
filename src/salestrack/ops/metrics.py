"""Prometheus metrics: requests by route template and status, latency, pool usage.

With several worker processes, set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory
(``salestrack serve`` empties it at start): each process writes its samples there and
``/metrics`` answers with all of them added up, whichever worker serves the scrape.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import Engine
from sqlalchemy.pool import QueuePool

REQUESTS = Counter(
    "salestrack_http_requests_total",
    "HTTP requests answered, by method, route template and status",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "salestrack_http_request_duration_seconds",
    "Time from request to the end of the response, by method, route template and status",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.08, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
POOL_CHECKED_OUT = Gauge(
    "salestrack_db_pool_checked_out",
    "Database connections in use (summed over live processes)",
    multiprocess_mode="livesum",
)
POOL_SIZE = Gauge(
    "salestrack_db_pool_size",
    "Database connections the pool keeps open (summed over live processes)",
    multiprocess_mode="livesum",
)
POOL_OVERFLOW = Gauge(
    "salestrack_db_pool_overflow",
    "Connections opened beyond the pool size (summed over live processes)",
    multiprocess_mode="livesum",
)


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    code = str(status)
    REQUESTS.labels(method, route, code).inc()
    LATENCY.labels(method, route, code).observe(seconds)


def observe_pool(engine: Engine) -> None:
    pool = engine.pool
    if isinstance(pool, QueuePool):
        POOL_CHECKED_OUT.set(pool.checkedout())
        POOL_SIZE.set(pool.size())
        POOL_OVERFLOW.set(max(pool.overflow(), 0))


def exposition(engine: Engine) -> tuple[bytes, str]:
    """The text format Prometheus scrapes, for this process or all of them."""
    observe_pool(engine)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
