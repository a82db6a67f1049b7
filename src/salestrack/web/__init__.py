"""Server-rendered pages on the same services as the API: login, leads and their journey,
follow-ups, customers and their ledger, bookings and inventory, campaigns, sources,
reports, and the offline API docs."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from salestrack.web import (
    auth,
    booking_actions,
    bookings,
    campaigns,
    customers,
    follow_ups,
    inventory_pages,
    lead_journey,
    leads,
    ledger,
    reports,
    sources,
)
from salestrack.web.api_docs import install_api_docs
from salestrack.web.errors import install_page_errors
from salestrack.web.render import STATIC_DIR

# leads (with /leads/new) before lead_journey (with /leads/{id}); the same for bookings.
PAGE_ROUTERS = [
    auth.router,
    leads.router,
    lead_journey.router,
    follow_ups.router,
    customers.router,
    ledger.router,
    bookings.router,
    booking_actions.router,
    inventory_pages.router,
    reports.router,
    campaigns.router,
    sources.router,
]


def install_web(app: FastAPI) -> None:
    """Add the pages, their static files and their HTML error pages to ``app``."""
    for router in PAGE_ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_api_docs(app)
    install_page_errors(app)
