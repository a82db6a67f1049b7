"""``/duplicates``: pairs of leads that look like one buyer, and merging them."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Request
from starlette.responses import Response

from salestrack.auth.roles import Permission
from salestrack.core.errors import Unprocessable
from salestrack.http.deps import SessionDep
from salestrack.intake import duplicates, merge
from salestrack.web.kit.deps import FormDep, WebUser, user_with
from salestrack.web.kit.render import redirect, render

router = APIRouter(prefix="/duplicates", include_in_schema=False)
Reader = Annotated[WebUser, user_with(Permission.leads_read)]
Writer = Annotated[WebUser, user_with(Permission.leads_write)]


@router.get("")
def duplicate_list(request: Request, session: SessionDep, user: Reader) -> Response:
    """Likely duplicates, newest first, each with a merge either way."""
    pairs = duplicates.likely_duplicates(session, tenant_id=user.actor.tenant_id)
    return render(request, "intake/duplicates.html", {"pairs": pairs})


@router.post("/merge")
def merge_pair(request: Request, session: SessionDep, user: Writer, form: FormDep) -> Response:
    """Merge the posted duplicate into the posted survivor, then show the survivor."""
    try:
        survivor = uuid.UUID(form.get("survivor_id", ""))
        duplicate = uuid.UUID(form.get("duplicate_id", ""))
    except ValueError:
        raise Unprocessable("choose two leads to merge") from None
    merge.merge_leads(session, actor=user.actor, survivor_id=survivor, duplicate_id=duplicate)
    return redirect(request, f"/leads/{survivor}?merged=1")
