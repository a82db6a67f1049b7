"""The one calendar feed a user may have: a keyed hash of its secret URL's token."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from salestrack.core.db import (
    Base,
    TenantKeyed,
    UTCDateTime,
    tenant_fk,
    tenant_pk,
    tenant_root_fk,
    utcnow,
)


class CalendarFeed(TenantKeyed, Base):
    """``token_hash`` is HMAC-SHA256 of the token (``calendar.tokens``); the token itself is
    shown once, when made. Rotating replaces the hash, so the old URL finds nothing."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (
        tenant_pk(),
        tenant_root_fk(),
        tenant_fk("user_id", "users"),
        UniqueConstraint("tenant_id", "user_id"),
        UniqueConstraint("tenant_id", "token_hash"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    rotated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
