"""The create/get/update/delete endpoints every record kind shares (customers, campaigns,
lead sources; leads add their own list and rules).

No ``from __future__ import annotations`` here: FastAPI must see the real schema classes
in the signatures of the closures below.
"""

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response

from salestrack.auth.context import Actor
from salestrack.auth.deps import require
from salestrack.auth.roles import Permission
from salestrack.core.records import RecordKind
from salestrack.http.deps import SessionDep


def add_record_routes(
    router: APIRouter,
    *,
    kind: RecordKind,
    create_schema: Any,
    update_schema: Any,
    public_schema: Any,
    read: Permission,
    write: Permission,
    arrive: Callable[..., tuple[Any, bool]] | None = None,
) -> None:
    """POST "", GET/PATCH/DELETE "/{id}" for ``kind`` on ``router``.

    ``arrive`` (leads) creates through a rule that may answer with an existing record
    instead (``(record, False)``): that answer is 200, a new record 201.
    """
    Reader = Annotated[Actor, Depends(require(read))]
    Writer = Annotated[Actor, Depends(require(write))]
    label = kind.label

    taken: dict[int | str, dict[str, Any]] = {
        200: {"model": public_schema, "description": "An open record took it instead"}
    }

    @router.post(
        "",
        response_model=public_schema,
        status_code=201,
        summary=f"Create a {label}",
        responses=taken if arrive is not None else None,
    )
    def create(session: SessionDep, actor: Writer, body: create_schema, response: Response) -> Any:
        if arrive is None:
            return kind.create(session, actor=actor, data=body)
        row, created = arrive(session, actor=actor, data=body)
        if not created:
            response.status_code = 200
        return row

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
