"""Calendar feed answers."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from salestrack.core.schema_base import OutputModel


class FeedStatus(OutputModel):
    active: bool = Field(description="you have a feed (its URL was shown when it was made)")
    created_at: datetime | None
    rotated_at: datetime | None


class FeedCreated(OutputModel):
    """The answer to making or replacing a feed: the only time its URL is shown."""

    url: str = Field(description="the private iCalendar URL to subscribe to; keep it secret")
    created_at: datetime
    rotated_at: datetime
