"""Calendar feed tokens: ``cal_<tenant id hex>_<43 random characters>``.

A calendar client cannot log in, so the URL is the credential. Its random part carries 256
bits (unguessable); the tenant part lets the request set its tenant for row-level security
before the token is looked up, as integration keys do (``auth.keys``). Stored as
HMAC-SHA256 under a key derived from the server secret: a copy of the table alone cannot
confirm a token, and no slow hash is needed for 256 random bits. Changing
``SALESTRACK_SECRET_KEY`` therefore ends every feed (their users make new ones).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid

from salestrack.core.config import Settings

PREFIX = "cal_"
TOKEN_PATTERN = re.compile(r"^cal_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$")


def new_token(tenant_id: uuid.UUID) -> str:
    return f"{PREFIX}{tenant_id.hex}_{secrets.token_urlsafe(32)}"


def tenant_of(token: str) -> uuid.UUID | None:
    """The tenant a well-formed token names (not yet proof that it is valid)."""
    found = TOKEN_PATTERN.match(token)
    return uuid.UUID(found.group(1)) if found else None


def digest(settings: Settings, token: str) -> str:
    pepper = hmac.new(
        settings.signing_key().encode(), b"salestrack calendar feeds", hashlib.sha256
    ).digest()
    return hmac.new(pepper, token.encode(), hashlib.sha256).hexdigest()
