"""Password hashing (argon2id) and signed access tokens (JWT, HS256)."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import Type

from salestrack.auth.roles import Role
from salestrack.core.config import Settings
from salestrack.core.db import utcnow

ALGORITHM = "HS256"


class _Hashing:
    """The process's argon2id parameters, set from the settings when the app starts."""

    hasher = PasswordHasher(type=Type.ID)
    dummy_hash = ""

    @classmethod
    def configure(cls, settings: Settings) -> None:
        cls.hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
            type=Type.ID,
        )
        cls.dummy_hash = cls.hasher.hash("a password nobody has")


configure_hashing = _Hashing.configure


def hash_password(password: str) -> str:
    return _Hashing.hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; without a hash, still spend the same time (no user enumeration)."""
    try:
        if not _Hashing.dummy_hash:
            _Hashing.dummy_hash = hash_password("a password nobody has")
        target = password_hash or _Hashing.dummy_hash
        return _Hashing.hasher.verify(target, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _Hashing.hasher.check_needs_rehash(password_hash)


@dataclass(frozen=True)
class TokenClaims:
    tenant_id: uuid.UUID
    tenant_slug: str
    user_id: uuid.UUID
    role: Role
    session_epoch: int
    """The user's session epoch at issue (``sep``): the token is refused once it is raised."""


def issue_token(settings: Settings, claims: TokenClaims) -> str:
    now = utcnow()
    payload: dict[str, Any] = {
        "iss": settings.token_issuer,
        "aud": settings.token_audience,
        "sub": str(claims.user_id),
        "tid": str(claims.tenant_id),
        "ten": claims.tenant_slug,
        "role": claims.role.value,
        "sep": claims.session_epoch,
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(seconds=settings.token_ttl_seconds),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(payload, settings.signing_key(), algorithm=ALGORITHM)


def read_token(settings: Settings, token: str) -> TokenClaims | None:
    """The token's claims if it is ours, unexpired and intact; otherwise None.

    The signature, audience, issuer and claim set of a token are checked once per process
    and remembered (a bounded cache of tokens that passed; a failure is never cached); its
    time window is checked on every use, so an expired token is refused the second it
    expires, as before.
    """
    try:
        claims, not_before, expires = _verified(
            token, settings.signing_key(), settings.token_audience, settings.token_issuer
        )
    except (jwt.PyJWTError, KeyError, ValueError, TypeError):
        return None
    now = utcnow().timestamp()
    if not not_before <= now < expires:
        return None
    return claims


def token_expires_at(settings: Settings, token: str) -> int | None:
    """When a token ``read_token`` accepts stops being accepted (seconds since the epoch):
    for a connection that outlives its request (the live stream)."""
    if read_token(settings, token) is None:
        return None
    _claims, _not_before, expires = _verified(
        token, settings.signing_key(), settings.token_audience, settings.token_issuer
    )
    return expires


def tenant_of_token(settings: Settings, token: str) -> uuid.UUID | None:
    """The tenant a valid token names (None for any token ``read_token`` refuses)."""
    claims = read_token(settings, token)
    return claims.tenant_id if claims else None


@functools.lru_cache(maxsize=4096)
def _verified(token: str, key: str, audience: str, issuer: str) -> tuple[TokenClaims, int, int]:
    """Signature and claims of a token (raises when they fail; only successes are cached)."""
    payload = jwt.decode(
        token,
        key,
        algorithms=[ALGORITHM],
        audience=audience,
        issuer=issuer,
        options={"require": ["exp", "iat", "nbf", "sub", "aud", "iss"]},
    )
    claims = TokenClaims(
        tenant_id=uuid.UUID(payload["tid"]),
        tenant_slug=str(payload["ten"]),
        user_id=uuid.UUID(payload["sub"]),
        role=Role(payload["role"]),
        session_epoch=_integer(payload["sep"]),
    )
    return claims, _timestamp(payload["nbf"]), _timestamp(payload["exp"])


def _timestamp(value: Any) -> int:
    return _integer(value)


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("a token's times and epoch must be integers")
    return value
