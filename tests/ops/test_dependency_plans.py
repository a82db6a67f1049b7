"""API routes solve their dependencies from a plan (``http.solving``): every answer must be
the one FastAPI's own solver gives, which a route falls back to while dependency overrides
are set (so overrides, the way tests and tools replace a dependency, keep working)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, HTTPException
from fastapi.routing import iter_route_contexts

from salestrack.auth import deps as auth_deps
from salestrack.http import solving
from salestrack.http.routing import HandlerThreadRoute
from tests.support import ApiClient

_UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_VARYING = {"date", "x-request-id", "content-length"}
BAD_QUERY_VALUES = ["", "x", "-1", "99999999999999999999999", "%00", "2025-13-45", "a%27b"]
CONTENT_TYPES = [None, "application/json", "text/plain", "application/x+json", "APPLICATION/JSON",
                 "application/jsonx", "application/json; charset=latin-1", "json"]  # fmt: skip
BODIES = [b"", b"{", b"null", b"[]", b"{}", b'{"name": 1}', b"\xef\xbb\xbf{}", b"NaN"]


def _unused() -> None:
    """A dependency no route has: overriding it switches every route to FastAPI's solver."""


def _answer(response: httpx.Response) -> tuple[int, bytes, list[tuple[str, str]]]:
    body = b"<2xx>" if 200 <= response.status_code < 300 else _UUID.sub(b"<id>", response.content)
    headers = sorted((k, v) for k, v in response.headers.items() if k not in _VARYING)
    return response.status_code, body, headers


@pytest.fixture
def both(app: FastAPI, api: ApiClient) -> Callable[..., tuple[Any, Any]]:
    """A request answered by the route's plan, then by FastAPI's solver."""

    def send(method: str, url: str, **kwargs: Any) -> tuple[Any, Any]:
        planned = _answer(api.request(method, url, **kwargs))
        app.dependency_overrides[_unused] = _unused
        try:
            own = _answer(api.request(method, url, **kwargs))
        finally:
            app.dependency_overrides.pop(_unused, None)
        return planned, own

    return send


def _api_routes(app: FastAPI) -> list[Any]:
    return [
        route
        for route in iter_route_contexts(app.router.routes)
        if isinstance(getattr(route, "original_route", route), HandlerThreadRoute)
        and getattr(route, "path", "").startswith("/api/v1/sales/")
    ]


def _query_names(dependant: Any) -> list[str]:
    names = [param.alias or param.name for param in dependant.query_params]
    for sub in dependant.dependencies:
        names += _query_names(sub)
    return names


def test_the_plan_serves_requests_and_overrides_switch_to_fastapis_solver(
    app: FastAPI, api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    solved: list[str] = []
    original = solving.Plan.solve

    async def counting(self: solving.Plan, request: Any) -> Any:
        solved.append(request.url.path)
        return await original(self, request)

    monkeypatch.setattr(solving.Plan, "solve", counting)
    api.ok("GET", "/api/v1/sales/customers")
    assert solved == ["/api/v1/sales/customers"]

    def teapot() -> None:
        raise HTTPException(418, "the override ran")

    app.dependency_overrides[auth_deps.current_actor] = teapot
    try:
        overridden = api.get("/api/v1/sales/customers")
    finally:
        app.dependency_overrides.pop(auth_deps.current_actor, None)
    assert overridden.status_code == 418
    assert solved == ["/api/v1/sales/customers"]


def test_query_parameters_are_refused_exactly_as_fastapi_refuses_them(
    app: FastAPI, both: Callable[..., tuple[Any, Any]]
) -> None:
    differing = []
    for route in _api_routes(app):
        if "GET" not in route.methods or "{" in route.path:
            continue
        queries = ["", "unknown=1", "limit=1&limit=x"]
        for name in _query_names(route.dependant):
            queries += [f"{name}={value}" for value in BAD_QUERY_VALUES]
            queries.append(f"{name}=a&{name}=b")
        for query in queries:
            planned, own = both("GET", f"{route.path}?{query}")
            if planned != own:
                differing.append((route.path, query, planned[:2], own[:2]))
    assert differing == []


def test_bodies_and_content_types_are_read_exactly_as_fastapi_reads_them(
    both: Callable[..., tuple[Any, Any]],
) -> None:
    differing = []
    for path in ("/api/v1/sales/customers", "/api/v1/sales/leads", "/api/v1/sales/ledger"):
        for media in CONTENT_TYPES:
            for body in BODIES:
                headers = {} if media is None else {"Content-Type": media}
                planned, own = both("POST", path, content=body, headers=headers)
                if planned != own:
                    differing.append((path, media, body, planned[:2], own[:2]))
    assert differing == []
