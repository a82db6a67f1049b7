"""HTTP routes of the journey (thin: the services decide).

The seed's paths are a contract: ``POST /milestones/lead``, ``GET /milestones/lead/{lead_id}``,
``POST /engagement``, ``GET /engagement/{lead_id}``; single objects live at
``/milestones/{id}`` and ``/engagements/{id}``; lead-scoped lists at ``/leads/{id}/...``.
"""

import uuid
from typing import Annotated, Any

from fastapi import Depends, Query, Response

from salestrack.auth.context import Actor
from salestrack.auth.deps import require
from salestrack.auth.roles import Permission
from salestrack.core.pagination import LimitParam, Page
from salestrack.core.schema_base import Day
from salestrack.http import csv_answers
from salestrack.http.csv_answers import CSV_RESPONSES, CsvFormat
from salestrack.http.deps import SessionDep
from salestrack.http.routing import api_router
from salestrack.journey import engagements, followups, milestones, paging, service, timeline_csv
from salestrack.journey.report_schemas import (
    EngagementStatsPublic,
    FollowUpPage,
    TimelinePublic,
)
from salestrack.journey.schemas import (
    EngagementCreate,
    EngagementPublic,
    EngagementUpdate,
    MilestoneCreate,
    MilestonePublic,
    MilestoneUpdate,
    StatusChangePublic,
    milestone_for,
)

Reader = Annotated[Actor, Depends(require(Permission.journey_read))]
Writer = Annotated[Actor, Depends(require(Permission.journey_write))]
# Each list's cursor, with the exact pattern of its sort key.
MilestoneCursor = Annotated[str | None, paging.cursor_query(milestones.ORDER)]
EngagementCursor = Annotated[str | None, paging.cursor_query(engagements.ORDER)]
StatusCursor = Annotated[str | None, paging.cursor_query(service.STATUS_ORDER)]
FollowUpCursor = Annotated[str | None, paging.cursor_query(followups.ORDER)]

# The lead a milestone or engagement is posted for is its parent: missing is 404, not 422.
NO_SUCH_LEAD: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such lead in this tenant"}
}

milestones_router = api_router(prefix="/api/v1/sales/milestones", tags=["journey"])
engagement_router = api_router(prefix="/api/v1/sales/engagement", tags=["journey"])
engagements_router = api_router(prefix="/api/v1/sales/engagements", tags=["journey"])
lead_journey_router = api_router(prefix="/api/v1/sales/leads", tags=["journey"])
follow_ups_router = api_router(prefix="/api/v1/sales/follow-ups", tags=["journey"])
journey_reports_router = api_router(prefix="/api/v1/sales/reports", tags=["journey reports"])


def _page(items: list[Any], next_cursor: str | None) -> dict[str, Any]:
    return {"items": items, "next_cursor": next_cursor}


# --- milestones --------------------------------------------------------------------


def _shown(row: Any, actor: Actor, applied: list[str] | None = None) -> MilestonePublic:
    """The milestone as this actor may see it (``schemas.milestone_for``)."""
    money = actor.can(Permission.money_read)
    if applied is None:
        return milestone_for(row, can_see_money=money)
    return milestone_for(row, can_see_money=money, defaults_applied=applied)


@milestones_router.post(
    "/lead", response_model=MilestonePublic, status_code=201, responses=NO_SUCH_LEAD
)
def create_milestone(session: SessionDep, actor: Writer, body: MilestoneCreate) -> Any:
    """Record a milestone; the lead's status moves by the pipeline rules. A follow-up asked
    for without a date is due two days later, and a positive site visit asks for one
    (``defaults_applied`` in the answer says what was filled in)."""
    applied: list[str] = []
    row = service.record_milestone(session, actor=actor, data=body, applied=applied)
    return _shown(row, actor, applied)


@milestones_router.get("/lead/{lead_id}", response_model=Page[MilestonePublic])
def lead_milestones(
    session: SessionDep,
    actor: Reader,
    lead_id: uuid.UUID,
    limit: LimitParam = 500,
    cursor: MilestoneCursor = None,
) -> dict[str, Any]:
    """The lead's milestones, oldest first."""
    rows, next_cursor = service.list_milestones(
        session, actor=actor, lead_id=lead_id, limit=limit, cursor=cursor
    )
    return _page([_shown(r, actor) for r in rows], next_cursor)


@milestones_router.get("/{milestone_id}", response_model=MilestonePublic)
def get_milestone(session: SessionDep, actor: Reader, milestone_id: uuid.UUID) -> Any:
    return _shown(service.get_milestone(session, actor=actor, milestone_id=milestone_id), actor)


@milestones_router.patch("/{milestone_id}", response_model=MilestonePublic)
def update_milestone(
    session: SessionDep, actor: Writer, milestone_id: uuid.UUID, body: MilestoneUpdate
) -> Any:
    """Change a milestone's details (not its type, lead or recorded statuses)."""
    applied: list[str] = []
    row = service.update_milestone(
        session, actor=actor, milestone_id=milestone_id, data=body, applied=applied
    )
    return _shown(row, actor, applied)


@milestones_router.delete("/{milestone_id}", status_code=204)
def delete_milestone(session: SessionDep, actor: Writer, milestone_id: uuid.UUID) -> Response:
    """Soft delete; the lead's status and status history are left as they are."""
    service.delete_milestone(session, actor=actor, milestone_id=milestone_id)
    return Response(status_code=204)


# --- engagements -------------------------------------------------------------------


@engagement_router.post(
    "", response_model=EngagementPublic, status_code=201, responses=NO_SUCH_LEAD
)
def create_engagement(session: SessionDep, actor: Writer, body: EngagementCreate) -> Any:
    """Record a touchpoint; the channel must fit the type."""
    return service.record_engagement(session, actor=actor, data=body)


@engagement_router.get("/{lead_id}", response_model=Page[EngagementPublic])
def engagement_history(
    session: SessionDep,
    actor: Reader,
    lead_id: uuid.UUID,
    limit: LimitParam = 500,
    cursor: EngagementCursor = None,
) -> dict[str, Any]:
    """The lead's engagements, oldest first."""
    return _page(
        *service.list_engagements(session, actor=actor, lead_id=lead_id, limit=limit, cursor=cursor)
    )


@engagements_router.get("/{engagement_id}", response_model=EngagementPublic)
def get_engagement(session: SessionDep, actor: Reader, engagement_id: uuid.UUID) -> Any:
    return service.get_engagement(session, actor=actor, engagement_id=engagement_id)


@engagements_router.patch("/{engagement_id}", response_model=EngagementPublic)
def update_engagement(
    session: SessionDep, actor: Writer, engagement_id: uuid.UUID, body: EngagementUpdate
) -> Any:
    """Change an engagement, e.g. record the response that came later."""
    return service.update_engagement(session, actor=actor, engagement_id=engagement_id, data=body)


@engagements_router.delete("/{engagement_id}", status_code=204)
def delete_engagement(session: SessionDep, actor: Writer, engagement_id: uuid.UUID) -> Response:
    service.delete_engagement(session, actor=actor, engagement_id=engagement_id)
    return Response(status_code=204)


# --- lists under the lead ----------------------------------------------------------


@lead_journey_router.get("/{lead_id}/milestones", response_model=Page[MilestonePublic])
def milestones_of_lead(
    session: SessionDep,
    actor: Reader,
    lead_id: uuid.UUID,
    limit: LimitParam = 500,
    cursor: MilestoneCursor = None,
) -> dict[str, Any]:
    """Same list as ``GET /milestones/lead/{lead_id}``."""
    return lead_milestones(session, actor, lead_id, limit, cursor)


@lead_journey_router.get("/{lead_id}/engagements", response_model=Page[EngagementPublic])
def engagements_of_lead(
    session: SessionDep,
    actor: Reader,
    lead_id: uuid.UUID,
    limit: LimitParam = 500,
    cursor: EngagementCursor = None,
) -> dict[str, Any]:
    """Same list as ``GET /engagement/{lead_id}``."""
    return engagement_history(session, actor, lead_id, limit, cursor)


@lead_journey_router.get("/{lead_id}/status-history", response_model=Page[StatusChangePublic])
def status_history(
    session: SessionDep,
    actor: Reader,
    lead_id: uuid.UUID,
    limit: LimitParam = 500,
    cursor: StatusCursor = None,
) -> dict[str, Any]:
    """Every change of the lead's status, oldest first, with its cause."""
    return _page(
        *service.status_history(session, actor=actor, lead_id=lead_id, limit=limit, cursor=cursor)
    )


# --- follow-ups --------------------------------------------------------------------


@follow_ups_router.get("", response_model=FollowUpPage)
def follow_ups(
    session: SessionDep,
    actor: Reader,
    due_before: Annotated[Day | None, Query(description="due strictly before this day")] = None,
    assigned_to: Annotated[uuid.UUID | None, Query(description="the lead's assignee")] = None,
    overdue: Annotated[bool, Query(description="only those already overdue")] = False,
    limit: LimitParam = 50,
    cursor: FollowUpCursor = None,
) -> dict[str, Any]:
    """Open follow-ups, oldest due first, overdue ones flagged."""
    items, next_cursor = service.open_follow_ups(
        session,
        actor=actor,
        due_before=due_before,
        assigned_to=assigned_to,
        overdue_only=overdue,
        limit=limit,
        cursor=cursor,
    )
    return _page(items, next_cursor)


@follow_ups_router.post("/{milestone_id}/done", response_model=MilestonePublic)
def follow_up_done(session: SessionDep, actor: Writer, milestone_id: uuid.UUID) -> Any:
    """Close a follow-up by hand (again: no change); 409 if the milestone has none."""
    return _shown(service.mark_done(session, actor=actor, milestone_id=milestone_id), actor)


# --- reports -----------------------------------------------------------------------


@journey_reports_router.get(
    "/milestone-timeline/{lead_id}", response_model=TimelinePublic, responses=CSV_RESPONSES
)
def milestone_timeline(
    session: SessionDep, actor: Reader, lead_id: uuid.UUID, format: CsvFormat = "json"
) -> Any:
    """Milestones and engagements merged in time order, with conversion numbers."""
    result = service.lead_timeline(session, actor=actor, lead_id=lead_id)
    if format == "csv":
        rows = timeline_csv.timeline_rows(csv_answers.plain(result))
        return csv_answers.response("milestone-timeline", list(timeline_csv.TIMELINE), rows)
    return result


@journey_reports_router.get(
    "/engagement-stats/{lead_id}",
    response_model=EngagementStatsPublic,
    responses=CSV_RESPONSES,
)
def engagement_stats(
    session: SessionDep, actor: Reader, lead_id: uuid.UUID, format: CsvFormat = "json"
) -> Any:
    """Counts by type and channel, response rate, call durations, days since last touch."""
    result = service.engagement_stats(session, actor=actor, lead_id=lead_id)
    if format == "csv":
        rows = csv_answers.key_values(csv_answers.plain(result))
        return csv_answers.response("engagement-stats", ["field", "value"], rows)
    return result


ROUTERS = [
    milestones_router,
    engagement_router,
    engagements_router,
    lead_journey_router,
    follow_ups_router,
    journey_reports_router,
]
