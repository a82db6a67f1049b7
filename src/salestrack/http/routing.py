"""The API's route class and router factory."""

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Response
from fastapi.datastructures import DefaultPlaceholder
from fastapi.routing import APIRoute
from pydantic import TypeAdapter

from salestrack.http.deps import end_in_handler_thread


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
        if not isinstance(result, Response):
            value = adapter.validate_python(result, from_attributes=True)
            body = adapter.dump_json(value, by_alias=True, exclude_unset=leave_unset)
            result = Response(body, status_code=status, media_type="application/json")
        end_in_handler_thread(kwargs.values(), result)  # commit here: no second thread trip
        return result

    return answer


def api_router(prefix: str = "", **kwargs: Any) -> APIRouter:
    """An API router whose sync handlers serialize their answers in their own thread."""
    return APIRouter(prefix=prefix, route_class=HandlerThreadRoute, **kwargs)
