"""The API's route class and router factory."""

import functools
import inspect
import typing
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import anyio
from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.datastructures import DefaultPlaceholder
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute, _effective_route_context_var, iter_route_contexts
from fastapi.telemetry._api import get_telemetry_data
from pydantic import TypeAdapter
from pydantic_core import PydanticUndefined as Undefined
from sqlalchemy.orm import Session
from starlette.routing import Match
from starlette.types import Receive, Scope, Send

from salestrack.http import solving
from salestrack.http.deps import ON_LOOP, end_in_handler_thread, run_db

IN_THREAD = "__salestrack_in_thread__"
HandlerT = TypeVar("HandlerT", bound=Callable[..., Any])


def in_thread(handler: HandlerT) -> HandlerT:
    """Run this sync handler in a thread on every database, never on the event loop.

    For handlers that spend long stretches of CPU outside the interpreter (hashing a
    password takes tens of milliseconds and releases the GIL): in a thread they leave the
    event loop free for every other request of the worker.
    """
    setattr(handler, IN_THREAD, True)
    return handler


class HandlerThreadRoute(APIRoute):
    """A route whose sync handler runs with its session's unit of work, answer included.

    On PostgreSQL the handler's request gets a session on the async driver, and the
    handler (its queries, the JSON answer and the commit) runs in a greenlet on the event
    loop: no trip to a thread pool, and a handler waiting for a row lock holds no thread.
    On SQLite, or for a handler marked ``in_thread``, it runs in a thread as FastAPI would.

    Either way the handler's own run turns the answer into JSON with the route's response
    model, exactly as FastAPI would (the OpenAPI schema is unchanged), and commits: FastAPI
    would validate the answer in a second trip, and a write that returns while it holds row
    locks would wait for that trip behind requests waiting for those very locks.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        path = _typed_ids(path, endpoint)
        self.on_loop = not getattr(endpoint, IN_THREAD, False)
        self.answers_with_response = False  # the wrapped handler always returns a Response
        if not inspect.iscoroutinefunction(endpoint):
            model = kwargs.get("response_model")
            status = kwargs.get("status_code") or 200
            adapter = None
            if model is not None and not isinstance(model, DefaultPlaceholder) and status != 204:
                adapter = TypeAdapter(model)
            leave_unset = bool(kwargs.get("response_model_exclude_unset"))
            endpoint = _run_with_unit_of_work(endpoint, adapter, status, leave_unset)
            self.answers_with_response = adapter is not None
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.answers_with_response:
            handler = self._planned(handler)
        if not self.on_loop:
            return handler

        async def on_loop(request: Request) -> Response:
            request.scope[ON_LOOP] = True  # get_session: a session on the async driver
            return await handler(request)

        return on_loop

    def _planned(
        self, fallback: Callable[[Request], Coroutine[Any, Any, Response]]
    ) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """A handler that solves the dependencies from a plan made now (``http.solving``),
        or ``fallback`` (FastAPI's) when the route has no plan.

        FastAPI builds the handler of an included route with that inclusion's view of the
        route (its context variable); the plan is made from the same view.
        """
        context = _effective_route_context_var.get()
        route: Any = context if context is not None and context.original_route is self else self
        strict = route.strict_content_type
        planned = solving.plan(
            route.dependant,
            route.body_field,
            embed_body_fields=route._embed_body_fields,
            strict_content_type=strict.value if isinstance(strict, DefaultPlaceholder) else strict,
        )
        if planned is None:
            return fallback
        endpoint = route.dependant.call
        overrides = route.dependency_overrides_provider

        async def run_planned(request: Request) -> Response:
            if get_telemetry_data() is not None or getattr(overrides, "dependency_overrides", None):
                return await fallback(request)
            values, errors, body = await planned.solve(request)
            if errors:
                raise RequestValidationError(errors, body=None if body is Undefined else body)
            answer = await endpoint(**values)
            if not isinstance(answer, Response):  # the unit-of-work wrapper always answers
                raise TypeError(f"{self.path} answered {type(answer).__name__}, not a Response")
            return answer

        return run_planned

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A method this route lacks is a 405 whose ``Allow`` names every method of the path.

        Each method of a path is its own route, and the router hands a request with none
        of them to the first route of the path, whose own 405 would list only its own
        methods (``Allow: GET`` on a path that also takes PATCH and DELETE). RFC 9110
        wants the whole list, so it is gathered from all the app's routes here.
        """
        if scope["type"] == "http" and scope["method"] not in (self.methods or ()):
            allowed = path_methods(scope)
            if scope["method"] not in allowed:
                raise HTTPException(405, headers={"Allow": ", ".join(sorted(allowed))})
        await super().handle(scope, receive, send)


def _typed_ids(path: str, endpoint: Callable[..., Any]) -> str:
    """``{lead_id}`` becomes ``{lead_id:uuid}`` when the handler takes a UUID there.

    Only a UUID then matches the segment, so ``PATCH /milestones/lead`` is not read as an
    attempt on a milestone called "lead" (a 422) but as what it is: a method that
    ``/milestones/lead`` does not have (a 405). The document's paths stay the same.
    """
    try:
        hints = typing.get_type_hints(endpoint)
    except (NameError, TypeError):
        return path
    for name, hint in hints.items():
        if hint is uuid.UUID:
            path = path.replace("{" + name + "}", "{" + name + ":uuid}")
    return path


def route_path(scope: Scope) -> str:
    """The request's path below the app's root path, as routes match it."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def path_methods(scope: Scope) -> set[str]:
    """Every method some route of the app serves at the request's path."""
    path = route_path(scope)
    methods: set[str] = set()
    for context in iter_route_contexts(scope["app"].router.routes):
        regex = getattr(context, "path_regex", None)
        if regex is not None and context.methods and regex.match(path):
            methods |= context.methods
    return methods


def _run_with_unit_of_work(
    handler: Callable[..., Any],
    adapter: TypeAdapter[Any] | None,
    status: int,
    leave_unset: bool,
) -> Callable[..., Awaitable[Any]]:
    def answer(*args: Any, **kwargs: Any) -> Any:
        result = handler(*args, **kwargs)
        if adapter is not None and not isinstance(result, Response):
            value = adapter.validate_python(result, from_attributes=True)
            body = adapter.dump_json(value, by_alias=True, exclude_unset=leave_unset)
            # A handler that took ``response: Response`` may have set another status.
            chosen = next(
                (
                    v.status_code
                    for v in kwargs.values()
                    if isinstance(v, Response) and v.status_code
                ),
                status,
            )
            result = Response(body, status_code=chosen, media_type="application/json")
        if isinstance(result, Response):
            end_in_handler_thread(kwargs.values(), result)  # commit here: no second trip
        return result

    @functools.wraps(handler)  # FastAPI reads the handler's parameters through this
    async def run(*args: Any, **kwargs: Any) -> Any:
        session = next((v for v in kwargs.values() if isinstance(v, Session)), None)
        if session is None:
            return await anyio.to_thread.run_sync(functools.partial(answer, *args, **kwargs))
        return await run_db(session, answer, *args, **kwargs)

    return run


def query_model(cls: type[Any]) -> Any:
    """``Depends`` on a dataclass of query parameters, built on the event loop (FastAPI
    would construct a class dependency in a thread)."""

    async def build(**values: Any) -> Any:
        return cls(**values)

    build.__signature__ = inspect.signature(cls, eval_str=True)  # type: ignore[attr-defined]
    return Depends(build)


class PrefixedRouter(APIRouter):
    """A router that turns away, at once, a request outside the literal path prefixes of
    its routes.

    FastAPI tries an app's routers in order and each router its routes, one regular
    expression at a time, on every request: with some sixty routers, reaching one of the
    last cost a request about a third of a millisecond of CPU (more than the lead list's
    SQL takes the database). The prefixes are each route's path up to its first
    parameter; a request that starts with one of them is matched exactly as before.
    Routers of this class are included without a prefix of their own (``create_app``).
    """

    _prefixes: tuple[str, ...] = ()
    _prefixes_of = -1  # how many routes the prefixes were taken from

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and not route_path(scope).startswith(self._path_prefixes()):
            return Match.NONE, {}
        return super().matches(scope)

    def _path_prefixes(self) -> tuple[str, ...]:
        if self._prefixes_of != len(self.routes):
            paths = (getattr(route, "path", "") for route in self.routes)
            self._prefixes = tuple({path.split("{", 1)[0] for path in paths})
            self._prefixes_of = len(self.routes)
        return self._prefixes


def api_router(prefix: str = "", **kwargs: Any) -> APIRouter:
    """An API router whose sync handlers run with their unit of work (see the route), and
    which turns away other paths at once (see ``PrefixedRouter``)."""
    return PrefixedRouter(prefix=prefix, route_class=HandlerThreadRoute, **kwargs)
