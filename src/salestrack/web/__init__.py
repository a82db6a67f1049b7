"""Server-rendered pages on the same services as the API: login, leads and their journey,
follow-ups, customers and their ledger, bookings and inventory, payment plans,
construction stages and billing documents, campaigns, sources,
reports, notifications and the calendar feed, and the offline API docs.

One sub-package per area mirrors the domains (``auth``, ``leads``, ``journey``, ``money``,
``reports``, ``webhooks``, ``docs``); ``kit`` is what every page shares. ``install_web`` is the only
entry point: the app calls it, and nothing else imports this package.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from salestrack.web.auth import login, me
from salestrack.web.billing import pdf_pages, plan_section, stages_page
from salestrack.web.docs.api_docs import install_api_docs
from salestrack.web.documents import listing as documents_listing
from salestrack.web.documents import quotation_pages
from salestrack.web.documents import settings_page as document_settings
from salestrack.web.intake import capture_admin, duplicates, enquiry
from salestrack.web.journey import follow_ups, lead_page
from salestrack.web.kit.errors import install_page_errors
from salestrack.web.kit.render import STATIC_DIR
from salestrack.web.leads import campaigns, customers, imports, leads, sources
from salestrack.web.leads.customers import install_customer_sections
from salestrack.web.live import events as live
from salestrack.web.money import booking_actions, bookings, inventory, ledger
from salestrack.web.money.booking_actions import install_booking_sections
from salestrack.web.notifications import pages as notifications
from salestrack.web.reports import pages as reports
from salestrack.web.webhooks import pages as webhooks

# leads (with /leads/new) before lead_page (with /leads/{id}); the same for bookings.
PAGE_ROUTERS = [
    login.router,
    me.router,
    leads.router,
    imports.router,
    lead_page.router,
    follow_ups.router,
    customers.router,
    ledger.router,
    bookings.router,
    booking_actions.router,
    plan_section.router,
    stages_page.router,
    pdf_pages.router,
    inventory.router,
    reports.router,
    campaigns.router,
    sources.router,
    duplicates.router,
    capture_admin.router,
    enquiry.router,
    webhooks.router,
    notifications.router,
    document_settings.router,
    quotation_pages.router,
    live.router,
]


def install_web(app: FastAPI) -> None:
    """Add the pages, their static files and their HTML error pages to ``app``; the
    customer page's sections are listed here, once, in the order they are shown."""
    for router in PAGE_ROUTERS:
        app.include_router(router)
    install_customer_sections(app, [ledger.ledger_section, documents_listing.documents_section])
    install_booking_sections(app, [plan_section.plan_section])
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_api_docs(app)
    install_page_errors(app)
