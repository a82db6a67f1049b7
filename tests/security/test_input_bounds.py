"""Every input the API accepts is bounded, declared in the OpenAPI schema and enforced (422).

The audit walks the app's own OpenAPI document, so a route or field added later without a
bound fails here. Money and percentages are bounded by range and digits (pydantic's
``max_digits`` also applies to decimals sent as strings); free-form JSON objects must be
listed below with the validator that bounds them.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI

from tests.support import ApiClient

# Inputs bounded by a validator the schema cannot express, and the test that proves it.
FREE_FORM_OBJECTS = {
    "body.metadata": "milestone metadata: ≤ 50 keys, ≤ 4096 bytes (tests/journey/test_milestones.py)",
}
BOUNDED_FORMATS = {"uuid", "date", "date-time", "time", "binary"}
SALES = "/api/v1/sales"


Schema = dict[str, Any]


def _resolve(spec: Schema, schema: Schema) -> Schema:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return schema


def _is_decimal(branches: list[Schema]) -> bool:
    """pydantic's Decimal: a number with a maximum, or the same as a string."""
    kinds = {b.get("type") for b in branches}
    numbers = [b for b in branches if b.get("type") == "number"]
    return kinds == {"number", "string"} and all("maximum" in n for n in numbers)


def unbounded(
    spec: Schema, schema: Schema, where: str, seen: frozenset[str] = frozenset()
) -> list[str]:
    """Why ``schema`` lets an unbounded value through (nothing: [])."""
    if "$ref" in schema:
        if schema["$ref"] in seen:
            return []
        seen = seen | {schema["$ref"]}
    schema = _resolve(spec, schema)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            branches = [b for b in schema[key] if b.get("type") != "null"]
            if _is_decimal([_resolve(spec, b) for b in branches]):
                return []
            return [p for b in branches for p in unbounded(spec, b, where, seen)]
    kind = schema.get("type")
    if "enum" in schema or "const" in schema or kind == "boolean":
        return []
    if kind == "string":
        ok = "maxLength" in schema or schema.get("format") in BOUNDED_FORMATS
        problems = [] if ok else [f"{where}: string without maxLength"]
        return problems + controls_allowed(schema, where)
    if kind in ("integer", "number"):
        ok = "maximum" in schema or "exclusiveMaximum" in schema
        return [] if ok else [f"{where}: {kind} without maximum"]
    if kind == "array":
        problems = [] if "maxItems" in schema else [f"{where}: array without maxItems"]
        return problems + unbounded(spec, schema.get("items", {}), f"{where}[]", seen)
    if kind == "object" or "properties" in schema:
        problems = []
        for name, sub in schema.get("properties", {}).items():
            problems += unbounded(spec, sub, f"{where}.{name}", seen)
        free = schema.get("additionalProperties") not in (None, False)
        if free and not any(where.endswith(field) for field in FREE_FORM_OBJECTS):
            problems.append(f"{where}: free-form object not listed in FREE_FORM_OBJECTS")
        return problems
    return [f"{where}: no bounded type ({schema})"]


# Formats whose values cannot hold a control character (their parser refuses them).
STRICT_FORMATS = {"uuid", "date", "date-time", "time", "email", "binary"}


def controls_allowed(schema: Schema, where: str) -> list[str]:
    """A free text that lets NUL or another control character through (nothing: [])."""
    if schema.get("format") in STRICT_FORMATS:
        return []
    pattern = schema.get("pattern")
    samples = ("a\x00b", "a\x01b", "a\x1fb", "a\x7fb")
    if pattern is None or any(re.search(pattern, text) for text in samples):
        return [f"{where}: string whose pattern does not refuse control characters"]
    return []


def audit(spec: Schema) -> tuple[int, list[str]]:
    """(inputs audited, problems) over every parameter and request body of the API."""
    count, problems = 0, []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            name = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                count += 1
                where = f"{name} {parameter['in']}:{parameter['name']}"
                found = unbounded(spec, parameter.get("schema", {}), where)
                if parameter["in"] == "header":  # HTTP itself refuses control characters
                    found = [p for p in found if "control characters" not in p]
                problems += found
            for content in operation.get("requestBody", {}).get("content", {}).values():
                count += 1
                problems += unbounded(spec, content.get("schema", {}), f"{name} body")
    return count, problems


def test_every_api_input_is_bounded_in_the_schema(app: FastAPI) -> None:
    count, problems = audit(app.openapi())
    print(f"input bounds: {count} parameters and bodies audited, unbounded: {len(problems)}")
    assert count > 100
    assert problems == []


def test_oversized_inputs_are_refused_with_422(api: ApiClient) -> None:
    refused = {
        "search text": api.get(f"{SALES}/leads", params={"q": "x" * 201}),
        "page size above 500": api.get(f"{SALES}/leads", params={"limit": 501}),
        "page size 0": api.get(f"{SALES}/leads", params={"limit": 0}),
        "cursor": api.get(f"{SALES}/leads", params={"cursor": "c" * 201}),
        "name": api.post(f"{SALES}/leads", json={"name": "n" * 201}),
        "notes": api.post(f"{SALES}/leads", json={"name": "n", "notes": "n" * 10_001}),
        "email": api.post(f"{SALES}/leads", json={"name": "n", "email": "a" * 250 + "@ex.com"}),
        "money digits": api.post(f"{SALES}/leads", json={"name": "n", "expected_value": "9" * 30}),
        "money below zero": api.post(f"{SALES}/leads", json={"name": "n", "expected_value": "-1"}),
        "audit entity": api.get(f"{SALES}/audit", params={"entity": "e" * 41}),
    }
    statuses = {name: response.status_code for name, response in refused.items()}
    assert statuses == dict.fromkeys(refused, 422)
    for response in refused.values():
        assert response.headers["content-type"].startswith("application/problem+json")
