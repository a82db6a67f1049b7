"""A browser-like test client: cookies, the CSRF token of the last page, form posts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import httpx2 as httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support import PASSWORD, TenantWorld

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class WebClient:
    """One browser: its own cookie jar; remembers the CSRF token of the last page seen."""

    http: TestClient
    csrf: str = ""
    last: httpx.Response | None = field(default=None, repr=False)

    def _seen(self, response: httpx.Response) -> httpx.Response:
        found = CSRF.search(response.text)
        if found:
            self.csrf = found.group(1)
        self.last = response
        return response

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self._seen(self.http.get(url, **kwargs))

    def post(
        self, url: str, data: dict[str, str] | None = None, *, csrf: str | None = None, **kw: Any
    ) -> httpx.Response:
        """Post a form with the page's CSRF token (or the one given; "" sends none)."""
        body = dict(data or {})
        token = self.csrf if csrf is None else csrf
        if token:
            body["csrf_token"] = token
        return self._seen(self.http.post(url, data=body, **kw))

    def login(self, tenant: str, email: str, password: str = PASSWORD) -> httpx.Response:
        self.get("/login")
        return self.post("/login", {"tenant": tenant, "email": email, "password": password})


def browser(app: FastAPI, base_url: str = "http://testserver") -> WebClient:
    return WebClient(TestClient(app, base_url=base_url, raise_server_exceptions=False))


def logged_in(app: FastAPI, world: TenantWorld, role: str = "admin") -> WebClient:
    client = browser(app)
    user = getattr(world, role)
    response = client.login(world.slug, user.email)
    assert response.status_code == 200, response.text
    return client


def text_of(response: httpx.Response) -> str:
    """The page's visible-ish text: tags removed, whitespace collapsed."""
    without_tags = re.sub(r"<[^>]+>", " ", response.text)
    return re.sub(r"\s+", " ", without_tags).strip()
