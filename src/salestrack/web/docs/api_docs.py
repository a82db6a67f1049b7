"""Interactive API docs served from this app (works offline): no CDN, no remote favicon.

FastAPI's built-in /docs and /redoc load Swagger UI and ReDoc from a CDN. Here /docs
uses the swagger-ui-dist files vendored under ``static/vendor/swagger-ui`` (version in
its README) and /redoc is not offered. The page gets its own Content-Security-Policy:
only this origin, plus the hash of the one inline script that starts Swagger UI.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.responses import Response

SWAGGER_UI_VERSION = "5.35.0"
VENDOR = "/static/vendor/swagger-ui"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def _docs_policy(html: str) -> str:
    """Allow exactly the inline start-up script(s) of this page, by hash; nothing remote."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"
        for body in _INLINE_SCRIPT.findall(html)
    )
    return (
        f"default-src 'self'; script-src 'self' {hashes}; "
        # Swagger UI sets element styles from script and ships data: SVG icons.
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )


def install_api_docs(app: FastAPI) -> None:
    """``GET /docs``: Swagger UI from the vendored files (create the app with docs_url=None)."""
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> Response:
        page = get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} API",
            swagger_js_url=f"{VENDOR}/swagger-ui-bundle.js",
            swagger_css_url=f"{VENDOR}/swagger-ui.css",
            swagger_favicon_url=f"{VENDOR}/favicon-32x32.png",
            oauth2_redirect_url=None,
            # No badge that would send the API description to validator.swagger.io.
            swagger_ui_parameters={"validatorUrl": None},
        )
        html = bytes(page.body).decode()
        page.headers["Content-Security-Policy"] = _docs_policy(html)
        page.headers["X-Content-Type-Options"] = "nosniff"
        page.headers["Referrer-Policy"] = "same-origin"
        page.headers["X-Frame-Options"] = "DENY"
        return page
