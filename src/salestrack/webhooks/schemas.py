"""Webhook endpoint and delivery payloads."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from salestrack.core.jobs import JobStatus
from salestrack.core.schema_base import PRINTABLE, InputModel, OutputModel, ShortText
from salestrack.webhooks.events import EventType

# An http(s) URL with a host (an RFC 3986 name or a bracketed IPv6 address), a port in range,
# no user name or password and no #fragment: ``targets.parse``'s rules, stated for clients.
_PORT = r"(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})"
_HOST = r"([A-Za-z0-9._~%!$&'()*+,;=-]+|\[[0-9A-Fa-f:.]+\])"
URL_PATTERN = rf"^https?://{_HOST}(:{_PORT})?([/?][^#\x00-\x20\x7f]*)?$"
Url = Annotated[
    str,
    StringConstraints(min_length=1, max_length=2000, pattern=URL_PATTERN),
    PRINTABLE,
    Field(
        description=(
            "https:// (http:// only where the operator sets SALESTRACK_WEBHOOK_ALLOW_PRIVATE); "
            "422 for a loopback, private, link-local or reserved address or localhost"
        )
    ),
]
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
