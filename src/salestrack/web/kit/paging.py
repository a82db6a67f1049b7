"""One page of a list from the link's ``cursor``, and the links to the next and first page.

A cursor in a bookmarked, shared or hand-edited link can stop fitting the list (the
selector refuses it with 422). A page does not fail for that: it shows the first page
instead, and says so where the list wants to (``stale``). Every web list reads its page
through ``list_page``, so this rule is written once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from starlette.requests import Request

from salestrack.core.errors import Unprocessable
from salestrack.web.kit.render import query_string

RowT = TypeVar("RowT")
Fetch = Callable[[str | None], tuple[list[RowT], str | None]]


@dataclass(frozen=True)
class ListPage(Generic[RowT]):
    """The rows shown, the cursor after them, and the cursor they start from (None: first)."""

    rows: list[RowT]
    next_cursor: str | None
    cursor: str | None
    stale: bool = False  # the link's cursor was refused: this is the first page instead

    def links(self, values: Mapping[str, str]) -> dict[str, str | None]:
        """``next_link`` and ``first_link`` for the list's template, keeping its filters."""
        return {
            "next_link": (
                query_string({**values, "cursor": self.next_cursor}) if self.next_cursor else None
            ),
            "first_link": (query_string(values) or "?") if self.cursor else None,
        }


def list_page(request: Request, fetch: Fetch[RowT]) -> ListPage[RowT]:
    """``fetch(cursor)`` with the request's cursor; the first page if that cursor is stale."""
    cursor = request.query_params.get("cursor") or None
    try:
        rows, next_cursor = fetch(cursor)
    except Unprocessable:
        rows, next_cursor = fetch(None)
        return ListPage(rows, next_cursor, None, stale=True)
    return ListPage(rows, next_cursor, cursor)
