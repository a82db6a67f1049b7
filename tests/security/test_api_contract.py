"""Schemathesis tests the whole API against its OpenAPI document, as a tenant's admin.

Every phase (examples, coverage, fuzzing, and the stateful phase that follows the
document's links from each create to the operations taking its id) and every check
(``--checks all``: server errors, status codes, content types, headers and bodies as
documented, schema-valid requests accepted and invalid ones refused, ``Allow`` on 405,
auth not ignored, deleted objects gone ...), in process against the session's app, on
both databases. The rules the document can only state in prose are followed by
``contract_hooks`` (from ≤ to, ledger sides, ids of the tenant's objects ...).

Bounds: ``CONTRACT_EXAMPLES`` per operation and phase (default 4) and a fixed seed, so
CI runs the same cases in a bounded time; ``CONTRACT_SEED=random`` explores new ones.
"""

from __future__ import annotations

import os
import random
from collections import Counter

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events
from sqlalchemy.orm import Session, sessionmaker

from tests.security import contract_hooks, tally
from tests.security.probes import ProbeWorld
from tests.support import build_tenant

EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "4"))
_SEED = os.environ.get("CONTRACT_SEED", "19")
SEED = random.randrange(2**32) if _SEED == "random" else int(_SEED)
# Body fields naming another object → the kind of object the probes' world builds.
KINDS = {
    "lead_id": "lead",
    "customer_id": "customer",
    "campaign_id": "campaign",
    "source_id": "source",
    "inventory_id": "inventory",
    "assigned_to": "user",
    "visited_by": "user",
    "owner_id": "user",
}


def _config(token: str, tenant: str) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            # The token as the document's bearer scheme, so the auth checks can drop it.
            "auth": {"openapi": {"HTTPBearer": {"bearer": token}}},
            "headers": {"X-Tenant-ID": tenant},
            "workers": 1,
            "suppress-health-check": ["all"],
            "generation": {"max-examples": EXAMPLES, "deterministic": _SEED != "random"},
            "checks": {"enabled": True},
            "phases": {"stateful": {"max-steps": 20}},
            # A logo the schema allows (any bytes) is still refused unless it is a readable
            # PNG or JPEG (a documented 422); the upload itself is tested with real images
            # in tests/web/test_document_settings_page.py and tests/documents.
            "operations": [
                {
                    "include-path": "/api/v1/sales/document-settings/logo",
                    "include-method": "PUT",
                    "checks": {"positive_data_acceptance": {"enabled": False}},
                }
            ],
        }
    )


def _failures(event: events.EngineEvent) -> list[str]:
    """Each failed check of a finished scenario: its code, operation and reproduction."""
    found = []
    if isinstance(event, events.ScenarioFinished):
        for case_id, checks in event.recorder.checks.items():
            for check in checks:
                if check.status is Status.FAILURE and check.failure_info is not None:
                    failure = check.failure_info.failure
                    found.append(
                        f"{failure.code} {failure.operation}: {failure.title}\n"
                        f"{failure.message}\n{_answer(event, case_id)}\n"
                        f"{check.failure_info.code_sample}"
                    )
    return found


def _answer(event: events.ScenarioFinished, case_id: str) -> str:
    interaction = event.recorder.interactions.get(case_id)
    response = interaction.response if interaction else None
    if response is None:
        return "(no response)"
    return f"[{response.status_code}] {(response.content or b'')[:500]!r}"


def _run(app: FastAPI, headers: dict[str, str]) -> tuple[Counter[str], list[str]]:
    """All phases and checks; the counts (cases, scenarios per phase) and the failures."""
    token = headers["Authorization"].removeprefix("Bearer ")
    config = _config(token, headers["X-Tenant-ID"])
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)
    counts: Counter[str] = Counter()
    failures: list[str] = []
    errors: list[str] = []
    started = 0.0
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.PhaseStarted):
            started = event.timestamp
        if isinstance(event, events.PhaseFinished):
            counts[f"{event.phase.name.value} seconds"] = round(event.timestamp - started)
        if isinstance(event, events.ScenarioFinished):
            counts[f"{event.phase.value} scenarios"] += 1
            counts["cases"] += len(event.recorder.cases)
        if isinstance(event, events.NonFatalError | events.FatalError):
            errors.append(f"{type(event).__name__}: {getattr(event, 'label', '')} {event}")
        failures += _failures(event)
    # The same failure found by several cases is one disagreement.
    return counts, sorted(set(failures)) + errors


def test_the_api_keeps_its_openapi_contract(
    app: FastAPI, http: TestClient, session_factory: sessionmaker[Session]
) -> None:
    world = ProbeWorld(build_tenant(http, session_factory))
    world.build_all()
    contract_hooks.IDS.clear()
    contract_hooks.IDS.update({field: world.get(kind) for field, kind in KINDS.items()})
    inventory = world.admin.ok("GET", f"/api/v1/sales/inventory/{world.get('inventory')}")
    contract_hooks.IDS["project"] = inventory["project"]  # a construction stage's project
    contract_hooks.SIGN_OUT_AS["token"] = world.tenant.manager.token
    counts, failures = _run(app, world.admin.headers)
    # The run's admin was never signed out: its cases reached the handlers, not a 401.
    assert world.admin.get("/api/v1/sales/users").status_code == 200
    tally.add("contract cases", counts["cases"])
    tally.add("contract failures", len(failures))
    print(f"schemathesis (seed {SEED}): {dict(counts)}, failures: {len(failures)}")
    assert counts["stateful scenarios"] > 0, "the stateful phase did not run"
    assert counts["cases"] >= 1000, f"too few cases to mean anything: {dict(counts)}"
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)
