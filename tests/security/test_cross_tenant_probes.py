"""Tenant A probes every API route that takes an id with tenant B's ids: nothing gets through.

The routes come from the app's own table (``tests/security/routes.py``); B's objects come
from the factories in ``tests/security/probes.py``. Every probe must get exactly the
expected status (404 for A's ids-of-B, 403 where A's role is refused first, 403 for a
foreign or missing tenant header) and no byte of B's data; B's every GET answers
byte-identically before and after. A third tenant sends the same requests on its own
objects and gets through, which shows that the 404s come from tenancy, not from a
malformed probe.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth.roles import allows
from tests.security import tally
from tests.security.probes import (
    BODIES,
    QUERY_PARAMS,
    ProbeWorld,
    required_query,
    unprobeable,
    url_for,
)
from tests.security.routes import Operation, api_operations
from tests.support import build_tenant

Snapshot = dict[str, tuple[int, bytes]]


@pytest.fixture(scope="module")
def operations(app: FastAPI) -> list[Operation]:
    return api_operations(app)


@pytest.fixture(scope="module")
def with_ids(operations: list[Operation]) -> list[Operation]:
    return [op for op in operations if op.path_params]


def _world(http: TestClient, factory: sessionmaker[Session]) -> ProbeWorld:
    world = ProbeWorld(build_tenant(http, factory))
    world.build_all()
    return world


@pytest.fixture(scope="module")
def victim(http: TestClient, session_factory: sessionmaker[Session]) -> ProbeWorld:
    """Tenant B: one object of every kind."""
    return _world(http, session_factory)


@pytest.fixture(scope="module")
def prober(http: TestClient, session_factory: sessionmaker[Session]) -> ProbeWorld:
    """Tenant A, with objects of its own, so its lists are not trivially empty."""
    return _world(http, session_factory)


def _snapshot(world: ProbeWorld, operations: list[Operation]) -> Snapshot:
    """Every GET of B's, by B's admin: status and exact bytes."""
    shot = {}
    for op in operations:
        if op.method == "GET":
            response = world.admin.get(url_for(op, world), params=required_query(op))
            assert response.status_code == 200, (op.key, response.text)
            shot[op.key] = (response.status_code, _stable(response.content))
    return shot


def _stable(content: bytes) -> bytes:
    """The body without a report's ``as_of`` stamp (the time it was computed)."""
    if not content.startswith(b"{"):
        return content
    body = json.loads(content)
    if isinstance(body, dict):
        body.pop("as_of", None)
    return json.dumps(body, sort_keys=True).encode()


@pytest.fixture
def untouched(victim: ProbeWorld, operations: list[Operation]) -> Iterator[None]:
    """B's GET answers are byte-identical after the test's probes."""
    before = _snapshot(victim, operations)
    yield
    after = _snapshot(victim, operations)
    changed = [key for key in before if before[key] != after[key]]
    assert changed == [], f"tenant B's data changed: {changed}"


def _secrets(world: ProbeWorld) -> set[str]:
    users = {str(c.user_id) for c in world.tenant.clients.values()}
    return {world.marker, str(world.tenant.tenant_id), *world.ids.values(), *users}


def _probe(
    http: TestClient,
    op: Operation,
    url: str,
    victim: ProbeWorld,
    expected: int,
    headers: dict[str, str],
    params: dict[str, str] | None = None,
) -> list[str]:
    """Send one probe and say what was wrong with the answer (nothing, hopefully)."""
    kwargs: dict[str, Any] = {"headers": headers, "params": params or required_query(op)}
    if op.key in BODIES:
        kwargs["json"] = BODIES[op.key]
    response = http.request(op.method, url, **kwargs)
    tally.add("probes")
    problems = []
    if response.status_code != expected:
        tally.add("unexpected statuses")
        problems.append(f"{op.method} {url}: {response.status_code}, expected {expected}")
    seen = [s for s in _secrets(victim) if s in response.text and s not in url]
    if seen or 200 <= response.status_code < 300:
        tally.add("leaks")
        problems.append(f"{op.method} {url} leaked {seen or response.status_code}")
    return problems


def _auth(token: str, tenant: str | None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    return headers if tenant is None else {**headers, "X-Tenant-ID": tenant}


def test_every_route_can_be_probed(operations: list[Operation], with_ids: list[Operation]) -> None:
    """A route added without a factory, filter value or body for its probes fails here."""
    assert unprobeable(operations) == []
    assert len(with_ids) >= 30
    assert {"GET", "PATCH", "DELETE", "POST"} <= {op.method for op in with_ids}


@pytest.mark.usefixtures("untouched")
def test_another_tenants_ids_are_404_for_every_role(
    http: TestClient, with_ids: list[Operation], prober: ProbeWorld, victim: ProbeWorld
) -> None:
    """A's token and header with B's ids: 404, or 403 where A's role may not do it at all."""
    problems = []
    for op in with_ids:
        url = url_for(op, victim)
        assert op.permission is not None
        for role, client in prober.tenant.clients.items():
            expected = 404 if allows(role, op.permission) else 403
            problems += _probe(http, op, url, victim, expected, client.headers)
        if op.method == "POST":  # the idempotency layer sees these first
            key = {"Idempotency-Key": f"probe-{uuid.uuid4()}"}
            problems += _probe(http, op, url, victim, 404, {**prober.admin.headers, **key})
    assert problems == []


@pytest.mark.usefixtures("untouched")
def test_another_tenants_header_and_no_header_are_refused(
    http: TestClient, with_ids: list[Operation], prober: ProbeWorld, victim: ProbeWorld
) -> None:
    """A's token with B's header or with none: 403; B's header without a token: 401."""
    token = prober.admin.token
    problems = []
    for op in with_ids:
        url = url_for(op, victim)
        for tenant in (victim.tenant.slug, str(victim.tenant.tenant_id)):
            problems += _probe(http, op, url, victim, 403, _auth(token, tenant))
        problems += _probe(http, op, url, victim, 403, _auth(token, None))
        problems += _probe(http, op, url, victim, 401, {"X-Tenant-ID": victim.tenant.slug})
        if op.method == "POST":
            key = {"Idempotency-Key": f"probe-{uuid.uuid4()}"}
            headers = {**_auth(token, victim.tenant.slug), **key}
            problems += _probe(http, op, url, victim, 403, headers)
    assert problems == []


@pytest.mark.usefixtures("untouched")
def test_list_filters_with_another_tenants_ids_find_nothing(
    operations: list[Operation], prober: ProbeWorld, victim: ProbeWorld
) -> None:
    """Every id filter of every list, pointed at B's objects, one at a time and all at once."""
    problems = []
    lists = [op for op in operations if op.method == "GET" and op.uuid_query_params]
    assert len(lists) >= 6
    for op in lists:
        url = url_for(op, prober)  # a list under one of A's own objects, if any
        filters = {p: victim.get(QUERY_PARAMS[p]) for p in op.uuid_query_params}
        for params in [*({p: v} for p, v in filters.items()), filters]:
            query = {**required_query(op), **params}
            response = prober.admin.get(url, params=query)
            tally.add("probes")
            body = response.json()
            items = body.get("items", body.get("entries")) if isinstance(body, dict) else body
            seen = [s for s in _secrets(victim) if s in response.text and s not in params.values()]
            if response.status_code != 200 or items or seen:
                tally.add("leaks" if items or seen else "unexpected statuses")
                problems.append(f"GET {url} {query}: {response.status_code} {seen} {items}")
    assert problems == []


def test_the_owner_gets_through_with_the_same_requests(
    http: TestClient, session_factory: sessionmaker[Session], with_ids: list[Operation]
) -> None:
    """The control: the same probes on a tenant's own objects are not 403, 404 or 422."""
    own = _world(http, session_factory)
    problems = []
    # Deletes last, each on a fresh object, so every other probe still finds its target.
    for op in sorted(with_ids, key=lambda op: op.method == "DELETE"):
        url = url_for(op, own, fresh=op.method == "DELETE")
        kwargs: dict[str, Any] = {"params": required_query(op)}
        if op.key in BODIES:
            kwargs["json"] = BODIES[op.key]
        response = own.admin.request(op.method, url, **kwargs)
        if response.status_code in (403, 404, 422) or response.status_code >= 500:
            problems.append(f"{op.method} {url}: {response.status_code} {response.text}")
    assert problems == []
