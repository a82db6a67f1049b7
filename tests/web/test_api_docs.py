"""The API docs work offline: Swagger UI from this server, nothing from a CDN."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.support import TenantWorld

EXTERNAL = re.compile(r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}""", re.IGNORECASE)


def test_docs_reference_only_this_server(http: TestClient) -> None:
    page = http.get("/docs")
    assert page.status_code == 200
    assert "SwaggerUIBundle" in page.text
    assert not EXTERNAL.search(page.text), EXTERNAL.findall(page.text)
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sorted(assets) == [
        "/static/vendor/swagger-ui/favicon-32x32.png",
        "/static/vendor/swagger-ui/swagger-ui-bundle.js",
        "/static/vendor/swagger-ui/swagger-ui.css",
    ]
    for asset in assets:
        served = http.get(asset)
        assert served.status_code == 200, asset
        assert len(served.content) > 500
    assert "validatorUrl" in page.text
    assert '"validatorUrl": null' in page.text


def test_docs_have_their_own_policy_and_pages_keep_theirs(http: TestClient) -> None:
    policy = http.get("/docs").headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert re.search(r"script-src 'self' 'sha256-[A-Za-z0-9+/=]+'", policy)
    assert "connect-src 'self'" in policy
    assert "http" not in policy
    assert "*" not in policy
    page_policy = http.get("/login").headers["content-security-policy"]
    assert "script-src 'self';" in page_policy
    assert "unsafe-inline" not in page_policy


def test_redoc_is_not_offered_and_the_schema_still_is(http: TestClient, world: TenantWorld) -> None:
    assert http.get("/redoc").status_code == 404
    schema = http.get("/openapi.json").json()
    assert "/api/v1/sales/milestones/lead" in schema["paths"]
    assert not any(path.startswith(("/leads", "/follow-ups", "/docs")) for path in schema["paths"])
