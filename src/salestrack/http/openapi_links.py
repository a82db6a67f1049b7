"""OpenAPI links: from each create to every operation that takes the id it answers with.

A client (or a stateful fuzzer) that created a booking learns from the document that
its ``id`` goes into ``GET/PATCH /bookings/{booking_id}``, ``/cancel`` and ``/refund``;
a new lead's ``id`` into its pages, its milestones' ``lead_id`` and so on. Nothing is
listed by hand: what an id names is read from the document itself, so a route added
later is linked too. A path parameter names the object whose schema

1. its name says: ``lead_id`` → ``LeadPublic``, ``booking_id`` → ``BookingPublic``,
   ``source_id`` → ``LeadSourcePublic`` (the one schema ending so);
2. else the ``GET`` at that very path answers (``/leads/{record_id}`` → ``LeadPublic``);
3. else the operation itself answers, for an action on the object
   (``POST /ledger/{entry_id}/reverse`` → ``LedgerEntryPublic``).

Request bodies are linked by rule 1 alone (``lead_id`` in a new milestone's body).
"""

from __future__ import annotations

import re
from typing import Any

REF = "#/components/schemas/"
_PARAM = re.compile(r"\{([^}]+)\}")
Operation = tuple[str, str, dict[str, Any]]  # path, method, operation


def _schema_of(operation: dict[str, Any], *codes: str) -> str | None:
    """The component a success answer of ``operation`` is (``LeadPublic``), if any."""
    for code in codes:
        content = operation.get("responses", {}).get(code, {}).get("content", {})
        ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
        if ref.startswith(REF):
            return str(ref[len(REF) :])
    return None


def _by_name(name: str, components: dict[str, Any]) -> str | None:
    if not name.endswith("_id"):
        return None
    component = "".join(part.title() for part in name[:-3].split("_")) + "Public"
    if component in components:
        return component
    # ``source_id`` → ``LeadSourcePublic``, ``entry_id`` → ``LedgerEntryPublic``: when one
    # schema alone ends so.
    ending = [known for known in components if known.endswith(component)]
    return ending[0] if len(ending) == 1 else None


def _kind(path: str, name: str, operation: dict[str, Any], schema: dict[str, Any]) -> str | None:
    """The component the path parameter ``name`` of ``path`` names (rules in the module doc)."""
    components = schema.get("components", {}).get("schemas", {})
    found = _by_name(name, components)
    if found:
        return found
    head = path[: path.index("{" + name + "}") + len(name) + 2]
    found = _schema_of(schema["paths"].get(head, {}).get("get", {}), "200")
    if found:
        return found
    if _PARAM.findall(path) == [name]:
        return _schema_of(operation, "200", "201")
    return None


def _operations(schema: dict[str, Any]) -> list[Operation]:
    return [
        (path, method, operation)
        for path, item in schema.get("paths", {}).items()
        if path.startswith("/api/")
        for method, operation in item.items()
        if method in ("get", "put", "patch", "post", "delete")
    ]


def _body_refs(operation: dict[str, Any], schema: dict[str, Any]) -> dict[str, str]:
    """Body field → component for the id fields of a JSON request body (rule 1)."""
    content = operation.get("requestBody", {}).get("content", {})
    ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
    components = schema.get("components", {}).get("schemas", {})
    body = components.get(ref[len(REF) :], {}) if ref.startswith(REF) else {}
    refs = {}
    for field in body.get("properties", {}):
        kind = _by_name(field, components)
        if kind:
            refs[field] = kind
    return refs


def _targets(schema: dict[str, Any]) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Component → the links (name, link) to operations taking such an id."""
    targets: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for path, method, operation in _operations(schema):
        names = _PARAM.findall(path)
        kinds = {name: _kind(path, name, operation, schema) for name in names}
        if len(names) == 1 and kinds[names[0]]:
            link = {
                "operationId": operation["operationId"],
                "parameters": {f"path.{names[0]}": "$response.body#/id"},
            }
            targets.setdefault(str(kinds[names[0]]), []).append((operation["operationId"], link))
        if method == "post" and not names:
            for field, kind in _body_refs(operation, schema).items():
                link = {
                    "operationId": operation["operationId"],
                    "requestBody": {field: "$response.body#/id"},
                }
                targets.setdefault(kind, []).append((f"{operation['operationId']}.{field}", link))
    return targets


def document_links(schema: dict[str, Any]) -> dict[str, Any]:
    """Add to each create's 201 answer a link to every operation that takes its id."""
    targets = _targets(schema)
    for _path, method, operation in _operations(schema):
        created = _schema_of(operation, "201") if method == "post" else None
        if created is None:
            continue
        properties = schema["components"]["schemas"].get(created, {}).get("properties", {})
        if "id" not in properties:
            continue
        links = {
            name: link
            for name, link in targets.get(created, [])
            if link["operationId"] != operation["operationId"]
        }
        if links:
            operation["responses"]["201"]["links"] = links
    return schema
