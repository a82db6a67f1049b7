"""``/capture``: the admin's page for leads that arrive by themselves: integration keys
(create, shown once; revoke), the duplicate policy, and the hosted form's address."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from salestrack.auth import keys
from salestrack.auth.roles import Permission
from salestrack.core.errors import Unprocessable
from salestrack.http.deps import SessionDep, SettingsDep
from salestrack.intake import touches
from salestrack.intake.schemas import DuplicatePolicy
from salestrack.web.kit.deps import FormDep, WebUser, user_with
from salestrack.web.kit.render import redirect, render

router = APIRouter(prefix="/capture", include_in_schema=False)
Admin = Annotated[WebUser, user_with(Permission.users_manage)]


def _page(request: Request, session: SessionDep, user: WebUser, **extra: Any) -> Response:
    context = {
        "keys": keys.list_keys(session, tenant_id=user.actor.tenant_id),
        "policy": touches.policy(session, user.actor.tenant_id).value,
        "policies": [p.value for p in DuplicatePolicy],
        "scopes": [s.value for s in keys.KeyScope],
        "form_url": f"{request.base_url}enquire/{user.actor.tenant_slug}",
        "errors": {},
        "values": {},
        **extra,
    }
    return render(request, "intake/capture.html", context, status=extra.pop("status", 200))


@router.get("")
def capture_page(request: Request, session: SessionDep, user: Admin) -> Response:
    """Keys, the duplicate policy and the hosted form's address."""
    return _page(request, session, user)


@router.post("/keys")
def create_key(
    request: Request, session: SessionDep, settings: SettingsDep, user: Admin, form: FormDep
) -> Response:
    """A new key, shown on this answer only."""
    name = form.get("name", "").strip()
    scope = form.get("scope", "")
    if not name or len(name) > 200 or scope not in {s.value for s in keys.KeyScope}:
        errors = {"name": "Give the key a name (up to 200 characters) and a scope."}
        return _page(request, session, user, errors=errors, values=form, status=422)
    row, key = keys.create_key(
        session, actor=user.actor, settings=settings, name=name, scope=keys.KeyScope(scope)
    )
    return _page(request, session, user, new_key=key, new_name=row.name)


@router.post("/keys/{key_id}/revoke")
def revoke_key(
    request: Request, session: SessionDep, user: Admin, key_id: uuid.UUID, form: FormDep
) -> Response:
    """Revoke a key for good."""
    del form
    keys.revoke_key(session, actor=user.actor, key_id=key_id)
    return redirect(request, "/capture")


@router.post("/policy")
def set_policy(request: Request, session: SessionDep, user: Admin, form: FormDep) -> Response:
    """What a lead matching an open one by phone or e-mail does."""
    try:
        policy = DuplicatePolicy(form.get("duplicate_policy", ""))
    except ValueError:
        raise Unprocessable("choose merge, create or reject", field="duplicate_policy") from None
    touches.set_policy(session, actor=user.actor, value=policy)
    return redirect(request, "/capture")
