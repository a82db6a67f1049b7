"""Answering a calendar client: the document, or 404 as plain as a missing page."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.responses import Response

from salestrack.auth import clock
from salestrack.auth.roles import Permission
from salestrack.calendar import entries, ics, service
from salestrack.core.config import Settings
from salestrack.core.errors import NotFound

MEDIA_TYPE = "text/calendar; charset=utf-8"
HEADERS = {
    "Cache-Control": "private, no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Disposition": 'inline; filename="salestrack.ics"',
}


def render_feed(session: Session, settings: Settings, *, token: str, base_url: str) -> Response:
    """The feed ``token`` opens. Unknown, replaced and deactivated users' tokens are all the
    same 404, so the answer tells nothing about which it was."""
    owner = service.owner_of(session, settings=settings, token=token)
    if owner is None or not owner.actor.can(Permission.journey_read):
        raise NotFound("no calendar feed here")
    actor = owner.actor
    assert actor.user_id is not None
    zone = clock.tenant_zone(session, actor.tenant_id)
    found = entries.for_user(session, tenant_id=actor.tenant_id, user_id=actor.user_id, zone=zone)
    body = ics.document(
        found,
        name=f"salestrack: {owner.display_name}",
        zone_name=zone.key,
        base_url=base_url,
    )
    return Response(body, media_type=MEDIA_TYPE, headers=HEADERS)
