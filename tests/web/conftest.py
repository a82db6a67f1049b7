"""Fixtures for page tests: a logged-in browser-like client per role of ``world``."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from tests.support import TenantWorld
from tests.web.support import WebClient, logged_in


@pytest.fixture
def admin_web(app: FastAPI, world: TenantWorld) -> WebClient:
    return logged_in(app, world, "admin")


@pytest.fixture
def rep_web(app: FastAPI, world: TenantWorld) -> WebClient:
    return logged_in(app, world, "rep")


@pytest.fixture
def viewer_web(app: FastAPI, world: TenantWorld) -> WebClient:
    return logged_in(app, world, "viewer")
