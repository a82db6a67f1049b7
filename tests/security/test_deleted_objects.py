"""Use after delete, for every DELETE route: the object is gone from every route naming it.

The schema fuzzing that lived here is now ``test_api_contract.py`` (schemathesis with all
phases and checks, its stateful phase following the document's links). This test stays
because it is exhaustive where the fuzzer samples: every route that takes a deleted
object's id must answer 404, deterministically, on both databases.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.security import tally
from tests.security.probes import ProbeWorld, kind_of, url_for
from tests.security.routes import api_operations
from tests.support import build_tenant


def test_deleted_objects_answer_404_everywhere(
    app: FastAPI, http: TestClient, session_factory: sessionmaker[Session]
) -> None:
    """Use after delete: once DELETE succeeded, every route naming the object says 404."""
    operations = api_operations(app)
    fuzz_world = ProbeWorld(build_tenant(http, session_factory))
    problems = []
    # A DELETE without an id removes part of a singleton (the letterhead's logo): no object.
    for delete in (op for op in operations if op.method == "DELETE" and op.path_params):
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
