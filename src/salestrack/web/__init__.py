"""Server-rendered pages on the same services as the API: login, leads, campaigns, sources."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from salestrack.web import auth, campaigns, leads, sources
from salestrack.web.errors import install_page_errors
from salestrack.web.render import STATIC_DIR

PAGE_ROUTERS = [auth.router, leads.router, campaigns.router, sources.router]


def install_web(app: FastAPI) -> None:
    """Add the pages, their static files and their HTML error pages to ``app``."""
    for router in PAGE_ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_page_errors(app)
