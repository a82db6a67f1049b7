"""Registering webhook endpoints, reading their delivery log, replaying a delivery."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from salestrack.auth.context import Actor
from salestrack.core import crud, jobs
from salestrack.core.errors import Conflict, NotFound
from salestrack.webhooks import events, signing, targets
from salestrack.webhooks.models import WebhookDelivery, WebhookEndpoint
from salestrack.webhooks.schemas import EndpointCreate, EndpointUpdate

ENTITY = "webhook_endpoint"


def create_endpoint(
    session: Session, *, actor: Actor, data: EndpointCreate, allow_private: bool
) -> WebhookEndpoint:
    """Register an endpoint with a new secret (returned on the row, shown once) and list
    the tenant for the worker."""
    targets.check_registration(data.url, allow_private=allow_private)
    row = WebhookEndpoint(
        url=data.url,
        description=data.description,
        events=sorted({e.value for e in data.events}),
        secret=signing.new_secret(),
    )
    crud.add(session, actor=actor, row=row, entity=ENTITY)
    jobs.enlist(session, actor.tenant_id)
    events.forget_subscribers(session)
    return row


def get_endpoint(session: Session, *, actor: Actor, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    row: WebhookEndpoint = crud.get_live(
        session,
        WebhookEndpoint,
        tenant_id=actor.tenant_id,
        row_id=endpoint_id,
        label="webhook endpoint",
    )
    return row


def list_endpoints(session: Session, *, actor: Actor) -> list[WebhookEndpoint]:
    stmt = crud.scoped(WebhookEndpoint, actor.tenant_id).order_by(
        WebhookEndpoint.created_at, WebhookEndpoint.id
    )
    return list(session.scalars(stmt))


def update_endpoint(
    session: Session,
    *,
    actor: Actor,
    endpoint_id: uuid.UUID,
    data: EndpointUpdate,
    allow_private: bool,
) -> WebhookEndpoint:
    """Change the URL, description or events; deliveries already queued keep their event."""
    values: dict[str, Any] = {
        k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None
    }
    if "url" in values:
        targets.check_registration(values["url"], allow_private=allow_private)
    if "events" in values:
        values["events"] = sorted({e.value for e in data.events or []})
    row = get_endpoint(session, actor=actor, endpoint_id=endpoint_id)
    crud.change(session, actor=actor, row=row, values=values, entity=ENTITY)
    events.forget_subscribers(session)
    return row


def delete_endpoint(session: Session, *, actor: Actor, endpoint_id: uuid.UUID) -> None:
    """Soft delete: nothing more is queued for it, and what is queued fails unsent."""
    row = get_endpoint(session, actor=actor, endpoint_id=endpoint_id)
    crud.soft_delete(session, actor=actor, row=row, entity=ENTITY)
    events.forget_subscribers(session)


def deliveries_query(*, tenant_id: uuid.UUID, endpoint_id: uuid.UUID) -> Select[Any]:
    """The endpoint's delivery log (paginated newest first by the caller)."""
    return select(WebhookDelivery).where(
        WebhookDelivery.tenant_id == tenant_id, WebhookDelivery.endpoint_id == endpoint_id
    )


def get_delivery(
    session: Session, *, actor: Actor, endpoint_id: uuid.UUID, delivery_id: uuid.UUID
) -> WebhookDelivery:
    get_endpoint(session, actor=actor, endpoint_id=endpoint_id)
    stmt = deliveries_query(tenant_id=actor.tenant_id, endpoint_id=endpoint_id).where(
        WebhookDelivery.id == delivery_id
    )
    row: WebhookDelivery | None = session.scalars(stmt.with_for_update()).one_or_none()
    if row is None:
        raise NotFound(f"delivery {delivery_id} not found")
    return row


def replay(
    session: Session, *, actor: Actor, endpoint_id: uuid.UUID, delivery_id: uuid.UUID
) -> WebhookDelivery:
    """Send a delivery again, from its first attempt, with the same ``webhook-id`` (409
    while an attempt is under way)."""
    row = get_delivery(session, actor=actor, endpoint_id=endpoint_id, delivery_id=delivery_id)
    if row.status == jobs.JobStatus.running:
        raise Conflict("the delivery is being attempted right now; replay it when it ends")
    jobs.requeue(session, WebhookDelivery, tenant_id=actor.tenant_id, job_id=row.id)
    crud.log_action(
        session,
        actor=actor,
        entity="webhook_delivery",
        entity_id=row.id,
        action="replay",
        changes={"endpoint_id": endpoint_id, "event_id": row.event_id},
    )
    session.refresh(row)
    return row
