"""Construction stages of a project: instalments linked to a stage fall due when a manager
marks it reached (once: a reached stage stays reached)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Select
from sqlalchemy.orm import Session

from salestrack.auth import clock
from salestrack.auth.context import Actor
from salestrack.billing.models import ConstructionStage
from salestrack.billing.schemas import StageCreate
from salestrack.core import crud
from salestrack.core.errors import Conflict, Unprocessable
from salestrack.money.models import Inventory

ENTITY = "construction_stage"


def get_stage(
    session: Session, *, actor: Actor, stage_id: uuid.UUID, for_update: bool = False
) -> ConstructionStage:
    row: ConstructionStage = crud.get_live(
        session,
        ConstructionStage,
        tenant_id=actor.tenant_id,
        row_id=stage_id,
        label=ENTITY.replace("_", " "),
        for_update=for_update,
    )
    return row


def create_stage(session: Session, *, actor: Actor, data: StageCreate) -> ConstructionStage:
    """A stage of one of the tenant's projects (422 if no inventory row names the project,
    409 if the project has a stage of that name)."""
    known = crud.scoped(Inventory, actor.tenant_id).where(Inventory.project == data.project)
    if session.scalars(known.limit(1)).first() is None:
        raise Unprocessable(f"project: no inventory of project {data.project!r}", field="project")
    taken = crud.scoped(ConstructionStage, actor.tenant_id).where(
        ConstructionStage.project == data.project, ConstructionStage.name == data.name
    )
    if session.scalars(taken).first() is not None:
        raise Conflict(f"project {data.project!r} already has a stage {data.name!r}", field="name")
    # A concurrent create of the same name fails on the unique key (409 from the handler).
    row = ConstructionStage(**data.model_dump())
    return crud.add(session, actor=actor, row=row, entity=ENTITY)


def stages_of(tenant_id: uuid.UUID, project: str | None) -> Select[tuple[ConstructionStage]]:
    """The tenant's stages, by project and position."""
    stmt = crud.scoped(ConstructionStage, tenant_id)
    if project is not None:
        stmt = stmt.where(ConstructionStage.project == project)
    return stmt.order_by(
        ConstructionStage.project, ConstructionStage.position, ConstructionStage.name
    )


def mark_reached(
    session: Session, *, actor: Actor, stage_id: uuid.UUID, on: date | None
) -> ConstructionStage:
    """Record that construction reached the stage (409 if it already had, 422 for a day
    after today)."""
    row = get_stage(session, actor=actor, stage_id=stage_id, for_update=True)
    if row.reached_on is not None:
        raise Conflict(f"stage {row.name!r} was reached on {row.reached_on}")
    today = clock.tenant_today(session, actor.tenant_id)
    day = on or today
    if day > today:
        # Marked once, never unmarked: a day ahead would hold the stage's instalments
        # upcoming until then with no way to put it right.
        raise Unprocessable(
            f"reached_on: a stage is reached today ({today}) at most", field="reached_on"
        )
    crud.change(session, actor=actor, row=row, values={"reached_on": day}, entity=ENTITY)
    return row
