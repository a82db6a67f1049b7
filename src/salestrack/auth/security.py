"""Password hashing (argon2id) and signed access tokens (JWT, HS256)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import Type

from salestrack.auth.roles import Role
from salestrack.config import Settings
from salestrack.db import utcnow

# Above OWASP's argon2id minimum (m=19 MiB, t=2, p=1): RFC 9106's low-memory profile.
PASSWORD_HASHER = PasswordHasher(time_cost=3, memory_cost=65_536, parallelism=4, type=Type.ID)
ALGORITHM = "HS256"
_DUMMY_HASH = PASSWORD_HASHER.hash("a password nobody has")


def hash_password(password: str) -> str:
    return PASSWORD_HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; without a hash, still spend the same time (no user enumeration)."""
    try:
        return PASSWORD_HASHER.verify(password_hash or _DUMMY_HASH, password) and bool(
            password_hash
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return PASSWORD_HASHER.check_needs_rehash(password_hash)


@dataclass(frozen=True)
class TokenClaims:
    tenant_id: uuid.UUID
    tenant_slug: str
    user_id: uuid.UUID
    role: Role


def issue_token(settings: Settings, claims: TokenClaims) -> str:
    now = utcnow()
    payload: dict[str, Any] = {
        "iss": settings.token_issuer,
        "aud": settings.token_audience,
        "sub": str(claims.user_id),
        "tid": str(claims.tenant_id),
        "ten": claims.tenant_slug,
        "role": claims.role.value,
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(seconds=settings.token_ttl_seconds),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(payload, settings.signing_key(), algorithm=ALGORITHM)


def read_token(settings: Settings, token: str) -> TokenClaims | None:
    """The token's claims if it is ours, unexpired and intact; otherwise None."""
    try:
        payload = jwt.decode(
            token,
            settings.signing_key(),
            algorithms=[ALGORITHM],
            audience=settings.token_audience,
            issuer=settings.token_issuer,
            options={"require": ["exp", "iat", "nbf", "sub", "aud", "iss"]},
        )
        return TokenClaims(
            tenant_id=uuid.UUID(payload["tid"]),
            tenant_slug=str(payload["ten"]),
            user_id=uuid.UUID(payload["sub"]),
            role=Role(payload["role"]),
        )
    except (jwt.PyJWTError, KeyError, ValueError, TypeError):
        return None
