"""The app's own route table, flattened: what the probes and the fuzzer iterate.

Reading the table (not a hand-kept list) is the point: a route added later is probed
without anyone remembering to add it, and fails the suite when the probes cannot build
what it needs.
"""

from __future__ import annotations

import inspect
import types
import typing
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from salestrack.auth.roles import Permission


@dataclass(frozen=True)
class Operation:
    """One method of one API route, with what its signature asks for."""

    method: str
    path: str
    path_params: tuple[str, ...]
    query_params: dict[str, bool]  # name -> required
    uuid_query_params: tuple[str, ...]
    has_body: bool
    body_required: bool
    permission: Permission | None

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


def _walk(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _walk(sub)


def _takes_uuid(annotation: object) -> bool:
    if annotation is uuid.UUID:
        return True
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return any(_takes_uuid(a) for a in typing.get_args(annotation))
    return False


def _permission(dependant: Dependant) -> Permission | None:
    """The permission of the route's ``require(...)`` dependency (None for open routes)."""
    for sub in _walk(dependant):
        call = sub.call
        if call is not None and getattr(call, "__qualname__", "").startswith("require."):
            found = inspect.getclosurevars(call).nonlocals.get("permission")
            if isinstance(found, Permission):
                return found
    return None


# Routes authenticated by an integration key, not a user's token: a user's probe gets 401
# there whatever the id. Their tenancy has tests of its own (tests/intake/test_keys.py).
KEY_ROUTES = "/api/v1/capture/"


def api_operations(app: FastAPI) -> list[Operation]:
    """Every method of every route under ``/api/`` that the app serves to users' tokens."""
    operations = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        path = context.path_format
        if not isinstance(route, APIRoute) or not path or not path.startswith("/api/"):
            continue
        if path.startswith(KEY_ROUTES):
            continue
        queries: dict[str, bool] = {}
        uuids: list[str] = []
        for sub in _walk(route.dependant):
            for param in sub.query_params:
                queries[param.name] = param.field_info.is_required()
                if _takes_uuid(param.field_info.annotation):
                    uuids.append(param.name)
        body = route.body_field
        for method in sorted(context.methods or ()):
            operations.append(
                Operation(
                    method=method,
                    path=path,
                    path_params=tuple(p.name for p in route.dependant.path_params),
                    query_params=queries,
                    uuid_query_params=tuple(uuids),
                    has_body=body is not None,
                    body_required=body is not None and body.field_info.is_required(),
                    permission=_permission(route.dependant),
                )
            )
    return operations
