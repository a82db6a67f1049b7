"""Request and response bodies of capture, attribution and assignment rules, duplicates."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, StringConstraints, model_validator

from salestrack.core.schema_base import (
    NOT_BOOLEAN,
    PRINTABLE,
    Email,
    InputModel,
    Name,
    Notes,
    OutputModel,
    Phone,
    ShortText,
    UpdateModel,
)

Url = Annotated[str, StringConstraints(max_length=2000), PRINTABLE]
UnitText = Annotated[str, StringConstraints(max_length=50), PRINTABLE]
Priority = Annotated[int, Field(ge=0, le=100_000), NOT_BOOLEAN]


class DuplicatePolicy(StrEnum):
    merge = "merge"  # a re-enquiry on the open lead of the same buyer
    create = "create"  # a second lead all the same
    reject = "reject"  # 409


class AttributionField(StrEnum):
    utm_source = "utm_source"
    utm_medium = "utm_medium"
    utm_campaign = "utm_campaign"
    utm_term = "utm_term"
    utm_content = "utm_content"
    gclid = "gclid"
    fbclid = "fbclid"
    referrer = "referrer"


class Attribution(InputModel):
    """Where an enquiry came from, as the page that sent it saw it."""

    utm_source: ShortText = ""
    utm_medium: ShortText = ""
    utm_campaign: ShortText = ""
    utm_term: ShortText = ""
    utm_content: ShortText = ""
    gclid: ShortText = ""
    fbclid: ShortText = ""
    landing_page: Url = ""
    referrer: Url = ""


class CaptureIn(Attribution):
    """A lead from a website, a portal or an ad form: a phone or an e-mail is required."""

    name: Name
    phone: Phone | None = None
    email: Email | None = None
    message: Notes = ""
    project: ShortText = Field("", description="the project the buyer asks about")
    unit: UnitText = Field("", description="the unit or unit type the buyer asks about")

    @model_validator(mode="after")
    def _reachable(self) -> CaptureIn:
        if not (self.phone or "").strip() and not self.email:
            raise ValueError("give a phone or an email, so the buyer can be reached")
        return self


class CaptureOut(OutputModel):
    lead_id: uuid.UUID
    lead_code: str
    outcome: Literal["created", "re_enquiry"]
    source_id: uuid.UUID | None
    campaign_id: uuid.UUID | None
    assigned_to: uuid.UUID | None


class TouchPublic(OutputModel):
    id: uuid.UUID
    touched_at: datetime
    first: bool
    channel: str
    source_id: uuid.UUID | None
    campaign_id: uuid.UUID | None
    utm_source: str
    utm_medium: str
    utm_campaign: str
    utm_term: str
    utm_content: str
    gclid: str
    fbclid: str
    landing_page: str
    referrer: str
    project: str
    unit: str
    message: str


class AttributionRuleCreate(InputModel):
    """A rule names a ``source_id``, a ``campaign_id`` or both (422 when neither), each
    one of this tenant's (422 otherwise)."""

    field: AttributionField
    value: Annotated[str, StringConstraints(min_length=1, max_length=200), PRINTABLE] = Field(
        description="the value to match, case-blind; * matches any value present"
    )
    source_id: uuid.UUID | None = Field(
        None, description="a lead source of this tenant; this, campaign_id or both"
    )
    campaign_id: uuid.UUID | None = Field(
        None, description="a campaign of this tenant; this, source_id or both"
    )
    priority: Priority = 100

    @model_validator(mode="after")
    def _maps_somewhere(self) -> AttributionRuleCreate:
        if self.source_id is None and self.campaign_id is None:
            raise ValueError("a rule maps to a source_id, a campaign_id or both")
        return self


class AttributionRuleUpdate(UpdateModel):
    NOT_NULL: ClassVar[frozenset[str]] = frozenset({"field", "value", "priority"})
    field: AttributionField | None = None
    value: Annotated[str, StringConstraints(min_length=1, max_length=200), PRINTABLE] | None = None
    source_id: uuid.UUID | None = None
    campaign_id: uuid.UUID | None = None
    priority: Priority | None = None


class AttributionRulePublic(OutputModel):
    id: uuid.UUID
    field: AttributionField
    value: str
    source_id: uuid.UUID | None
    campaign_id: uuid.UUID | None
    priority: int
    created_at: datetime
    updated_at: datetime


class AssignmentMode(StrEnum):
    fixed = "fixed"
    round_robin = "round_robin"


class AssignmentRuleCreate(InputModel):
    """A ``fixed`` rule names its ``owner_id`` (422 without one); the ids name this
    tenant's objects (422 otherwise)."""

    name: Name
    priority: Priority = 100
    source_id: uuid.UUID | None = None
    campaign_id: uuid.UUID | None = None
    project: ShortText = ""
    mode: AssignmentMode
    owner_id: uuid.UUID | None = Field(
        None, description="a user of this tenant; required when mode is fixed"
    )
    pool: Annotated[list[uuid.UUID], Field(max_length=200)] = Field(
        default_factory=list, description="round robin among these users (empty: every rep)"
    )

    @model_validator(mode="after")
    def _owner_for_fixed(self) -> AssignmentRuleCreate:
        if self.mode is AssignmentMode.fixed and self.owner_id is None:
            raise ValueError("a fixed rule needs an owner_id")
        return self

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        values = super().model_dump(**kwargs)
        values["pool"] = [str(u) for u in self.pool]  # stored as JSON
        return values


class AssignmentRuleUpdate(UpdateModel):
    NOT_NULL: ClassVar[frozenset[str]] = frozenset({"name", "priority", "project", "mode", "pool"})
    name: Name | None = None
    priority: Priority | None = None
    source_id: uuid.UUID | None = None
    campaign_id: uuid.UUID | None = None
    project: ShortText | None = None
    mode: AssignmentMode | None = None
    owner_id: uuid.UUID | None = None
    pool: Annotated[list[uuid.UUID], Field(max_length=200)] | None = None

    def changes(self) -> dict[str, Any]:
        values = super().changes()
        if values.get("pool") is not None:
            values["pool"] = [str(u) for u in values["pool"]]
        return values


class AssignmentRulePublic(OutputModel):
    id: uuid.UUID
    name: str
    priority: int
    source_id: uuid.UUID | None
    campaign_id: uuid.UUID | None
    project: str
    mode: AssignmentMode
    owner_id: uuid.UUID | None
    pool: list[uuid.UUID]
    turn: int
    created_at: datetime
    updated_at: datetime


class CaptureSettings(InputModel):
    duplicate_policy: DuplicatePolicy


class DuplicatePair(OutputModel):
    lead_id: uuid.UUID
    lead_code: str
    name: str
    other_id: uuid.UUID
    other_code: str
    other_name: str
    reasons: list[Literal["phone", "email", "name"]]


class MergeIn(InputModel):
    """Two different live leads of this tenant: 404 for a missing one, 422 for one lead
    named twice."""

    survivor_id: uuid.UUID = Field(description="the lead that stays")
    duplicate_id: uuid.UUID = Field(
        description="the lead merged into survivor_id; not survivor_id itself"
    )
