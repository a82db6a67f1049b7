"""Webhook pages (admins): endpoints, a form that shows the new secret once, and each
endpoint's delivery log with replay, on the same services as the API."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import Response

from salestrack.auth.roles import Permission
from salestrack.core.config import Settings
from salestrack.core.errors import Conflict, Unprocessable
from salestrack.core.pagination import paginate
from salestrack.http.deps import SessionDep
from salestrack.web.kit.deps import FormDep, WebUser, user_with
from salestrack.web.kit.forms import FORM, FormResult, attempt
from salestrack.web.kit.render import redirect, render
from salestrack.webhooks import service
from salestrack.webhooks.events import EventType
from salestrack.webhooks.models import WebhookDelivery
from salestrack.webhooks.schemas import EndpointCreate

router = APIRouter(prefix="/webhooks", include_in_schema=False)
Admin = Annotated[WebUser, user_with(Permission.webhooks_manage)]
EVENTS = [e.value for e in EventType]


def _allow_private(request: Request) -> bool:
    settings: Settings = request.app.state.settings
    return settings.webhook_allow_private


def _list(
    request: Request, session: SessionDep, user: WebUser, status: int = 200, **context: Any
) -> Response:
    endpoints = service.list_endpoints(session, actor=user.actor)
    base = {"endpoints": endpoints, "events": EVENTS, "values": {}, "errors": {}}
    return render(request, "webhooks/list.html", {**base, **context}, status=status)


@router.get("")
def endpoint_list(request: Request, session: SessionDep, user: Admin) -> Response:
    """The tenant's endpoints and a form to add one."""
    return _list(request, session, user, done=request.query_params.get("done"))


@router.post("/new")
def endpoint_create(request: Request, session: SessionDep, user: Admin, form: FormDep) -> Response:
    """Register an endpoint; the answer page shows its secret, this once."""
    values = {k: v.strip() for k, v in form.items()}
    chosen = [e for e in EVENTS if form.get(f"event:{e}")]
    errors: dict[str, str] = {}
    try:
        data = EndpointCreate(
            url=values.get("url", ""), description=values.get("description", ""), events=chosen
        )
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]) if error.get("loc") else FORM
            errors.setdefault(name, str(error["msg"]).removeprefix("Value error, "))
        return _list(request, session, user, 422, values=values, errors=errors)
    result: FormResult[Any] = FormResult(values, data, errors)
    created = attempt(
        session,
        lambda: service.create_endpoint(
            session, actor=user.actor, data=data, allow_private=_allow_private(request)
        ),
        result,
        ("url", "description", "events"),
    )
    if created is None:
        return _list(request, session, user, 422, values=values, errors=result.errors)
    return render(request, "webhooks/created.html", {"endpoint": created})


@router.get("/{endpoint_id}")
def endpoint_page(
    request: Request, session: SessionDep, user: Admin, endpoint_id: uuid.UUID
) -> Response:
    """One endpoint and its delivery log, newest first."""
    endpoint = service.get_endpoint(session, actor=user.actor, endpoint_id=endpoint_id)
    stmt = service.deliveries_query(tenant_id=user.actor.tenant_id, endpoint_id=endpoint_id)
    rows, _next = paginate(session, stmt, WebhookDelivery, limit=100, cursor=None)
    context = {"endpoint": endpoint, "rows": rows, "done": request.query_params.get("done")}
    return render(request, "webhooks/detail.html", context)


@router.post("/{endpoint_id}/deliveries/{delivery_id}/replay")
def delivery_replay(
    request: Request,
    session: SessionDep,
    user: Admin,
    form: FormDep,
    endpoint_id: uuid.UUID,
    delivery_id: uuid.UUID,
) -> Response:
    """Send a delivery again (same webhook-id), then back to the log."""
    try:
        service.replay(session, actor=user.actor, endpoint_id=endpoint_id, delivery_id=delivery_id)
    except (Conflict, Unprocessable):
        return redirect(request, f"/webhooks/{endpoint_id}?done=busy")
    return redirect(request, f"/webhooks/{endpoint_id}?done=replayed")


@router.post("/{endpoint_id}/delete")
def endpoint_delete(
    request: Request, session: SessionDep, user: Admin, form: FormDep, endpoint_id: uuid.UUID
) -> Response:
    """Stop sending to an endpoint."""
    service.delete_endpoint(session, actor=user.actor, endpoint_id=endpoint_id)
    return redirect(request, "/webhooks?done=deleted")
