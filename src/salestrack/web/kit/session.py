"""The browser session: a signed cookie carrying who is logged in and the CSRF token.

The cookie is signed (not encrypted) with a key derived from the app's signing key, so it
cannot be forged or altered; it holds only ids, the user's session epoch at login and a
random token, nothing secret. The user is looked up again on every request, so a
deactivated user or a changed role takes effect at once, and a cookie from an earlier
session epoch (the user signed out, or their password changed) is no session. Sessions
expire ``SESSION_TTL_SECONDS`` after login.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from salestrack.core.config import Settings

COOKIE_NAME = "salestrack_session"
SESSION_TTL_SECONDS = 12 * 3600
_KEY_LABEL = b"salestrack web session cookie v1"
_SALT = "salestrack.web.session"


def session_key(settings: Settings) -> bytes:
    """A key of its own for cookies, derived from (never equal to) the token signing key."""
    return hmac.new(settings.signing_key().encode(), _KEY_LABEL, hashlib.sha256).digest()


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(session_key(settings), salt=_SALT)


@dataclass
class WebSession:
    """What the cookie says; ``dirty`` means the response must send a new cookie."""

    csrf_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    tenant_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None
    session_epoch: int = -1
    dirty: bool = False
    issued_at: float | None = None  # when the cookie was signed (its age counts from there)

    @property
    def logged_in(self) -> bool:
        return self.tenant_id is not None and self.user_id is not None

    def csrf_matches(self, token: str) -> bool:
        return hmac.compare_digest(token.encode(), self.csrf_token.encode())

    def log_in(self, *, tenant_id: uuid.UUID, user_id: uuid.UUID, session_epoch: int) -> None:
        """A fresh CSRF token at login, so a token seen before login is worthless after it."""
        self.tenant_id, self.user_id = tenant_id, user_id
        self.session_epoch = session_epoch
        self.csrf_token = secrets.token_urlsafe(32)
        self.dirty = True

    def log_out(self) -> None:
        self.tenant_id = self.user_id = None
        self.session_epoch = -1
        self.csrf_token = secrets.token_urlsafe(32)
        self.dirty = True

    def dump(self) -> dict[str, Any]:
        return {
            "c": self.csrf_token,
            "t": str(self.tenant_id) if self.tenant_id else None,
            "u": str(self.user_id) if self.user_id else None,
            "e": self.session_epoch,
        }


def _parse(data: Any) -> WebSession | None:
    try:
        token, tenant, user, epoch = data["c"], data["t"], data["u"], data["e"]
        if not isinstance(token, str) or len(token) < 32:
            return None
        if isinstance(epoch, bool) or not isinstance(epoch, int):
            return None
        return WebSession(
            csrf_token=token,
            tenant_id=uuid.UUID(tenant) if tenant else None,
            user_id=uuid.UUID(user) if user else None,
            session_epoch=epoch,
        )
    except (KeyError, TypeError, ValueError):
        return None


def load_session(request: Request) -> WebSession:
    """The request's session (read once and kept on the request); a new one if absent."""
    cached = getattr(request.state, "web_session", None)
    if isinstance(cached, WebSession):
        return cached
    settings: Settings = request.app.state.settings
    raw = request.cookies.get(COOKIE_NAME)
    session: WebSession | None = None
    if raw:
        try:
            data, signed = _serializer(settings).loads(
                raw, max_age=SESSION_TTL_SECONDS, return_timestamp=True
            )
            session = _parse(data)
        except BadSignature:  # includes SignatureExpired
            session = None
        if session is not None:
            session.issued_at = signed.timestamp()
    if session is None:
        session = WebSession(dirty=True)
    request.state.web_session = session
    return session


def expires_at(session: WebSession) -> float:
    """When the cookie stops being a session (seconds since the epoch)."""
    return (session.issued_at or 0.0) + SESSION_TTL_SECONDS


def save_session(request: Request, response: Response) -> Response:
    """Send the cookie if the session is new or changed (HttpOnly, SameSite=Lax)."""
    session = getattr(request.state, "web_session", None)
    if isinstance(session, WebSession) and session.dirty:
        settings: Settings = request.app.state.settings
        response.set_cookie(
            COOKIE_NAME,
            _serializer(settings).dumps(session.dump()),
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
        )
        session.dirty = False
    return response
