"""Webhook endpoints and their delivery log (admins only)."""

import uuid
from typing import Annotated, Any

from fastapi import Response

from salestrack.auth.context import Actor
from salestrack.auth.deps import actor_with
from salestrack.auth.roles import Permission
from salestrack.core.pagination import CursorParam, LimitParam, Page, paginate
from salestrack.http.deps import SessionDep, SettingsDep
from salestrack.http.routing import api_router
from salestrack.webhooks import service
from salestrack.webhooks.models import WebhookDelivery
from salestrack.webhooks.schemas import (
    DeliveryPublic,
    EndpointCreate,
    EndpointCreated,
    EndpointPublic,
    EndpointUpdate,
)

router = api_router(prefix="/api/v1/sales/webhooks", tags=["webhooks"])
Admin = Annotated[Actor, actor_with(Permission.webhooks_manage)]


@router.post("/endpoints", response_model=EndpointCreated, status_code=201)
def create_endpoint(
    session: SessionDep, settings: SettingsDep, actor: Admin, body: EndpointCreate
) -> Any:
    """Register an https endpoint for some events; the answer holds its signing secret,
    shown this once."""
    return service.create_endpoint(
        session, actor=actor, data=body, allow_private=settings.webhook_allow_private
    )


@router.get("/endpoints", response_model=list[EndpointPublic])
def list_endpoints(session: SessionDep, actor: Admin) -> Any:
    """The tenant's endpoints, oldest first (secrets are never shown again)."""
    return service.list_endpoints(session, actor=actor)


@router.get("/endpoints/{endpoint_id}", response_model=EndpointPublic)
def get_endpoint(session: SessionDep, actor: Admin, endpoint_id: uuid.UUID) -> Any:
    return service.get_endpoint(session, actor=actor, endpoint_id=endpoint_id)


@router.patch("/endpoints/{endpoint_id}", response_model=EndpointPublic)
def update_endpoint(
    session: SessionDep,
    settings: SettingsDep,
    actor: Admin,
    endpoint_id: uuid.UUID,
    body: EndpointUpdate,
) -> Any:
    """Change an endpoint's URL, description or events."""
    return service.update_endpoint(
        session,
        actor=actor,
        endpoint_id=endpoint_id,
        data=body,
        allow_private=settings.webhook_allow_private,
    )


@router.delete("/endpoints/{endpoint_id}", status_code=204)
def delete_endpoint(session: SessionDep, actor: Admin, endpoint_id: uuid.UUID) -> Response:
    """Stop sending to an endpoint (deliveries still queued are given up)."""
    service.delete_endpoint(session, actor=actor, endpoint_id=endpoint_id)
    return Response(status_code=204)


@router.get("/endpoints/{endpoint_id}/deliveries", response_model=Page[DeliveryPublic])
def list_deliveries(
    session: SessionDep,
    actor: Admin,
    endpoint_id: uuid.UUID,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Any:
    """The endpoint's delivery log, newest first: status, attempts, last error, answer code."""
    service.get_endpoint(session, actor=actor, endpoint_id=endpoint_id)
    stmt = service.deliveries_query(tenant_id=actor.tenant_id, endpoint_id=endpoint_id)
    items, next_cursor = paginate(session, stmt, WebhookDelivery, limit=limit, cursor=cursor)
    return {"items": items, "next_cursor": next_cursor}


@router.post(
    "/endpoints/{endpoint_id}/deliveries/{delivery_id}/replay", response_model=DeliveryPublic
)
def replay_delivery(
    session: SessionDep, actor: Admin, endpoint_id: uuid.UUID, delivery_id: uuid.UUID
) -> Any:
    """Send a delivery again from its first attempt, with the same webhook-id."""
    return service.replay(session, actor=actor, endpoint_id=endpoint_id, delivery_id=delivery_id)
