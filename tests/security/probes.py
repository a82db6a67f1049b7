"""What the cross-tenant probes need: a registry from ids to factories, and a tenant's world.

``PATH_PARAMS`` maps every path parameter name to the kind of object it names (the generic
CRUD routes' ``record_id`` is resolved by path prefix in ``RECORD_PREFIXES``), ``FACTORIES``
build one object of each kind through the API, ``QUERY_PARAMS`` does the same for id
filters of list routes and ``BODIES`` gives each write route a body its owner would get a
2xx (or a state 409) for, so a 404 proves tenancy, not a validation error. A route whose
parameter, filter or body is missing here fails ``test_every_route_can_be_probed``.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from salestrack.documents.charges import ChargeType
from tests.security.routes import Operation
from tests.support import ApiClient, TenantWorld

S = "/api/v1/sales"

PATH_PARAMS: dict[str, str] = {
    "lead_id": "lead",
    "customer_id": "customer",
    "campaign_id": "campaign",
    "source_id": "source",
    "milestone_id": "milestone",
    "engagement_id": "engagement",
    "inventory_id": "inventory",
    "booking_id": "booking",
    "entry_id": "ledger_entry",
    "user_id": "user",
    "key_id": "integration_key",
    "endpoint_id": "webhook_endpoint",
    "delivery_id": "webhook_delivery",
    "notification_id": "notification",
    "quotation_id": "quotation",
    "stage_id": "construction_stage",
    "plan_id": "payment_plan",
    "instalment_id": "instalment",
    "document_id": "billing_document",
}
RECORD_PREFIXES: dict[str, str] = {
    f"{S}/leads/": "lead",
    f"{S}/customers/": "customer",
    f"{S}/campaigns/": "campaign",
    f"{S}/lead-sources/": "source",
    f"{S}/attribution-rules/": "attribution_rule",
    f"{S}/assignment-rules/": "assignment_rule",
}
# Id filters of list routes -> the kind of object they name.
QUERY_PARAMS: dict[str, str] = {
    **PATH_PARAMS,
    "assigned_to": "user",
    "visited_by": "user",
    "entity_id": "lead",
    "series_id": "quotation_series",
}
# Values for required query parameters that are not ids.
REQUIRED_QUERY: dict[str, str] = {"entity": "lead"}

HIJACK = {"notes": "hijacked by another tenant"}
# A booking's whole amount in one instalment, due on its booking date.
ALL_AT_ONCE = {"label": "On booking", "amount": "5000000.00", "due_date": "2025-11-21"}
BODIES: dict[str, dict[str, Any]] = {
    f"PATCH {S}/users/{{user_id}}": {"full_name": "Hijacked"},
    f"PATCH {S}/leads/{{record_id}}": {"name": "Hijacked"},
    f"PATCH {S}/customers/{{record_id}}": {"name": "Hijacked"},
    f"PATCH {S}/campaigns/{{record_id}}": {"campaign_name": "Hijacked"},
    f"PATCH {S}/lead-sources/{{record_id}}": {"subsource_name": "Hijacked"},
    f"PATCH {S}/attribution-rules/{{record_id}}": {"value": "hijacked"},
    f"PATCH {S}/assignment-rules/{{record_id}}": {"name": "Hijacked"},
    f"PATCH {S}/milestones/{{milestone_id}}": HIJACK,
    f"PATCH {S}/engagements/{{engagement_id}}": HIJACK,
    f"PATCH {S}/inventory/{{inventory_id}}": HIJACK,
    f"PATCH {S}/bookings/{{booking_id}}": HIJACK,
    f"POST {S}/bookings/{{booking_id}}/cancel": {"reason": "hijacked", "refund_amount": "0"},
    f"POST {S}/bookings/{{booking_id}}/refund": {"amount": "1.00"},
    f"POST {S}/ledger/{{entry_id}}/reverse": {"description": "hijacked"},
    f"PATCH {S}/webhooks/endpoints/{{endpoint_id}}": {"description": "Hijacked"},
    # The owner's quotation is sent: a PUT is a state 409, send again too.
    f"PUT {S}/quotations/{{quotation_id}}": {
        "lead_id": str(uuid.UUID(int=1)),
        "inventory_id": str(uuid.UUID(int=2)),
        "area_sqft": "1000",
        "lines": [{"charge_type": "base_price", "amount": "1.00"}],
    },
    f"POST {S}/quotations/{{quotation_id}}/send": {},
    f"POST {S}/quotations/{{quotation_id}}/accept": {},
    f"POST {S}/quotations/{{quotation_id}}/reject": {"reason": "hijacked"},
    # The owner's booking has its plan: a POST is a state 409; the owner's plan has a
    # demand, so a PUT or a withdrawal is a state 409 too.
    f"POST {S}/bookings/{{booking_id}}/payment-plan": {"instalments": [ALL_AT_ONCE]},
    f"PUT {S}/payment-plans/{{plan_id}}": {"instalments": [ALL_AT_ONCE]},
    f"POST {S}/payment-plans/{{plan_id}}/withdraw": {},
    f"POST {S}/construction-stages/{{stage_id}}/reach": {},
    f"POST {S}/instalments/{{instalment_id}}/demand": {},
    f"POST {S}/billing-documents/{{document_id}}/interest": {},
}


@dataclass
class ProbeWorld:
    """One tenant's objects of every kind, built on demand through its admin's API."""

    tenant: TenantWorld
    marker: str = field(default_factory=lambda: f"SECRET-{uuid.uuid4().hex[:12]}")
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def admin(self) -> ApiClient:
        return self.tenant.admin

    def get(self, kind: str) -> str:
        if kind not in self.ids:
            self.ids[kind] = self.fresh(kind)
        return self.ids[kind]

    def fresh(self, kind: str) -> str:
        """A new object of ``kind`` (its dependencies are shared)."""
        return FACTORIES[kind](self)

    def build_all(self) -> None:
        for kind in FACTORIES:
            self.get(kind)


def _create(world: ProbeWorld, path: str, body: dict[str, Any]) -> str:
    created = world.admin.ok("POST", f"{S}/{path}", 201, json=body)
    return str(created["id"])


def _user(w: ProbeWorld) -> str:
    email = f"probe-{uuid.uuid4().hex[:8]}@{w.tenant.slug}.example.com"
    body = {
        "email": email,
        "full_name": w.marker,
        "password": "a long password 1",
        "role": "sales_rep",
    }
    return _create(w, "users", body)


def _campaign(w: ProbeWorld) -> str:
    body = {"campaign_name": w.marker, "campaign_type": "email", "assigned_to": w.get("user")}
    return _create(w, "campaigns", body)


def _source(w: ProbeWorld) -> str:
    body = {"source_type": "website", "channel": "Direct", "campaign_id": w.get("campaign")}
    return _create(w, "lead-sources", {**body, "subsource_name": w.marker})


def _lead(w: ProbeWorld) -> str:
    body = {
        "name": w.marker,
        # A new address each time: the same one would be a re-enquiry on the first lead.
        "email": f"lead-{uuid.uuid4().hex[:8]}@{w.tenant.slug}.example.com",
        "campaign_id": w.get("campaign"),
        "source_id": w.get("source"),
        "assigned_to": w.get("user"),
        "lead_date": "2025-11-01",
    }
    return _create(w, "leads", body)


def _customer(w: ProbeWorld) -> str:
    return _create(w, "customers", {"name": w.marker, "lead_id": w.get("lead")})


def _milestone(w: ProbeWorld) -> str:
    body = {
        "lead_id": w.get("lead"),
        "milestone_type": "site_visit",
        "milestone_date": "2025-11-03",
        "visited_by": w.get("user"),
        "follow_up_required": True,
        "follow_up_date": "2025-11-10",
        "notes": w.marker,
    }
    return _create(w, "milestones/lead", body)


def _engagement(w: ProbeWorld) -> str:
    body = {
        "lead_id": w.get("lead"),
        "engagement_type": "email_sent",
        "engagement_channel": "email",
        "engagement_date": "2025-11-04T10:00:00Z",
        "subject": w.marker,
    }
    return _create(w, "engagement", body)


def _inventory(w: ProbeWorld) -> str:
    body = {"project": w.marker, "unit_type": f"3BHK-{uuid.uuid4().hex[:6]}", "total_units": 5}
    return _create(w, "inventory", body)


def _booking(w: ProbeWorld) -> str:
    body = {
        "customer_id": w.get("customer"),
        "inventory_id": w.get("inventory"),
        "booking_amount": "5000000.00",
        "booking_date": "2025-11-21",
        "status": "confirmed",
        "notes": w.marker,
    }
    booking_id = _create(w, "bookings", body)
    plan = {"instalments": [ALL_AT_ONCE], "notes": w.marker}
    w.admin.ok("POST", f"{S}/bookings/{booking_id}/payment-plan", 201, json=plan)
    return booking_id


def _construction_stage(w: ProbeWorld) -> str:
    project = w.admin.ok("GET", f"{S}/inventory/{w.get('inventory')}")["project"]
    body = {"project": project, "name": f"{w.marker} slab {uuid.uuid4().hex[:6]}"}
    return _create(w, "construction-stages", body)


def _payment_plan(w: ProbeWorld) -> str:
    """A new booking's plan with its instalment demanded: fixed, so replacing or
    withdrawing it is a state 409 for its owner."""
    plan = w.admin.ok("GET", f"{S}/bookings/{w.fresh('booking')}/payment-plan")
    instalment = plan["instalments"][0]["id"]
    w.admin.ok("POST", f"{S}/instalments/{instalment}/demand", 201, json={})
    return str(plan["id"])


def _instalment(w: ProbeWorld) -> str:
    """The only instalment of a booking's plan (due: its date has passed)."""
    plan = w.admin.ok("GET", f"{S}/bookings/{w.fresh('booking')}/payment-plan")
    return str(plan["instalments"][0]["id"])


def _billing_document(w: ProbeWorld) -> str:
    """The demand of an instalment."""
    demand = w.admin.ok("POST", f"{S}/instalments/{w.fresh('instalment')}/demand", 201, json={})
    return str(demand["id"])


def _ledger_entry(w: ProbeWorld) -> str:
    body = {
        "customer_id": w.get("customer"),
        "transaction_type": "payment",
        "credit_amount": "500000.00",
        "reference_document_type": "booking",
        "reference_document_id": w.get("booking"),
        "description": w.marker,
    }
    return _create(w, "ledger", body)


def _integration_key(w: ProbeWorld) -> str:
    return _create(w, "integration-keys", {"name": w.marker, "scope": "read"})


def _attribution_rule(w: ProbeWorld) -> str:
    body = {"field": "utm_source", "value": w.marker.lower(), "source_id": w.get("source")}
    return _create(w, "attribution-rules", body)


def _assignment_rule(w: ProbeWorld) -> str:
    body = {"name": w.marker, "mode": "fixed", "owner_id": w.get("user"), "project": w.marker}
    return _create(w, "assignment-rules", body)


def _webhook_endpoint(w: ProbeWorld) -> str:
    # A name under .invalid never resolves: no test worker serves these tenants anyway.
    body = {
        "url": f"https://{w.marker.lower()}.invalid/hooks",
        "description": w.marker,
        "events": ["lead.created"],
    }
    return _create(w, "webhooks/endpoints", body)


def _webhook_delivery(w: ProbeWorld) -> str:
    """The delivery of a new lead's ``lead.created`` to the world's endpoint."""
    endpoint = w.get("webhook_endpoint")
    _create(w, "leads", {"name": w.marker, "lead_date": "2025-11-01"})
    page = w.admin.ok("GET", f"{S}/webhooks/endpoints/{endpoint}/deliveries")
    return str(page["items"][0]["id"])


def _notification(w: ProbeWorld) -> str:
    """The admin's own notification: a lead the manager assigned to them."""
    body = {
        "name": w.marker,
        "email": f"lead-{uuid.uuid4().hex[:8]}@{w.tenant.slug}.example.com",
        "assigned_to": str(w.admin.user_id),
        "lead_date": "2025-11-01",
    }
    w.tenant.manager.ok("POST", f"{S}/leads", 201, json=body)
    page = w.admin.ok("GET", "/api/v1/me/notifications")
    return str(page["items"][0]["id"])


def _quotation(w: ProbeWorld) -> str:
    """A sent quotation (the tenant's GST rates set first)."""
    rates = [{"charge_type": t.value, "rate": "5"} for t in ChargeType]
    w.admin.ok("PUT", f"{S}/document-settings", json={"legal_name": w.marker, "tax_rates": rates})
    logo = io.BytesIO()
    Image.new("RGB", (8, 8)).save(logo, "PNG")
    w.admin.ok("PUT", f"{S}/document-settings/logo", files={"logo": ("l.png", logo.getvalue())})
    body = {
        "lead_id": w.get("lead"),
        "inventory_id": w.get("inventory"),
        "area_sqft": "1000",
        "notes": w.marker,
        "lines": [{"charge_type": "base_price", "rate_per_sqft": "5000"}],
    }
    quotation_id = _create(w, "quotations", body)
    w.admin.ok("POST", f"{S}/quotations/{quotation_id}/send", json={})
    return quotation_id


def _quotation_series(w: ProbeWorld) -> str:
    return str(w.admin.ok("GET", f"{S}/quotations/{w.get('quotation')}")["series_id"])


Factory = Callable[[ProbeWorld], str]
FACTORIES: dict[str, Factory] = {
    "user": _user,
    "campaign": _campaign,
    "source": _source,
    "lead": _lead,
    "customer": _customer,
    "milestone": _milestone,
    "engagement": _engagement,
    "inventory": _inventory,
    "booking": _booking,
    "ledger_entry": _ledger_entry,
    "integration_key": _integration_key,
    "attribution_rule": _attribution_rule,
    "assignment_rule": _assignment_rule,
    "webhook_endpoint": _webhook_endpoint,
    "webhook_delivery": _webhook_delivery,
    "notification": _notification,
    "quotation": _quotation,
    "quotation_series": _quotation_series,
    "construction_stage": _construction_stage,
    "payment_plan": _payment_plan,
    "instalment": _instalment,
    "billing_document": _billing_document,
}


def kind_of(op: Operation, param: str) -> str | None:
    """The kind of object a path parameter of ``op`` names, or None if unregistered."""
    if param == "record_id":
        return next((k for p, k in RECORD_PREFIXES.items() if op.path.startswith(p)), None)
    return PATH_PARAMS.get(param)


def url_for(op: Operation, world: ProbeWorld, *, fresh: bool = False) -> str:
    """``op``'s path with every id taken from ``world`` (new objects if ``fresh``)."""
    values = {}
    for param in op.path_params:
        kind = kind_of(op, param)
        assert kind is not None, f"{op.key}: no factory for path parameter {param!r}"
        values[param] = world.fresh(kind) if fresh else world.get(kind)
    return op.path.format(**values)


def required_query(op: Operation) -> dict[str, str]:
    return {name: REQUIRED_QUERY[name] for name, req in op.query_params.items() if req}


def unprobeable(operations: list[Operation]) -> list[str]:
    """Every reason an operation cannot be probed (an empty list is the goal)."""
    problems = []
    for op in operations:
        for param in op.path_params:
            if kind_of(op, param) is None:
                problems.append(f"{op.key}: path parameter {param!r} has no factory")
        for param in op.uuid_query_params:
            if param not in QUERY_PARAMS:
                problems.append(f"{op.key}: id filter {param!r} has no factory")
        for param, required in op.query_params.items():
            if required and param not in REQUIRED_QUERY and param not in QUERY_PARAMS:
                problems.append(f"{op.key}: required query parameter {param!r} has no value")
        if op.path_params and op.body_required and op.key not in BODIES:
            problems.append(f"{op.key}: takes a body but BODIES has none")
        if op.path_params and op.permission is None:
            problems.append(f"{op.key}: takes an id but checks no permission")
    keys = {op.key for op in operations}
    problems += [f"BODIES names {key!r}, which is no route" for key in BODIES if key not in keys]
    return problems
