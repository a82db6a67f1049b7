"""What core needs to know of whoever acts: the tenant and the user (None for the system).

The full ``Actor`` (role, permissions) belongs to ``salestrack.auth``; core's generic writes
only stamp rows and log changes, so they take anything that says these two things.
"""

from __future__ import annotations

import uuid
from typing import Protocol


class Acting(Protocol):
    @property
    def tenant_id(self) -> uuid.UUID: ...

    @property
    def user_id(self) -> uuid.UUID | None: ...
