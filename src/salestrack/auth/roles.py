"""Roles and what each may do; the one table every permission check reads."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    manager = "manager"
    sales_rep = "sales_rep"
    viewer = "viewer"


class Permission(StrEnum):
    leads_read = "leads:read"
    leads_write = "leads:write"
    customers_read = "customers:read"
    customers_write = "customers:write"
    campaigns_read = "campaigns:read"
    campaigns_write = "campaigns:write"
    sources_read = "sources:read"
    sources_write = "sources:write"
    journey_read = "journey:read"
    journey_write = "journey:write"
    money_read = "money:read"
    money_write = "money:write"
    reports_read = "reports:read"
    audit_read = "audit:read"
    users_manage = "users:manage"
    webhooks_manage = "webhooks:manage"
    leads_import = "leads:import"  # the web import: many leads at once (managers, admins)


_READ_ALL = {p for p in Permission if p.value.endswith(":read") and p is not Permission.audit_read}
_WRITE_SALES = {p for p in Permission if p.value.endswith(":write")}

# Sales reps work leads, customers and the journey. They may read campaigns and
# sources (to tag a lead) but not change them, and they do not see money.
_REP = {
    Permission.leads_read,
    Permission.leads_write,
    Permission.customers_read,
    Permission.customers_write,
    Permission.journey_read,
    Permission.journey_write,
    Permission.campaigns_read,
    Permission.sources_read,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.admin: frozenset(Permission),
    Role.manager: frozenset(_READ_ALL | _WRITE_SALES | {Permission.leads_import}),
    Role.sales_rep: frozenset(_REP),
    Role.viewer: frozenset(_READ_ALL),
}


def allows(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]
