"""The navigation bar and each role's start page, in one place so new areas slot in.

A later domain adds its page by appending a ``NavItem`` (e.g. follow-ups, bookings,
reports); ``start_page`` is the one function that decides where ``/`` and login lead.
"""

from __future__ import annotations

from dataclasses import dataclass

from salestrack.auth.roles import Permission
from salestrack.web.kit.deps import WebUser


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    permission: Permission


NAV: list[NavItem] = [
    NavItem("Reports", "/reports", Permission.reports_read),
    NavItem("Leads", "/leads", Permission.leads_read),
    NavItem("Follow-ups", "/follow-ups", Permission.journey_read),
    NavItem("Customers", "/customers", Permission.customers_read),
    NavItem("Bookings", "/bookings", Permission.money_read),
    NavItem("Stages", "/stages", Permission.journey_read),
    NavItem("Campaigns", "/campaigns", Permission.campaigns_read),
    NavItem("Sources", "/sources", Permission.sources_read),
    NavItem("Duplicates", "/duplicates", Permission.leads_read),
    NavItem("Import", "/imports", Permission.leads_import),
    NavItem("Capture", "/capture", Permission.users_manage),
    NavItem("Webhooks", "/webhooks", Permission.webhooks_manage),
    NavItem("Documents", "/settings/documents", Permission.users_manage),
]

# Areas a start page may be, best first per role; an area counts once it is in NAV.
_START_PREFERENCE = {
    "admin": ["/reports", "/leads"],
    "manager": ["/reports", "/leads"],
    "sales_rep": ["/follow-ups", "/leads"],
    "viewer": ["/leads"],
}


def nav_for(user: WebUser) -> list[NavItem]:
    return [item for item in NAV if user.can(item.permission)]


def start_page(user: WebUser) -> str:
    """Where a user lands after login: the first of their role's areas that exists."""
    available = {item.href for item in nav_for(user)}
    for href in _START_PREFERENCE.get(user.role.value, []):
        if href in available:
            return href
    return "/leads"
