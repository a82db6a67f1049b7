"""``GET /live/events``: the tenant's changes as server-sent events, for the signed-in user.

Pages open it with ``EventSource`` and their session cookie; an API client sends its bearer
token (and, as everywhere in the API, ``X-Tenant-ID`` naming the token's tenant). Who may
watch is checked as any request checks it (the user active, in the epoch the cookie or token
was issued in), and again while the stream is open (``live.access``). A reconnect's
``Last-Event-ID`` replays what it missed, or says ``reload``. Not in the OpenAPI document:
a stream has no schema a generated client could use. Design: docs/live.md.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from starlette.responses import Response, StreamingResponse

from salestrack.auth import service as auth
from salestrack.auth.roles import Role
from salestrack.auth.security import read_token, token_expires_at
from salestrack.core.config import Settings
from salestrack.core.errors import problem_response
from salestrack.live import access
from salestrack.live.access import Viewer
from salestrack.live.floor import LiveFloor
from salestrack.live.hub import Subscription
from salestrack.live.stream import Stream
from salestrack.web.kit.session import expires_at, load_session

router = APIRouter(include_in_schema=False)
MAX_EVENT_ID = 100
_TITLES = {401: "Unauthorized", 403: "Forbidden"}
STREAM_HEADERS = {
    "Cache-Control": "no-store",
    "X-Accel-Buffering": "no",  # nginx: pass each event on at once
    "X-Content-Type-Options": "nosniff",
}


class Refused(Exception):
    """No stream for this request: 401 (no valid session) or 403 (wrong tenant, new role)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


def _bearer_viewer(request: Request, settings: Settings, token: str) -> Viewer:
    """The token's user, as ``auth.deps.current_actor`` reads it (same header rule)."""
    claims = read_token(settings, token)
    if claims is None or claims.tenant_id != auth.tenant_id_for(claims.tenant_slug):
        raise Refused(401, "token is invalid or expired")
    header = request.headers.get("x-tenant-id", "").strip().lower()
    if header not in (claims.tenant_slug, str(claims.tenant_id)):
        raise Refused(403, "X-Tenant-ID must name the tenant the token was issued for")
    return Viewer(
        tenant_id=claims.tenant_id,
        user_id=claims.user_id,
        role=claims.role,
        session_epoch=claims.session_epoch,
        expires_at=float(token_expires_at(settings, token) or 0),
    )


async def _viewer(request: Request) -> Viewer:
    """Who opens the stream (bearer token, else the session cookie), checked now."""
    settings: Settings = request.app.state.settings
    state = request.app.state
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        viewer = _bearer_viewer(request, settings, token.strip())
        problem = await access.check(state, viewer)
        if problem is not None:
            raise Refused(403 if problem == access.ROLE_CHANGED else 401, problem)
    else:
        web = load_session(request)
        if web.tenant_id is None or web.user_id is None:
            raise Refused(401, "sign in first")
        found = await access.run(
            state,
            access.standing,
            tenant_id=web.tenant_id,
            user_id=web.user_id,
            session_epoch=web.session_epoch,
        )
        if not isinstance(found, Role):  # (a Role is a str too)
            raise Refused(401, found)
        viewer = Viewer(web.tenant_id, web.user_id, found, web.session_epoch, expires_at(web))
    request.state.tenant_id, request.state.user_id = str(viewer.tenant_id), str(viewer.user_id)
    return viewer


@router.get("/live/events")
async def live_events(
    request: Request,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> Response:
    """The signed-in user's tenant's changes, as ``text/event-stream``, until they sign out."""
    floor: LiveFloor = request.app.state.live
    settings: Settings = request.app.state.settings
    try:
        viewer = await _viewer(request)
    except Refused as refused:
        headers = {"WWW-Authenticate": "Bearer"} if refused.status == 401 else None
        return problem_response(
            refused.status, _TITLES[refused.status], refused.detail, headers=headers
        )
    hub = floor.hub
    if hub.closed or hub.stream_count >= settings.live_max_streams:
        return _busy()
    if not await floor.ensure_started():
        return _busy()
    stream = Stream(
        hub=hub,
        sub=Subscription(viewer.tenant_id, viewer.user_id),
        viewer=viewer,
        last_event_id=(last_event_id or "").strip()[:MAX_EVENT_ID] or None,
        check=lambda who: access.check(request.app.state, who),
        heartbeat=settings.live_heartbeat_seconds,
        recheck=settings.live_recheck_seconds,
    )
    return StreamingResponse(
        stream.frames(), media_type="text/event-stream; charset=utf-8", headers=STREAM_HEADERS
    )


def _busy() -> Response:
    """Too many streams here, or the process is stopping or cannot listen: try again."""
    return problem_response(
        503,
        "Service unavailable",
        "live updates are not available right now; try again shortly",
        headers={"Retry-After": "5"},
    )
