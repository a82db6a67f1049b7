"""A route's dependencies solved from a plan made once, when the route is built.

FastAPI (0.165) works out, on every request and for every dependency of the route, what
each parameter is: whether it is a model, which aliases it answers to, whether it is a
sequence, whether a dependency is a generator, what its cache key is. For the lead list
that was a fifth of the CPU of the whole request, more than its SQL and its JSON. The
answers depend only on the route, so ``plan`` takes them once, and ``Plan.solve`` does
what FastAPI's ``solve_dependencies`` does with them: the same order, the same dependency
cache, the same exit stacks for dependencies with ``yield``, the same validation of each
parameter (FastAPI's own field validation, so errors read the same).

A route whose dependencies use something this does not cover (security scopes, background
tasks, websockets, form bodies, ``use_cache=False``) gets no plan and keeps FastAPI's own
handler; so does a request made while dependency overrides are set
(``app.dependency_overrides``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any, cast

from fastapi import params
from fastapi._body_limit import get_body_limit_error
from fastapi._compat import ModelField, field_annotation_is_sequence
from fastapi.concurrency import run_in_threadpool
from fastapi.dependencies.models import (
    Dependant,
    _get_cache_key,
    _is_async_gen_callable,
    _is_coroutine_callable,
    _is_gen_callable,
)
from fastapi.dependencies.utils import (
    _get_param_aliases,
    _get_param_model,
    _is_json_field,
    _request_param_model_to_args,
    _solve_generator,
    _validate_value_with_model_field,
    request_body_to_args,
)
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from pydantic_core import PydanticUndefined as Undefined
from starlette.datastructures import Headers, ImmutableMultiDict
from starlette.exceptions import HTTPException
from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY
from starlette.requests import Request
from starlette.responses import Response


@dataclass(frozen=True, slots=True)
class _Param:
    """One path, query, header or cookie parameter, with what FastAPI would work out."""

    field: ModelField
    name: str
    model: type[BaseModel] | None
    aliases: tuple[tuple[str, str], ...]
    location: str
    listed: bool  # read with ``getlist`` from a multi-dict
    sequence: bool  # an empty list counts as absent

    @classmethod
    def of(cls, field: ModelField) -> _Param:
        sequence = field_annotation_is_sequence(field.field_info.annotation)
        info = cast(params.Param, field.field_info)
        return cls(
            field=field,
            name=field.name,
            model=_get_param_model(field),
            aliases=tuple(_get_param_aliases(field)),
            location=info.in_.value,
            listed=sequence and not _is_json_field(field),
            sequence=sequence,
        )

    def read(self, received: Mapping[str, Any], values: dict[str, Any]) -> tuple[Any, list[Any]]:
        """The parameter's value from ``received``, validated, or its errors."""
        if self.model is not None:
            return _request_param_model_to_args(self.field, self.model, received)
        alias = next((key for _, key in self.aliases if key in received), self.aliases[0][1])
        if self.listed and isinstance(received, (ImmutableMultiDict, Headers)):
            value: Any = received.getlist(alias)
        else:
            value = received.get(alias, None)
        if value is None or (self.sequence and len(value) == 0):
            value = Undefined  # defaults are applied by the validation, as FastAPI does
        return _validate_value_with_model_field(
            field=self.field, value=value, values=values, loc=(self.location, alias)
        )


@dataclass(frozen=True, slots=True)
class _Node:
    """One dependency (or the endpoint itself) and what it needs."""

    dependant: Dependant
    call: Callable[..., Any]
    name: str | None
    kind: str  # "async_gen", "gen", "coroutine" or "sync"
    use_cache: bool
    cache_key: Any
    function_scope: bool
    children: tuple[_Node, ...]
    path: tuple[_Param, ...]
    query: tuple[_Param, ...]
    headers: tuple[_Param, ...]
    cookies: tuple[_Param, ...]
    request_name: str | None
    response_name: str | None


class _Unplannable(Exception):
    """The route uses something only FastAPI's own solver handles."""


def _node(dependant: Dependant) -> _Node:
    if (
        dependant.security_scopes_param_name
        or dependant.background_tasks_param_name
        or dependant.websocket_param_name
        or dependant.concurrency is not None
        or dependant.call is None
        or not dependant.use_cache  # FastAPI re-solves these even under a cached parent
    ):
        raise _Unplannable
    call = dependant.call
    if _is_async_gen_callable(call):
        kind = "async_gen"
    elif _is_gen_callable(call):
        kind = "gen"
    elif _is_coroutine_callable(call):
        kind = "coroutine"
    else:
        kind = "sync"
    return _Node(
        dependant=dependant,
        call=call,
        name=dependant.name,
        kind=kind,
        use_cache=dependant.use_cache,
        cache_key=_get_cache_key(dependant=dependant, uses_scopes_cache={}),
        function_scope=dependant.scope == "function",
        children=tuple(_node(sub) for sub in dependant.dependencies),
        path=tuple(_Param.of(f) for f in dependant.path_params),
        query=tuple(_Param.of(f) for f in dependant.query_params),
        headers=tuple(_Param.of(f) for f in dependant.header_params),
        cookies=tuple(_Param.of(f) for f in dependant.cookie_params),
        request_name=dependant.request_param_name or dependant.http_connection_param_name,
        response_name=dependant.response_param_name,
    )


@dataclass(frozen=True, slots=True)
class Plan:
    """How to solve one route's dependencies and read its JSON body."""

    root: _Node
    body_field: ModelField | None
    embed_body_fields: bool
    strict_content_type: bool
    wants_response: bool  # some dependency or the endpoint takes ``response: Response``

    async def solve(self, request: Request) -> tuple[dict[str, Any], list[Any], Any]:
        """The endpoint's arguments, the validation errors and the body read."""
        body = await self._body(request) if self.body_field is not None else Undefined
        response = None
        if self.wants_response:  # a ``response: Response`` parameter, as FastAPI makes it
            response = Response()
            del response.headers["content-length"]
            response.status_code = None  # type: ignore[assignment]
        errors: list[Any] = []
        values = await self._solve(self.root, request, body, response, {}, errors)
        return values, errors, body

    async def _solve(
        self,
        node: _Node,
        request: Request,
        body: Any,
        response: Response | None,
        cache: dict[Any, Any],
        errors: list[Any],
    ) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for child in node.children:
            if child.use_cache and child.cache_key in cache:
                solved = cache[child.cache_key]
            else:
                found: list[Any] = []
                arguments = await self._solve(child, request, body, response, cache, found)
                if found:
                    errors.extend(found)
                    continue
                solved = await _call(child, request, arguments)
                cache.setdefault(child.cache_key, solved)
            if child.name is not None:
                values[child.name] = solved
        for group, received in (
            (node.path, request.path_params),
            (node.query, request.query_params),
            (node.headers, request.headers),
            (node.cookies, request.cookies),
        ):
            for param in group:
                value, found = param.read(received, values)
                if found:
                    errors.extend(found)
                else:
                    values[param.name] = value
        if node.dependant.body_params:
            body_values, body_errors = await request_body_to_args(
                body_fields=node.dependant.body_params,
                received_body=body,
                embed_body_fields=self.embed_body_fields,
            )
            values.update(body_values)
            errors.extend(body_errors)
        if node.request_name:
            values[node.request_name] = request
        if node.response_name:
            values[node.response_name] = response
        return values

    async def _body(self, request: Request) -> Any:
        """The JSON body, read as FastAPI reads it: raw bytes when the content type is not
        JSON (the body's validation then refuses them), a 422 when it is not valid JSON."""
        try:
            raw = await request.body()
            if not raw:
                return Undefined
            media = request.headers.get("content-type")
            if not media:
                return json.loads(raw) if not self.strict_content_type else raw
            return json.loads(raw) if _is_json_media(media) else raw
        except json.JSONDecodeError as error:
            raise RequestValidationError(
                [
                    {
                        "type": "json_invalid",
                        "loc": ("body", error.pos),
                        "msg": "JSON decode error",
                        "input": {},
                        "ctx": {"error": error.msg},
                    }
                ],
                body=error.doc,
            ) from error
        except HTTPException:
            raise
        except Exception as error:
            if MAX_BODY_SIZE_SCOPE_KEY in request.scope and (limit := get_body_limit_error(error)):
                raise limit from error
            raise HTTPException(400, "There was an error parsing the body") from error


def _is_json_media(media: str) -> bool:
    """``application/json`` or ``application/<anything>+json``, as the ``email`` package
    reads a content type (FastAPI's test)."""
    kind = media.split(";", 1)[0].strip().lower()
    if kind.count("/") != 1:
        return False
    main, sub = kind.split("/")
    return main == "application" and (sub == "json" or sub.endswith("+json"))


async def _call(node: _Node, request: Request, arguments: dict[str, Any]) -> Any:
    if node.kind in ("async_gen", "gen"):
        stack = request.scope[
            "fastapi_function_astack" if node.function_scope else "fastapi_inner_astack"
        ]
        return await _solve_generator(
            dependant=node.dependant,
            stack=cast(AsyncExitStack, stack),
            sub_values=arguments,
            request=request,
        )
    if node.kind == "coroutine":
        return await node.call(**arguments)
    return await run_in_threadpool(node.call, **arguments)


def plan(
    dependant: Dependant,
    body_field: ModelField | None,
    *,
    embed_body_fields: bool,
    strict_content_type: bool,
) -> Plan | None:
    """The route's plan, or None when only FastAPI's own solver handles it."""
    if body_field is not None and isinstance(body_field.field_info, params.Form):
        return None
    try:
        root = _node(dependant)
    except _Unplannable:
        return None
    return Plan(root, body_field, embed_body_fields, strict_content_type, _takes_response(root))


def _takes_response(node: _Node) -> bool:
    return node.response_name is not None or any(_takes_response(c) for c in node.children)
