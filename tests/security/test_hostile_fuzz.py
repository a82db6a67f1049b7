"""Every parameter and body field of every API operation gets every class of hostile value.

The schema fuzzer (``test_api_fuzz``) generates what the schema describes, so it seldom
sends what an attacker sends on purpose. This one does, systematically: for each operation
in the app's OpenAPI document, for each of its path, query and header parameters and each
property of its JSON or form body (nested objects included), it sends, one at a time,

- control characters (NUL, escape, DEL, C0 controls) inside text,
- extreme dates and moments (year 1 and 9999, at the zones' edges, impossible days),
- extreme numbers (``1e400`` and ``NaN`` as raw JSON, beyond 64-bit integers, beyond the
  money precision, negative and just inside the documented maximum),
- deep nesting (900 levels of arrays and of objects), and
- tampered cursors (not base64, base64 of non-JSON, of a timestamp without zone, out of
  range, of the wrong shape),

with every other field valid (the tenant's real ids), as the tenant's admin. Each answer
must be below 500, and a 4xx must be problem+json with a ``detail``. The count of cases
per class is printed in the summary beside the schema fuzzer's. Deletes run last, then
the logout.
"""

from __future__ import annotations

import base64
import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx2 as httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.orm import Session, sessionmaker

from tests.security import tally
from tests.security.probes import (
    ALL_AT_ONCE,
    QUERY_PARAMS,
    RECORD_PREFIXES,
    REQUIRED_QUERY,
    ProbeWorld,
)
from tests.security.routes import KEY_ROUTES
from tests.support import PASSWORD, build_tenant

DEPTH = 900


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


# Class -> values. Body values are raw JSON text (so ``1e400`` and ``NaN`` reach the parser
# as a client can send them); parameters get the same values as text.
HOSTILE: dict[str, list[str]] = {
    "control characters": [json.dumps("a\x00b"), json.dumps("\x1b[2J"), json.dumps("x\x7f\x01")],
    "extreme dates": [
        '"0001-01-01"',
        '"9999-12-31"',
        '"2026-02-30"',
        '"0001-01-01T00:00:00+14:00"',
        '"9999-12-31T23:59:59-14:00"',
    ],
    "extreme numbers": [
        "1e400",
        "NaN",
        "-9223372036854775809",
        "9999999999999999.99",
        '"99999999999999999999.999"',
        "-1",
    ],
    "deep nesting": ["[" * DEPTH + "]" * DEPTH, '{"a":' * DEPTH + "1" + "}" * DEPTH],
    "tampered cursors": [
        json.dumps(value)
        for value in (
            "%%%not-base64",
            _cursor("not json"),
            _cursor('["2026-01-01T00:00:00", "x"]'),
            _cursor(f'["9999-12-31T23:59:59+00:00", "{uuid.uuid4()}"]'),
            _cursor('["0001-01-01T00:00:00-14:00", 1]'),
            _cursor('{"a": 1}'),
            _cursor("[" * DEPTH + "]" * DEPTH),
        )
    ],
}


@dataclass(frozen=True)
class Slot:
    """One place a value goes: a parameter (``where`` path, query or header) or a body field
    (``where`` json or form, ``field`` the property path)."""

    method: str
    path: str
    where: str
    field: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.method} {self.path} {self.where}:{'.'.join(self.field)}"


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    for alternative in schema.get("anyOf", []):
        if alternative.get("type") != "null":
            return {
                **_resolve(doc, alternative),
                **{k: v for k, v in schema.items() if k != "anyOf"},
            }
    return schema


def _fields(
    doc: dict[str, Any], schema: dict[str, Any], prefix: tuple[str, ...]
) -> Iterator[tuple[str, ...]]:
    """Every property path of an object schema, nested objects included."""
    for name, sub in _resolve(doc, schema).get("properties", {}).items():
        yield (*prefix, name)
        if _resolve(doc, sub).get("properties"):
            yield from _fields(doc, sub, (*prefix, name))


def _slots(doc: dict[str, Any]) -> list[Slot]:
    slots = []
    for path, item in doc["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, op in item.items():
            for param in op.get("parameters", []):
                slots.append(Slot(method.upper(), path, param["in"], (param["name"],)))
            for media, content in op.get("requestBody", {}).get("content", {}).items():
                where = "json" if media == "application/json" else "form"
                slots += [
                    Slot(method.upper(), path, where, field)
                    for field in _fields(doc, content["schema"], ())
                ]
    # Last: deletes, and the logout, which ends the fuzzing admin's own session by design.
    return sorted(slots, key=lambda s: (_ends(s), s.path, s.method, s.where, s.field))


def _ends(slot: Slot) -> int:
    return 2 if slot.path.endswith("/logout") else int(slot.method == "DELETE")


S = "/api/v1/sales"
# Values a valid request needs where the schema's first choice would be refused by a rule.
VALID_BODY: dict[str, dict[str, Any]] = {
    f"POST {S}/ledger": {"transaction_type": "payment", "credit_amount": "100.00"},
    f"POST {S}/milestones/lead": {"milestone_type": "contacted"},
    f"POST {S}/webhooks/endpoints": {
        "url": "https://fuzz.invalid/hooks",  # never resolves: no worker delivers here
        "events": ["lead.created"],
    },
    f"POST {S}/quotations": {"lines": [{"charge_type": "car_parking", "amount": "100000.00"}]},
    f"PUT {S}/quotations/{{quotation_id}}": {
        "lines": [{"charge_type": "car_parking", "amount": "100000.00"}]
    },
    f"PUT {S}/billing-settings": {"interest_rate": "12.00"},  # a percentage, at most 100
    # The probe world's bookings are of 5,000,000.00, each with its plan already.
    f"POST {S}/bookings/{{booking_id}}/payment-plan": {"instalments": [ALL_AT_ONCE]},
    f"PUT {S}/payment-plans/{{plan_id}}": {"instalments": [ALL_AT_ONCE]},
}


def _png() -> bytes:
    """A readable 8x8 PNG: what an upload field gets when it is not the spoiled one."""
    image = io.BytesIO()
    Image.new("RGB", (8, 8)).save(image, "PNG")
    return image.getvalue()


@dataclass
class Request:
    """The parts of one request, valid until a slot is spoiled."""

    method: str
    path: str
    path_values: dict[str, str]
    query: dict[str, Any]
    headers: dict[str, str]
    body: dict[str, Any] | None
    media: str | None


class Requests:
    """Valid requests for each operation (real ids, required values), one slot spoiled."""

    def __init__(self, doc: dict[str, Any], world: ProbeWorld) -> None:
        self.doc = doc
        self.world = world
        self.keys: dict[str, str] = {}
        self.stock = ""
        self.rates_set = False

    def key(self, method: str) -> str:
        """An integration key for a capture route: ``read`` reads, ``capture`` writes."""
        scope = "read" if method == "GET" else "capture"
        if scope not in self.keys:
            body = {"name": f"fuzz {scope}", "scope": scope}
            created = self.world.admin.ok("POST", f"{S}/integration-keys", 201, json=body)
            self.keys[scope] = str(created["key"])
        return self.keys[scope]

    def rules(self, method: str, path: str) -> dict[str, Any]:
        """Body values the server's rules ask for beyond the schema's required fields: a
        way to reach the buyer, a fixed rule's owner, a rule's target, a booking's unit
        (of an inventory that does not sell out under the fuzzing) and a live duplicate
        (a merge consumes it) of the world's lead."""
        if (method, path) == ("POST", "/api/v1/capture/leads"):
            return {"email": f"fuzz-{uuid.uuid4().hex[:8]}@{self.world.tenant.slug}.example.com"}
        if (method, path) == ("POST", f"{S}/assignment-rules"):
            return {"owner_id": self.world.get("user")}
        if (method, path) == ("POST", f"{S}/attribution-rules"):
            return {"source_id": self.world.get("source")}
        if (method, path) == ("POST", f"{S}/bookings"):
            if not self.stock:
                body = {"project": "fuzz", "unit_type": "fuzz-1BHK", "total_units": 1_000_000}
                created = self.world.admin.ok("POST", f"{S}/inventory", 201, json=body)
                self.stock = str(created["id"])
            return {"inventory_id": self.stock}
        if (method, path) in (
            ("POST", f"{S}/quotations"),
            ("PUT", f"{S}/quotations/{{quotation_id}}"),
        ):
            if not self.rates_set:  # a line's charge type needs the tenant's GST rate
                rates = {"tax_rates": [{"charge_type": "car_parking", "rate": "18"}]}
                self.world.admin.ok("PUT", f"{S}/document-settings", json=rates)
                self.rates_set = True
            return {"lead_id": self.world.get("lead")}  # a quotation is for a lead or customer
        if (method, path) == ("POST", f"{S}/construction-stages"):  # a project with units
            inventory = self.world.admin.ok("GET", f"{S}/inventory/{self.world.get('inventory')}")
            return {"project": inventory["project"]}
        if (method, path) == ("POST", f"{S}/duplicates/merge"):
            return {"survivor_id": self.world.get("lead"), "duplicate_id": self.world.fresh("lead")}
        return {}

    def valid(self, path: str, name: str, schema: dict[str, Any]) -> Any:
        """A value the schema accepts for a required field or parameter called ``name``."""
        schema = _resolve(self.doc, schema)
        if "enum" in schema:
            return schema["enum"][0]
        if name == "record_id":
            return self.world.get(next(k for p, k in RECORD_PREFIXES.items() if path.startswith(p)))
        if name in QUERY_PARAMS:
            return self.world.get(QUERY_PARAMS[name])
        if name in REQUIRED_QUERY:
            return REQUIRED_QUERY[name]
        if name == "username":
            return self.world.admin.email
        if name == "email" or schema.get("format") == "email":
            return f"fuzz-{uuid.uuid4().hex[:8]}@{self.world.tenant.slug}.example.com"
        if name == "password":
            return PASSWORD
        kind, fmt = schema.get("type"), schema.get("format")
        if fmt == "date":
            return "2025-11-03"
        if fmt == "date-time":
            return "2025-11-04T10:00:00Z"
        if kind == "integer":
            return max(1, schema.get("minimum", 1))
        if kind == "number" or "amount" in name:
            return "1000.00"
        if kind == "boolean":
            return True
        return {} if kind == "object" else [] if kind == "array" else f"fuzz {uuid.uuid4().hex[:6]}"

    def base(self, method: str, path: str) -> Request:
        op = self.doc["paths"][path][method.lower()]
        headers = dict(self.world.admin.headers)
        if path.startswith(KEY_ROUTES):  # a key, not a user's token, names the tenant
            headers = {"X-API-Key": self.key(method)}
        request = Request(method, path, {}, {}, headers, None, None)
        for param in op.get("parameters", []):
            name, where = param["name"], param["in"]
            if where == "path":
                request.path_values[name] = str(self.valid(path, name, param["schema"]))
            elif where == "query" and param.get("required"):
                request.query[name] = self.valid(path, name, param["schema"])
        for media, content in op.get("requestBody", {}).get("content", {}).items():
            schema = _resolve(self.doc, content["schema"])
            required = schema.get("required", [])
            request.body = {n: self.valid(path, n, schema["properties"][n]) for n in required}
            request.body |= VALID_BODY.get(f"{method} {path}", {}) | self.rules(method, path)
            request.media = media
        return request

    def send(
        self, http: TestClient, request: Request, slot: Slot | None, raw: str = ""
    ) -> httpx.Response | None:
        """Send ``request`` with ``raw`` at ``slot`` (None: as it is, the control)."""
        text = json.loads(raw) if raw.startswith('"') else raw
        where = slot.where if slot else None
        if slot and where in ("path", "query", "header"):
            target = {
                "path": request.path_values,
                "query": request.query,
                "header": request.headers,
            }
            for name in [n for n in target[where] if n.lower() == slot.field[0].lower()]:
                del target[where][name]  # headers: one value, not the valid one beside it
            target[where][slot.field[0]] = text
        url = request.path.format(**{k: quote(v, safe="") for k, v in request.path_values.items()})
        body: Any = request.body
        kwargs: dict[str, Any] = {"params": request.query, "headers": request.headers}
        if request.media == "multipart/form-data":  # uploads: a real image in each field
            files = {k: ("upload.png", _png(), "image/png") for k in (body or {})}
            if slot and where == "form":
                spoiled = str(text).encode("utf-8", "surrogatepass")
                files[slot.field[0]] = ("upload.png", spoiled, "image/png")
            kwargs["files"] = files
        elif request.media == "application/x-www-form-urlencoded":
            form = {k: str(v) for k, v in (body or {}).items()}
            if slot and where == "form":
                form[slot.field[0]] = text
            kwargs["data"] = form
        elif request.media is not None:
            fields = (slot.field, raw) if slot and where == "json" else None
            kwargs["content"] = _json_text(body or {}, fields)
            kwargs["headers"] = {**request.headers, "Content-Type": "application/json"}
        try:
            return http.request(request.method, url, **kwargs)
        except (httpx.InvalidURL, httpx.LocalProtocolError, UnicodeEncodeError, ValueError):
            return None  # a value no HTTP client can put there (e.g. NUL in a header)


SENTINEL = "__hostile_value__"


def _json_text(body: dict[str, Any], spoiled: tuple[tuple[str, ...], str] | None) -> bytes:
    """``body`` as JSON text, with the raw JSON text ``spoiled[1]`` at field ``spoiled[0]``."""
    body = json.loads(json.dumps(body))  # a copy: the base request stays valid
    if spoiled is None:
        return json.dumps(body).encode()
    field, raw = spoiled
    target: dict[str, Any] = body
    for name in field[:-1]:
        nested = target.get(name)
        target[name] = nested if isinstance(nested, dict) else {}
        target = target[name]
    target[field[-1]] = SENTINEL
    return json.dumps(body).replace(json.dumps(SENTINEL), raw, 1).encode()


@pytest.fixture(scope="module")
def hostile_world(http: TestClient, session_factory: sessionmaker[Session]) -> ProbeWorld:
    world = ProbeWorld(build_tenant(http, session_factory))
    world.build_all()
    return world


def test_every_field_and_parameter_survives_every_class_of_hostile_value(
    app: FastAPI, http: TestClient, hostile_world: ProbeWorld
) -> None:
    doc = app.openapi()
    slots = _slots(doc)
    assert len(slots) >= 300  # every operation's parameters and fields, not a sample
    requests = Requests(doc, hostile_world)
    failures: list[str] = []
    for method, path in dict.fromkeys((slot.method, slot.path) for slot in slots):
        for slot in (s for s in slots if (s.method, s.path) == (method, path)):
            failures += _spoil_one_slot(http, requests, slot)
        # The control, after (a DELETE's deletes): unspoiled, the request succeeds (or meets
        # a state conflict, or the login throttle the failed logins above filled), so each
        # hostile value was the only thing wrong with its request.
        control = requests.send(http, requests.base(method, path), None)
        assert control is not None
        if control.status_code >= 400 and control.status_code not in (409, 429):
            failures.append(f"control {method} {path}: {control.status_code} {control.text[:200]}")
    tally.add("fuzz failures", len(failures))
    assert failures == [], "\n".join(failures[:50])


def _spoil_one_slot(http: TestClient, requests: Requests, slot: Slot) -> list[str]:
    """Every hostile value at ``slot``, in an otherwise valid request; what went wrong."""
    failures = []
    for name, values in HOSTILE.items():
        for raw in values:
            response = requests.send(http, requests.base(slot.method, slot.path), slot, raw)
            if response is None:
                continue
            tally.add(f"hostile {name}")
            tally.add("fuzz cases")
            problem = _problem(response)
            if problem:
                failures.append(f"{slot.label} = {raw[:60]!r}: {problem}")
    return failures


def _problem(response: httpx.Response) -> str | None:
    if response.status_code >= 500:
        return f"{response.status_code} {response.text[:200]}"
    if response.status_code >= 400:
        if not response.headers.get("content-type", "").startswith("application/problem+json"):
            return f"{response.status_code} not problem+json: {response.text[:200]}"
        if not response.json().get("detail"):
            return f"{response.status_code} without a detail"
    return None
