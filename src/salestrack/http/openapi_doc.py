"""The OpenAPI document tells the truth about errors: every 4xx the API can answer.

FastAPI documents the success response and a JSON 422 that this app never sends (its
errors are problem+json, see ``errors.py``). The rules below add, to every ``/api/``
operation, the problem+json answers that the shared layers can give it — so a client
generator (and the schema fuzzer in CI) knows them:

- a bearer-protected operation: 401 (no or bad token), 403 (tenant header or role);
- an id in the path: 404 (missing, deleted or another tenant's);
- any parameter or body: 422 (validation); a body: 413 (too large);
- POST, PATCH, PUT, DELETE: 409 (state, duplicate or concurrent change);
- POST under ``/api/v1/sales/`` and ``/api/v1/capture/``: the ``Idempotency-Key``
  header (422 when malformed or reused for another request, 409 while the first is still
  running).

Codes a route declares itself (``responses={429: {...}}``) are kept and given the
problem+json body too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from salestrack.core.errors import PROBLEM_JSON
from salestrack.http.openapi_links import document_links

IDEMPOTENT_PREFIXES = ("/api/v1/sales/", "/api/v1/capture/")
WRITES = ("post", "put", "patch", "delete")
DESCRIPTIONS = {
    401: "Missing, invalid or expired bearer token, or wrong credentials",
    403: "X-Tenant-ID does not name the token's tenant, or the role may not do this",
    404: "No such object in this tenant (another tenant's objects answer the same)",
    409: "Conflicts with the current state or a concurrent request",
    413: "Request body too large",
    422: "Invalid parameters or body; `errors` lists each problem",
    429: "Too many requests; retry after `Retry-After` seconds",
    503: "Database unreachable, busy or too slow; retry after `Retry-After` seconds",
}
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; some answers add fields (e.g. `errors`).",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
    "additionalProperties": True,
}
IDEMPOTENCY_KEY: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Repeat a POST safely: the same key and request replay the first answer.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}
PROBLEM_CONTENT = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def problem_codes(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    """The problem answers the shared layers can give this operation."""
    codes: set[int] = {503}  # every operation reads the database
    parameters = operation.get("parameters", [])
    if operation.get("security"):
        codes |= {401, 403}
    if any(p.get("in") == "path" for p in parameters):
        codes.add(404)
    if parameters or "requestBody" in operation:
        codes.add(422)
    if "requestBody" in operation:
        codes.add(413)
    if method in WRITES:
        codes.add(409)
    if method == "post" and path.startswith(IDEMPOTENT_PREFIXES):
        codes |= {409, 422}
    return codes


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the problem answers (and the idempotency header) to every API operation."""
    for path, item in schema.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, operation in item.items():
            if method not in ("get", "head", *WRITES):
                continue
            if method == "post" and path.startswith(IDEMPOTENT_PREFIXES):
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name") == IDEMPOTENCY_KEY["name"] for p in parameters):
                    parameters.append(dict(IDEMPOTENCY_KEY))
            responses = operation.setdefault("responses", {})
            for code in problem_codes(path, method, operation):
                responses.setdefault(str(code), {"description": DESCRIPTIONS[code]})
            for code, response in responses.items():
                if code.startswith(("4", "5")):
                    response["content"] = dict(PROBLEM_CONTENT)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return schema


def install_openapi(app: FastAPI) -> None:
    """Make ``app.openapi()`` (and ``/openapi.json``) return the documented schema: with
    the problem answers, and links from each create to the operations taking its id."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_links(document_problems(generate()))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
