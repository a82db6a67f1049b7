"""Construction stages: each project's stages in order with the day each was reached,
"Mark reached" for managers and admins, and the form that adds a stage.

Stages carry no amount, so everyone who reads the journey sees them (as in the API);
only ``money:write`` (managers, admins) adds a stage or marks one reached: a sales rep
sees no button and a forced post is refused (403). Marking a stage reached makes the
instalments waiting on it due, ready for their demands on the booking pages.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response

from salestrack.auth.roles import Permission
from salestrack.billing import stages
from salestrack.billing.schemas import StageCreate, StageReach
from salestrack.http.deps import SessionDep
from salestrack.money import selectors as money
from salestrack.web.kit.choices import page_id
from salestrack.web.kit.deps import FormDep, WebUser, user_with
from salestrack.web.kit.forms import FORM, Blank, FormResult, attempt, submit_form
from salestrack.web.kit.render import query_string, redirect, render

router = APIRouter(prefix="/stages", include_in_schema=False)
Reader = Annotated[WebUser, user_with(Permission.journey_read)]
Writer = Annotated[WebUser, user_with(Permission.money_write)]
CREATE_BLANKS: dict[str, Any] = {
    "project": Blank.REQUIRED,
    "name": Blank.REQUIRED,
    "position": Blank.OMIT,
}


def _page(
    request: Request,
    session: Session,
    user: WebUser,
    *,
    form: FormResult[Any] | None = None,
    reach_error: tuple[str, str] | None = None,
    status: int = 200,
) -> Response:
    tenant_id = user.actor.tenant_id
    project = request.query_params.get("project") or None
    rows = list(session.scalars(stages.stages_of(tenant_id, project)))
    by_project: dict[str, list[Any]] = {}
    for row in rows:
        by_project.setdefault(row.project, []).append(row)
    can_write = user.can(Permission.money_write)
    projects: list[str] = []
    if can_write:  # the add form names a project of the inventory (money pages' rows)
        projects = sorted(
            {str(v["project"]) for v in money.stock_views(session, tenant_id=tenant_id)}
        )
    context = {
        "by_project": by_project,
        "project": project,
        "projects": [(p, p) for p in projects],
        "can_write": can_write,
        "form": form or FormResult({"project": project or ""}),
        "reach_error": reach_error,
        "today": user.fmt.today().isoformat(),
        "done": request.query_params.get("done"),
        "back": query_string({"project": project}),
    }
    return render(request, "billing/stages.html", context, status=status)


@router.get("")
def stage_list(request: Request, session: SessionDep, user: Reader) -> Response:
    """The tenant's stages by project (``?project=`` for one), reached or not."""
    return _page(request, session, user)


@router.post("")
def add_stage(request: Request, session: SessionDep, user: Writer, form: FormDep) -> Response:
    """Add a stage to a project of the inventory; a name the project has is refused (409)."""
    result, row = submit_form(
        session,
        StageCreate,
        form,
        lambda data: stages.create_stage(session, actor=user.actor, data=data),
        blanks=CREATE_BLANKS,
        fmt=user.fmt,
    )
    if row is None:
        return _page(request, session, user, form=result, status=422)
    target = query_string({"project": row.project, "done": "added"})
    return redirect(request, f"/stages{target}")


@router.post("/{stage_id}/reached")
def mark_reached(
    request: Request, session: SessionDep, user: Writer, stage_id: str, form: FormDep
) -> Response:
    """Mark the stage reached on the day given (default today); twice is refused (409)."""
    stage = stages.get_stage(session, actor=user.actor, stage_id=page_id(stage_id))
    result: FormResult[Any] = FormResult(dict(form))
    try:
        data = StageReach.model_validate({"reached_on": form.get("reached_on", "").strip() or None})
    except ValidationError:
        result.errors[FORM] = "Give the day the stage was reached, or leave it empty for today."
        data = None
    if data is not None:
        reached_on = data.reached_on
        attempt(
            session,
            lambda: stages.mark_reached(
                session, actor=user.actor, stage_id=stage.id, on=reached_on
            ),
            result,
            (),
        )
    if result.errors:
        status = 422 if data is None else 409
        return _page(
            request, session, user, reach_error=(str(stage.id), result.errors[FORM]), status=status
        )
    target = query_string({"project": stage.project, "done": "reached"})
    return redirect(request, f"/stages{target}#stage-{stage.id}")
