"""One page of a list from the link's ``cursor``, and the links to the next and first page.

A cursor in a bookmarked, shared or hand-edited link can stop fitting the list (the
selector refuses it with 422). A page does not fail for that: it shows the first page
instead, and says so where the list wants to (``stale``). Every web list reads its page
through ``list_page``, so this rule is written once.

The filtered lists (leads, customers, campaigns, sources, bookings) also share how their
filters are read (``ListFilters``), how a tenant's page is fetched (``filtered_page``) and
what their templates are given about filters and paging (``ListPage.filter_context``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy.orm import Session
from starlette.requests import Request

from salestrack.core.errors import Unprocessable
from salestrack.core.schema_base import printable
from salestrack.web.kit.render import query_string

RowT = TypeVar("RowT")
FiltersT = TypeVar("FiltersT")
FiltersT_contra = TypeVar("FiltersT_contra", contravariant=True)
Fetch = Callable[[str | None], tuple[list[RowT], str | None]]
PAGE_SIZE = 25
IGNORED = "Not a valid choice; ignored."
STALE = "That page link is out of date; showing the first page."


class PageSelector(Protocol[FiltersT_contra, RowT]):
    """A domain selector for one page of a tenant's filtered list (``leads.selectors``...)."""

    def __call__(
        self,
        session: Session,
        *,
        tenant_id: uuid.UUID,
        filters: FiltersT_contra,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[RowT], str | None]: ...


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

    def filter_context(
        self, values: Mapping[str, str], errors: Mapping[str, str]
    ) -> dict[str, Any]:
        """A filtered list's template context: the filters as typed, the ones ignored and
        why (and ``cursor`` when the link's cursor was refused), whether any is set
        (``filtered``), and the paging links keeping them."""
        return {
            "values": values,
            "errors": {**errors, "cursor": STALE} if self.stale else errors,
            "filtered": any(values.values()),
            **self.links(values),
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


@dataclass(frozen=True)
class ListFilters(Generic[FiltersT]):
    """A list's query-string filters: each name (in link order) with how its text is read,
    and ``build``, the selector's filters made from the ones that were read."""

    build: Callable[..., FiltersT]
    parsers: Mapping[str, Callable[[str], Any]]

    def read(self, params: Mapping[str, str]) -> tuple[FiltersT, dict[str, str], dict[str, str]]:
        """The filters as the selector takes them, as typed, and the ones ignored.

        A filter left empty is not read; one its parser refuses (``ValueError``) is left
        out and reported beside its field, so a bad link still shows the list.
        """
        values = {name: params.get(name, "").strip() for name in self.parsers}
        parsed: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for name, text in values.items():
            if text:
                try:
                    parsed[name] = self.parsers[name](text)
                except ValueError:
                    errors[name] = IGNORED
        return self.build(**parsed), values, errors


def search_text(text: str) -> str:
    """A free-text filter as the selectors take it (at most 200 characters); one with a
    control character is refused (``ValueError``: the filter is ignored), like the API's."""
    return printable(text[:200])


def filtered_page(
    request: Request,
    session: Session,
    tenant_id: uuid.UUID,
    selector: PageSelector[FiltersT, RowT],
    filters: FiltersT,
) -> ListPage[RowT]:
    """The request's page (``PAGE_SIZE`` rows) of the tenant's list under ``filters``."""
    return list_page(
        request,
        lambda cursor: selector(
            session, tenant_id=tenant_id, filters=filters, limit=PAGE_SIZE, cursor=cursor
        ),
    )
