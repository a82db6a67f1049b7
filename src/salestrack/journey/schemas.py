"""Request and response shapes for milestones, engagements and the status history.

``status_before``/``status_after`` are not accepted from clients (unknown field: 422):
the server fills them from the lead's real status under the lead's row lock.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, time
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    Field,
    StringConstraints,
    WithJsonSchema,
    computed_field,
)

from salestrack.core.db import utcnow
from salestrack.core.schema_base import (
    MOMENT_DESCRIPTION,
    NOT_BOOLEAN,
    PRINTABLE,
    Day,
    InputModel,
    Moment,
    Notes,
    OutputModel,
    ShortText,
    UpdateModel,
    finite_json,
)
from salestrack.journey.models import (
    EngagementChannel,
    EngagementStatus,
    EngagementType,
    FollowUpClosure,
    MilestoneType,
    Outcome,
    StatusCause,
)
from salestrack.leads.schemas import Audit

METADATA_MAX_BYTES = 4096
METADATA_MAX_KEYS = 50
METADATA_MAX_DEPTH = 16


def _bounded_metadata(value: dict[str, Any]) -> dict[str, Any]:
    if len(value) > METADATA_MAX_KEYS:
        raise ValueError(f"metadata may have at most {METADATA_MAX_KEYS} keys")
    try:
        finite_json(value, max_depth=METADATA_MAX_DEPTH)
    except ValueError as exc:
        raise ValueError(f"metadata {exc}") from None
    size = len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())
    if size > METADATA_MAX_BYTES:
        raise ValueError(f"metadata is {size} bytes as JSON; at most {METADATA_MAX_BYTES}")
    return value


def _local_time(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("a local time of day, without a zone")
    return value


Metadata = Annotated[dict[str, Any], AfterValidator(_bounded_metadata)]
# JSON Schema's "time" format demands a zone; these are local times of day, so say that.
LOCAL_TIME_SCHEMA = WithJsonSchema(
    {
        "type": "string",
        "maxLength": 15,
        "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$",
        "description": "local time of day without a zone, e.g. 15:30:00",
    }
)
LocalTime = Annotated[time, AfterValidator(_local_time), LOCAL_TIME_SCHEMA]
TimeOfDay = Annotated[time, LOCAL_TIME_SCHEMA]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Minutes = Annotated[int, Field(ge=0, le=100_000), NOT_BOOLEAN]
Seconds = Annotated[int, Field(ge=0, le=10_000_000), NOT_BOOLEAN]
Subject = Annotated[str, StringConstraints(max_length=300), PRINTABLE]


# --- milestones --------------------------------------------------------------------


class MilestoneFields(InputModel):
    milestone_date: Day | None = Field(
        None,
        description="default: today in the tenant's time zone (said back in defaults_applied)",
    )
    milestone_time: LocalTime | None = None
    location_name: ShortText | None = None
    location_latitude: Latitude | None = None
    location_longitude: Longitude | None = None
    visited_by: uuid.UUID | None = Field(default=None, description="a user of this tenant")
    duration_minutes: Minutes | None = None
    outcome: Outcome | None = None
    follow_up_required: bool = Field(
        default=False,
        description=(
            "default false, but true for a site_visit with a positive outcome (the seed's "
            "rule: a positive visit asks for a follow-up); send false to opt out"
        ),
    )
    follow_up_date: Day | None = Field(
        default=None,
        description=(
            "when the follow-up is due, not before milestone_date; when a follow-up is "
            "required and this is left out it is milestone_date + 2 days "
            "(said back in defaults_applied)"
        ),
    )
    follow_up_time: LocalTime | None = Field(
        default=None,
        description=(
            "the follow-up's local time of day (tenant's zone), for a follow-up with a date; "
            "a timed follow-up gets an e-mail alert before it (the user's alert lead time)"
        ),
    )
    notes: Notes = ""
    metadata: Metadata = Field(
        default_factory=dict,
        description=(
            "≤ 50 keys, ≤ 4 KB as JSON, nested ≤ 16 levels, finite numbers, no control characters"
        ),
    )


class MilestoneCreate(MilestoneFields):
    """A milestone to record; the server decides its effect on the lead's status."""

    lead_id: uuid.UUID
    milestone_type: MilestoneType


class MilestoneUpdate(UpdateModel):
    """Type and lead are fixed once recorded (the status history already followed them)."""

    NOT_NULL: ClassVar[frozenset[str]] = frozenset(
        {"milestone_date", "follow_up_required", "notes", "metadata"}
    )
    milestone_date: Day | None = None
    milestone_time: LocalTime | None = None
    location_name: ShortText | None = None
    location_latitude: Latitude | None = None
    location_longitude: Longitude | None = None
    visited_by: uuid.UUID | None = None
    duration_minutes: Minutes | None = None
    outcome: Outcome | None = None
    follow_up_required: bool | None = None
    follow_up_date: Day | None = None
    follow_up_time: LocalTime | None = None
    notes: Notes | None = None
    metadata: Metadata | None = None


class MilestonePublic(Audit):
    id: uuid.UUID
    lead_id: uuid.UUID
    milestone_type: MilestoneType
    milestone_date: Day
    milestone_time: TimeOfDay | None
    status_before: str | None
    status_after: str
    location_name: str | None
    location_latitude: float | None
    location_longitude: float | None
    visited_by: uuid.UUID | None
    duration_minutes: int | None
    outcome: Outcome | None
    follow_up_required: bool
    follow_up_date: date | None
    follow_up_time: TimeOfDay | None
    follow_up_closed_at: datetime | None
    follow_up_closed_by: FollowUpClosure | None
    follow_up_closed_by_id: uuid.UUID | None
    notes: str
    metadata: dict[str, Any] = Field(validation_alias="meta")
    defaults_applied: list[str] = Field(
        default_factory=list,
        description=(
            "what the server filled in that this request left out (e.g. the default "
            "follow_up_date); empty on reads"
        ),
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def follow_up_status(self) -> str:
        """none, open or closed."""
        if not self.follow_up_required:
            return "none"
        return "open" if self.follow_up_closed_at is None else "closed"


# --- engagements -------------------------------------------------------------------


class EngagementCreate(InputModel):
    """A touchpoint; a timestamp without an offset (``2025-11-05T10:00:00``) is read in the
    tenant's time zone, one with an offset (``+05:30``, ``Z``) is that moment."""

    lead_id: uuid.UUID
    engagement_type: EngagementType
    engagement_channel: EngagementChannel
    engagement_date: Moment = Field(
        default_factory=utcnow, description=f"default: now. {MOMENT_DESCRIPTION}"
    )
    subject: Subject = ""
    notes: Notes = ""
    status: EngagementStatus = EngagementStatus.completed
    response_received: bool = False
    response_date: Moment | None = None
    response_notes: Notes = ""
    duration_seconds: Seconds | None = None


class EngagementUpdate(UpdateModel):
    """Typically records the response later; the lead is fixed once recorded."""

    NOT_NULL: ClassVar[frozenset[str]] = frozenset(
        {
            "engagement_type",
            "engagement_channel",
            "engagement_date",
            "subject",
            "notes",
            "status",
            "response_received",
            "response_notes",
        }
    )
    engagement_type: EngagementType | None = None
    engagement_channel: EngagementChannel | None = None
    engagement_date: Moment | None = None
    subject: Subject | None = None
    notes: Notes | None = None
    status: EngagementStatus | None = None
    response_received: bool | None = None
    response_date: Moment | None = None
    response_notes: Notes | None = None
    duration_seconds: Seconds | None = None


class EngagementPublic(Audit):
    id: uuid.UUID
    lead_id: uuid.UUID
    engagement_type: EngagementType
    engagement_channel: EngagementChannel
    engagement_date: datetime
    subject: str
    notes: str
    status: EngagementStatus
    response_received: bool
    response_date: datetime | None
    response_notes: str
    duration_seconds: int | None


# --- status history ----------------------------------------------------------------


class StatusChangePublic(OutputModel):
    id: uuid.UUID
    lead_id: uuid.UUID
    seq: int
    from_status: str | None
    to_status: str
    changed_at: datetime
    cause: StatusCause
    cause_id: uuid.UUID | None
    actor_id: uuid.UUID | None


def is_money_key(key: str) -> bool:
    """Metadata keys that hold money (``amount``, ``booking_amount`` ...): withheld from
    roles that may not read money, as the timeline's conversion value is."""
    return key == "amount" or key.endswith("_amount")


def milestone_for(row: Any, *, can_see_money: bool, **update: Any) -> MilestonePublic:
    """A milestone as a reader sees it: without money in its metadata unless they may read
    money (a sales rep sees that a proposal was sent, not for how much)."""
    shown = MilestonePublic.model_validate(row)
    if not can_see_money and any(is_money_key(k) for k in shown.metadata):
        update["metadata"] = {k: v for k, v in shown.metadata.items() if not is_money_key(k)}
    return shown.model_copy(update=update) if update else shown
