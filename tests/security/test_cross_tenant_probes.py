"""Cross-tenant probes generated from the app's own route table (its OpenAPI document).

Every API route that takes an id is called, with every method, by tenant A on tenant B's
object; with A's token and B's header; with no header; and every list filter that takes an
id is pointed at B's object. Expected: 404 or 403 (empty lists for filters), and B's data
byte-identical afterwards.

A route added later is probed automatically. If its path parameter or id filter names a
kind of object this file cannot make yet, the test fails until an entry is added to
``OBJECT_KIND`` (parameter -> kind) and, for a new kind, ``FACTORIES`` (kind -> how tenant B
creates one through the API).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from tests.support import ApiClient, TenantWorld

SALES = "/api/v1/sales"
Factory = Callable[[TenantWorld, "Objects"], str]

# Which kind of object a path parameter or id filter names. Keys are tried most specific
# first: "<previous path segment>/{param}", then "{param}" (path) or "?param" (query).
OBJECT_KIND = {
    "leads/{record_id}": "lead",
    "customers/{record_id}": "customer",
    "campaigns/{record_id}": "campaign",
    "lead-sources/{record_id}": "lead_source",
    "{lead_id}": "lead",
    "{milestone_id}": "milestone",
    "{engagement_id}": "engagement",
    "{user_id}": "user",
    "?lead_id": "lead",
    "?source_id": "lead_source",
    "?campaign_id": "campaign",
    "?assigned_to": "user",
    "?entity_id": "lead",
}
# Required query parameters that are not ids, per route.
REQUIRED_QUERY = {f"{SALES}/audit": {"entity": "lead"}}
# A body that passes validation, so the probe reaches the tenant check (PATCH: change nothing
# dangerous; the answer must be 404 before anything is applied).
BODIES: dict[str, dict[str, Any]] = {"PATCH": {}, "POST": {}}
# Routes the probes leave out, with the reason.
NOT_PROBED = {f"{SALES}/auth/token": "login names its tenant by header; tested in auth"}


class Objects:
    """Tenant B's objects, made on first use through B's API."""

    def __init__(self, world: TenantWorld) -> None:
        self.world = world
        self.ids: dict[str, str] = {}

    def get(self, kind: str) -> str:
        if kind not in self.ids:
            self.ids[kind] = FACTORIES[kind](self.world, self)
        return self.ids[kind]


def _post(api: ApiClient, path: str, body: dict[str, Any]) -> str:
    created: dict[str, Any] = api.ok("POST", f"{SALES}/{path}", 201, json=body)
    return str(created["id"])


FACTORIES: dict[str, Factory] = {
    "lead": lambda w, _o: _post(w.admin, "leads", {"name": "B's lead", "email": "b@b.example"}),
    "customer": lambda w, o: _post(
        w.admin, "customers", {"name": "B's customer", "lead_id": o.get("lead")}
    ),
    "campaign": lambda w, _o: _post(
        w.admin, "campaigns", {"campaign_name": "B's campaign", "campaign_type": "email"}
    ),
    "lead_source": lambda w, o: _post(
        w.admin,
        "lead-sources",
        {"source_type": "website", "channel": "Paid Search", "campaign_id": o.get("campaign")},
    ),
    "milestone": lambda w, o: _post(
        w.admin,
        "milestones/lead",
        {
            "lead_id": o.get("lead"),
            "milestone_type": "site_visit",
            "milestone_date": "2025-01-02",
            "follow_up_required": True,
            "follow_up_date": "2025-01-09",
        },
    ),
    "engagement": lambda w, o: _post(
        w.admin,
        "engagement",
        {"lead_id": o.get("lead"), "engagement_type": "call_made", "engagement_channel": "phone"},
    ),
    "user": lambda w, _o: str(w.viewer.user_id),
}


def _kind(path: str, name: str, *, query: bool) -> str | None:
    if query:
        return OBJECT_KIND.get(f"?{name}")
    before = path.split("{" + name + "}")[0].rstrip("/").rsplit("/", 1)[-1]
    return OBJECT_KIND.get(f"{before}/{{{name}}}") or OBJECT_KIND.get(f"{{{name}}}")


def _api_operations(app: FastAPI) -> list[tuple[str, str, dict[str, Any]]]:
    """(path, METHOD, operation) for every API operation the app serves."""
    return [
        (path, method.upper(), operation)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/") and path not in NOT_PROBED
        for method, operation in operations.items()
    ]


def _is_id(parameter: dict[str, Any]) -> bool:
    schema = parameter.get("schema", {})
    branches = [schema, *schema.get("anyOf", [])]
    return any(b.get("format") == "uuid" for b in branches)


def _snapshot(world: TenantWorld, objects: Objects) -> dict[str, Any]:
    """B's objects as B sees them (and B's lists), to compare before and after."""
    api = world.admin
    paths = {
        "lead": "leads",
        "customer": "customers",
        "campaign": "campaigns",
        "lead_source": "lead-sources",
        "milestone": "milestones",
        "engagement": "engagements",
    }
    state = {
        kind: api.ok("GET", f"{SALES}/{paths[kind]}/{oid}")
        for kind, oid in objects.ids.items()
        if kind in paths
    }
    state["users"] = api.ok("GET", f"{SALES}/users")
    state["lead list"] = api.ok("GET", f"{SALES}/leads")
    state["follow-ups"] = api.ok("GET", f"{SALES}/follow-ups")
    state["history"] = api.ok("GET", f"{SALES}/leads/{objects.get('lead')}/status-history")
    return state


def test_tenant_a_cannot_reach_tenant_b_through_any_route(
    app: FastAPI, world: TenantWorld, other_world: TenantWorld
) -> None:
    objects = Objects(other_world)
    for kind in FACTORIES:
        objects.get(kind)
    before = _snapshot(other_world, objects)
    a, b = world.admin, other_world.admin
    probes, leaks, unregistered = 0, [], []

    def probe(method: str, url: str, allowed: set[int], client: ApiClient, **kw: Any) -> None:
        nonlocal probes
        probes += 1
        response = client.request(method, url, **kw)
        if response.status_code not in allowed:
            leaks.append(f"{method} {url} [{kw.get('headers', {})}] -> {response.status_code}")

    for path, method, operation in _api_operations(app):
        parameters = operation.get("parameters", [])
        path_ids = [p["name"] for p in parameters if p["in"] == "path"]
        body = {"json": BODIES[method]} if "requestBody" in operation else {}
        if path_ids:
            url = path
            for name in path_ids:
                kind = _kind(path, name, query=False)
                if kind is None or kind not in FACTORIES:
                    unregistered.append(f"{path}: {{{name}}}")
                    break
                url = url.replace("{" + name + "}", objects.get(kind))
            else:
                probe(method, url, {404}, a, **body)  # A's token and header, B's id
                probe(method, url, {403}, a, headers={"X-Tenant-ID": other_world.slug}, **body)
                probe(method, url, {403}, a, headers={"X-Tenant-ID": ""}, **body)
                probe(method, url, {401}, a, headers={"Authorization": ""}, **body)
            continue
        for parameter in parameters:
            if parameter["in"] != "query" or not _is_id(parameter):
                continue
            name = parameter["name"]
            kind = _kind(path, name, query=True)
            if kind is None or kind not in FACTORIES:
                unregistered.append(f"{path}: ?{name}")
                continue
            probes += 1
            query = {**REQUIRED_QUERY.get(path, {}), name: objects.get(kind)}
            response = a.request(method, path, params=query)
            found = response.json() if response.status_code == 200 else []
            items = found.get("items") if isinstance(found, dict) else found
            if response.status_code not in (200, 403, 404, 422) or items != []:
                leaks.append(f"{method} {path}?{name}=<B's> -> {response.status_code} {items}")
    print(f"probes sent: {probes}, leaks: {len(leaks)}")
    assert unregistered == [], "register these in OBJECT_KIND / FACTORIES"
    assert leaks == []
    assert _snapshot(other_world, objects) == before  # B's data byte-identical
    assert b.ok("GET", f"{SALES}/leads/{objects.get('lead')}")["name"] == "B's lead"
