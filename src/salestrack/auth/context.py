"""Who is acting, for which tenant: passed explicitly into every service call."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from salestrack.auth.roles import Permission, Role, allows


@dataclass(frozen=True)
class Actor:
    tenant_id: uuid.UUID
    tenant_slug: str
    user_id: uuid.UUID | None
    role: Role
    email: str = ""

    def can(self, permission: Permission) -> bool:
        return allows(self.role, permission)


def system_actor(tenant_id: uuid.UUID, tenant_slug: str) -> Actor:
    """The actor for CLI and data-loading work that no logged-in user performs."""
    return Actor(tenant_id=tenant_id, tenant_slug=tenant_slug, user_id=None, role=Role.admin)
