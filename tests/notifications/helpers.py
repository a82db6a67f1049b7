"""Reading notifications through the API, as the bell's user would."""

from __future__ import annotations

from typing import Any

from tests.support import ApiClient

ME = "/api/v1/me/notifications"


def notes_of(api: ApiClient, **params: Any) -> list[dict[str, Any]]:
    """Every notification of ``api``'s user, newest first (all pages)."""
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        page = api.ok("GET", ME, params=query)
        found.extend(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            return found


def kinds(api: ApiClient) -> list[str]:
    return [n["kind"] for n in notes_of(api)]


def unread(api: ApiClient) -> int:
    count: int = api.ok("GET", f"{ME}/unread-count")["unread"]
    return count
