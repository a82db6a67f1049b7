"""Token and user payloads."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from salestrack.auth.roles import Role
from salestrack.core.schema_base import PRINTABLE, Email, InputModel, OutputModel, ShortText

Password = Annotated[
    str,
    StringConstraints(min_length=10, max_length=128),
    PRINTABLE,
    Field(
        description=(
            "422 when common or breached, easy to guess (zxcvbn score below 3) or close to "
            "the user's name or email"
        )
    ),
]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]


class TokenResponse(OutputModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class UserCreate(InputModel):
    email: Email
    full_name: ShortText = ""
    password: Password
    role: Role


class UserUpdate(InputModel):
    full_name: ShortText | None = None
    password: Password | None = None
    role: Role | None = None
    is_active: bool | None = None


class UserPublic(OutputModel):
    id: uuid.UUID
    email: str
    full_name: str
    role: Role
    is_active: bool
    created_at: datetime
