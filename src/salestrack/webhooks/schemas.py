"""Webhook endpoint and delivery payloads."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from salestrack.core.jobs import JobStatus
from salestrack.core.schema_base import PRINTABLE, InputModel, OutputModel, ShortText
from salestrack.webhooks.events import EventType

Url = Annotated[str, StringConstraints(min_length=1, max_length=2000), PRINTABLE]
Events = Annotated[list[EventType], Field(min_length=1, max_length=len(EventType))]


class EndpointCreate(InputModel):
    url: Url
    description: ShortText = ""
    events: Events


class EndpointUpdate(InputModel):
    url: Url | None = None
    description: ShortText | None = None
    events: Events | None = None


class EndpointPublic(OutputModel):
    id: uuid.UUID
    url: str
    description: str
    events: list[str]
    created_at: datetime


class EndpointCreated(EndpointPublic):
    """The answer to a create: the only time the signing secret is shown."""

    secret: str


class DeliveryPublic(OutputModel):
    id: uuid.UUID
    endpoint_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    status: JobStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str
    response_code: int | None
    created_at: datetime
    finished_at: datetime | None
