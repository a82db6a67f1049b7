"""The API's route class and router factory, and the create/get/update/delete endpoints
every record kind shares.

No ``from __future__ import annotations`` here: FastAPI must see the real schema classes
in the signatures of the closures below.
"""

import functools
import inspect
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from fastapi.datastructures import DefaultPlaceholder
from fastapi.routing import APIRoute
from pydantic import TypeAdapter

from salestrack.auth.context import Actor
from salestrack.auth.deps import require
from salestrack.auth.roles import Permission
from salestrack.core.records import RecordKind
from salestrack.http.deps import SessionDep


class HandlerThreadRoute(APIRoute):
    """A route whose sync handler also validates and serializes its answer, in its thread.

    FastAPI validates a sync handler's return value in a second trip to the thread pool.
    That trip costs twice: CPU on every request, and, for a write that returns while it
    holds row locks, a wait for a thread behind requests that wait for those very locks
    (a pool full of such waiters starves the lock holder until the statement timeout).
    Here the handler's own thread turns the answer into JSON with the route's response
    model, exactly as FastAPI would; the OpenAPI schema is unchanged.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        model = kwargs.get("response_model")
        status = kwargs.get("status_code") or 200
        if (
            model is not None
            and not isinstance(model, DefaultPlaceholder)
            and status != 204
            and not inspect.iscoroutinefunction(endpoint)
        ):
            leave_unset = bool(kwargs.get("response_model_exclude_unset"))
            endpoint = _answering_in_thread(endpoint, TypeAdapter(model), status, leave_unset)
        super().__init__(path, endpoint, **kwargs)


def _answering_in_thread(
    handler: Callable[..., Any], adapter: TypeAdapter[Any], status: int, leave_unset: bool
) -> Callable[..., Any]:
    @functools.wraps(handler)  # FastAPI reads the handler's parameters through this
    def answer(*args: Any, **kwargs: Any) -> Any:
        result = handler(*args, **kwargs)
        if isinstance(result, Response):
            return result
        value = adapter.validate_python(result, from_attributes=True)
        body = adapter.dump_json(value, by_alias=True, exclude_unset=leave_unset)
        return Response(body, status_code=status, media_type="application/json")

    return answer


def api_router(prefix: str = "", **kwargs: Any) -> APIRouter:
    """An API router whose sync handlers serialize their answers in their own thread."""
    return APIRouter(prefix=prefix, route_class=HandlerThreadRoute, **kwargs)


def add_record_routes(
    router: APIRouter,
    *,
    kind: RecordKind,
    create_schema: Any,
    update_schema: Any,
    public_schema: Any,
    read: Permission,
    write: Permission,
) -> None:
    """POST "", GET/PATCH/DELETE "/{id}" for ``kind`` on ``router``."""
    Reader = Annotated[Actor, Depends(require(read))]
    Writer = Annotated[Actor, Depends(require(write))]
    label = kind.label

    @router.post("", response_model=public_schema, status_code=201, summary=f"Create a {label}")
    def create(session: SessionDep, actor: Writer, body: create_schema) -> Any:
        return kind.create(session, actor=actor, data=body)

    @router.get("/{record_id}", response_model=public_schema, summary=f"Get a {label}")
    def get(session: SessionDep, actor: Reader, record_id: uuid.UUID) -> Any:
        return kind.get(session, actor=actor, row_id=record_id)

    @router.patch("/{record_id}", response_model=public_schema, summary=f"Update a {label}")
    def update(
        session: SessionDep, actor: Writer, record_id: uuid.UUID, body: update_schema
    ) -> Any:
        return kind.update(session, actor=actor, row_id=record_id, data=body)

    @router.delete("/{record_id}", status_code=204, summary=f"Delete a {label} (soft)")
    def delete(session: SessionDep, actor: Writer, record_id: uuid.UUID) -> Response:
        kind.delete(session, actor=actor, row_id=record_id)
        return Response(status_code=204)
