"""Webhook endpoints, the outbox of events and the deliveries of each event to each endpoint."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from salestrack.core.db import (
    Audited,
    Base,
    TenantKeyed,
    UTCDateTime,
    tenant_fk,
    tenant_pk,
    tenant_root_fk,
    utcnow,
)
from salestrack.core.jobs import Queued


class WebhookEndpoint(TenantKeyed, Audited, Base):
    """Where a tenant wants its events sent, signed with ``secret`` (``whsec_`` + base64)."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (tenant_pk(), tenant_root_fk())

    url: Mapped[str] = mapped_column(String(2000), nullable=False)
    description: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    # Needed in clear to sign each delivery; never shown after creation nor logged.
    secret: Mapped[str] = mapped_column(String(100), nullable=False)
    events: Mapped[list[str]] = mapped_column(JSON(), nullable=False)


class OutboxEvent(TenantKeyed, Base):
    """An event, written in the transaction of the change it tells of; its id is the
    ``webhook-id`` every delivery of it carries. ``subject_id``/``subject_date`` make a
    time-based event unique (``follow_up.due`` once per follow-up and due date)."""

    __tablename__ = "outbox_events"
    __table_args__ = (
        tenant_pk(),
        tenant_root_fk(),
        UniqueConstraint("tenant_id", "event_type", "subject_id", "subject_date"),
    )

    event_type: Mapped[str] = mapped_column(String(40), nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    body: Mapped[str] = mapped_column(Text(), nullable=False)
    subject_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    subject_date: Mapped[date | None] = mapped_column(Date(), nullable=True)


class WebhookDelivery(TenantKeyed, Queued, Base):
    """One event to one endpoint: the job the worker runs, and the delivery log's line."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        tenant_pk(),
        tenant_root_fk(),
        tenant_fk("endpoint_id", "webhook_endpoints"),
        tenant_fk("event_id", "outbox_events"),
        Index("ix_webhook_deliveries_due", "tenant_id", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint", "tenant_id", "endpoint_id", "created_at"),
    )

    endpoint_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    event_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    event_type: Mapped[str] = mapped_column(String(40), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    response_code: Mapped[int | None] = mapped_column(Integer(), nullable=True)
