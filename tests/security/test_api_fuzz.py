"""Schemathesis fuzzes every API operation of the OpenAPI schema, as a tenant's admin.

Each operation gets a bounded number of generated requests (valid and invalid ones),
with path ids drawn either at random or from the tenant's real objects, so handlers run
on real rows too, not only into 404. Checks: no 5xx, every status, content type and body
documented in the schema, and no deleted object readable afterwards (a stateful check of
our own below, as FastAPI's schema has no links for schemathesis to follow).

Bounds: ``FUZZ_EXAMPLES`` per operation and generation mode (default 10), derandomised so
CI runs the same cases; on both databases, about two minutes each (they run in parallel
under xdist).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)
from sqlalchemy.orm import Session, sessionmaker

from tests.security import tally
from tests.security.probes import ProbeWorld, kind_of, url_for
from tests.security.routes import Operation, api_operations
from tests.support import build_tenant

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
# FUZZ_RANDOM=1 explores new cases (a longer local hunt); CI runs the same ones every time.
DERANDOMIZE = os.environ.get("FUZZ_RANDOM", "") != "1"
CHECKS: list[Callable[..., Any]] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    use_after_free,
]
OWN_HEADERS = {"authorization", "x-tenant-id"}
LOGOUT = "/api/v1/auth/logout"


@pytest.fixture(scope="module")
def fuzz_world(http: TestClient, session_factory: sessionmaker[Session]) -> ProbeWorld:
    world = ProbeWorld(build_tenant(http, session_factory))
    world.build_all()
    return world


@pytest.fixture(scope="module")
def schema(app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def _operations(schema: Any) -> list[Any]:
    operations = [result.ok() for result in schema.get_all_operations()]
    # Deletes last, so the other operations still find the real objects they may draw; and
    # signing out after them, as it ends the admin's token (its later cases are then 401).
    return sorted(
        operations,
        key=lambda op: (op.path == LOGOUT, op.method.lower() == "delete", op.label),
    )


def _fuzz(operation: Any, world: ProbeWorld, mode: GenerationMode) -> list[str]:
    """Run one operation's examples; the failures found, each described once."""
    failures: dict[str, str] = {}
    real = {
        p.name: kind_of(_as_probe_op(operation), p.name)
        for p in operation.path_parameters
        if kind_of(_as_probe_op(operation), p.name)
    }

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=DERANDOMIZE,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def run(case: Any, data: st.DataObject) -> None:
        for name, kind in real.items():
            if data.draw(st.booleans(), label=f"real {name}"):
                case.path_parameters[name] = world.get(str(kind))
        headers = {k: v for k, v in (case.headers or {}).items() if k.lower() not in OWN_HEADERS}
        case.headers = {**headers, **world.admin.headers}
        tally.add("fuzz cases")
        try:
            case.call_and_validate(checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:
            found = exc.exceptions if isinstance(exc, BaseExceptionGroup) else (exc,)
            for failure in found:
                title = getattr(failure, "title", type(failure).__name__)
                key = f"{operation.label} [{mode.value}]: {title}"
                failures.setdefault(key, f"{key}\n{failure}\n{case.as_curl_command()}")

    run()
    return list(failures.values())


def _as_probe_op(operation: Any) -> Operation:
    params = tuple(p.name for p in operation.path_parameters)
    return Operation(operation.method.upper(), operation.path, params, {}, (), False, False, None)


def test_schema_fuzzing_finds_no_failure(schema: Any, fuzz_world: ProbeWorld) -> None:
    failures: list[str] = []
    operations = _operations(schema)
    assert len(operations) >= 50
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += _fuzz(operation, fuzz_world, mode)
    tally.add("fuzz failures", len(failures))
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)


def test_deleted_objects_answer_404_everywhere(
    app: FastAPI, http: TestClient, session_factory: sessionmaker[Session]
) -> None:
    """Use after delete: once DELETE succeeded, every route naming the object says 404."""
    operations = api_operations(app)
    fuzz_world = ProbeWorld(build_tenant(http, session_factory))
    problems = []
    for delete in (op for op in operations if op.method == "DELETE"):
        kind = kind_of(delete, delete.path_params[0])
        assert kind is not None
        victim = fuzz_world.fresh(kind)
        fuzz_world.admin.ok("DELETE", delete.path.format(**{delete.path_params[0]: victim}), 204)
        users = [op for op in operations if any(kind_of(op, p) == kind for p in op.path_params)]
        for op in users:
            url = url_for(op, fuzz_world)
            url = url.replace(fuzz_world.get(kind), victim)
            response = fuzz_world.admin.request(op.method, url, json={} if op.has_body else None)
            tally.add("fuzz cases")
            if response.status_code != 404:
                problems.append(f"{op.method} {url} after {delete.key}: {response.status_code}")
    tally.add("fuzz failures", len(problems))
    assert problems == []
