"""The real app under uvicorn on a free loopback port, driven by Debian's chromium.

One browser per test session (per xdist worker), a fresh context per test. On CI
(CI=true) a browser that cannot start fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest
import uvicorn

from salestrack.app import create_app
from salestrack.core.config import Settings
from salestrack.core.db import make_engine

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = os.environ.get("SALESTRACK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"


def _unavailable(reason: str) -> NoReturn:
    message = f"browser tests cannot run: {reason} (run scripts/install-browser.sh)"
    if ON_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def live_url(settings: Settings) -> Iterator[str]:
    """The app served by uvicorn in a background thread, as ``salestrack serve`` serves it:
    an app of its own (own engine, own live floor) whose lifespan the server runs, on the
    same database as ``app`` (the tests' API client writes what the pages show)."""
    engine = make_engine(settings.database_url, pool_size=10)
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings, engine=engine),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws="none",
        http="h11",
        loop="asyncio",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the app did not start under uvicorn", pytrace=False)
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Headless Debian chromium, launched once per session."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as exc:
        _unavailable(f"playwright is not installed ({exc})")
    if not Path(CHROMIUM).exists():
        _unavailable(f"no chromium at {CHROMIUM}")
    manager = sync_playwright().start()
    try:
        browser = manager.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, timeout=30_000
        )
    except Error as exc:
        manager.stop()
        _unavailable(f"chromium did not start ({exc})")
    yield browser
    browser.close()
    manager.stop()


@pytest.fixture
def tab(chromium: Browser, live_url: str) -> Iterator[Page]:
    """A fresh browser context (own cookies) opened on the live app."""
    context = chromium.new_context(base_url=live_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: Page, name: str, *, full_page: bool = True) -> None:
    """Keep a picture of the page for CI's artifacts (artifacts/screenshots/<name>.png)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)
