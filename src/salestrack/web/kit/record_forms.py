"""Pages for a record kind (campaigns, sources): the filtered list, and one form with two
routes each for create and edit.

The form posts go to the kind's ``RecordKind`` service, the same one behind the API's
POST and PATCH, so codes, references and validation rules are the API's rules.

No ``from __future__ import annotations`` here: FastAPI must see the real ``Writer`` type
in the signatures of the closures below.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from salestrack.auth.roles import Permission
from salestrack.core.records import RecordKind
from salestrack.core.schema_base import InputModel, UpdateModel
from salestrack.http.deps import SessionDep
from salestrack.web.kit.choices import load_choices, page_id
from salestrack.web.kit.deps import FormDep, WebUser, user_with
from salestrack.web.kit.forms import submit_form
from salestrack.web.kit.paging import ListFilters, PageSelector, filtered_page
from salestrack.web.kit.render import redirect, render

FiltersT = TypeVar("FiltersT")


@dataclass(frozen=True)
class RecordForms:
    kind: RecordKind
    create_schema: type[InputModel]
    update_schema: type[UpdateModel]
    create_blanks: Mapping[str, Any]
    update_blanks: Mapping[str, Any]
    template: str
    list_template: str
    list_url: str
    write: Permission
    initial: Mapping[str, str] = field(default_factory=dict)
    amounts: frozenset[str] = frozenset()
    # Extra template context (pick-lists) for the form.
    pick_lists: Callable[[Session, WebUser], dict[str, Any]] = lambda _s, _u: {}


def _as_text(value: Any, name: str, forms: RecordForms, user: WebUser) -> str:
    if value is None:
        return ""
    if name in forms.amounts:
        return user.fmt.number(value)
    return str(getattr(value, "value", value))


def _form_page(
    request: Request,
    session: Session,
    user: WebUser,
    forms: RecordForms,
    values: Mapping[str, str],
    errors: Mapping[str, str] | None = None,
    row: Any = None,
) -> Response:
    context = {
        "row": row,
        "values": values,
        "errors": errors or {},
        "choices": load_choices(session, tenant_id=user.actor.tenant_id),
        **forms.pick_lists(session, user),
    }
    return render(request, forms.template, context, status=422 if errors else 200)


def list_records(
    request: Request,
    session: Session,
    user: WebUser,
    forms: RecordForms,
    selector: PageSelector[FiltersT, Any],
    filters: ListFilters[FiltersT],
) -> Response:
    """The kind's list page: the request's page of rows under the query string's
    ``filters``, the pick-lists, and what was just done."""
    chosen, values, errors = filters.read(request.query_params)
    page = filtered_page(request, session, user.actor.tenant_id, selector, chosen)
    context = {
        "rows": page.rows,
        **page.filter_context(values, errors),
        "choices": load_choices(session, tenant_id=user.actor.tenant_id),
        "done": request.query_params.get("done"),
        **forms.pick_lists(session, user),
    }
    return render(request, forms.list_template, context)


def add_form_routes(router: APIRouter, forms: RecordForms) -> None:
    """GET/POST ``/new`` and ``/{id}/edit`` on ``router`` for ``forms.kind``."""
    _add_create_routes(router, forms)
    _add_edit_routes(router, forms)


def _add_create_routes(router: APIRouter, forms: RecordForms) -> None:
    Writer = Annotated[WebUser, user_with(forms.write)]

    @router.get("/new")
    def new(request: Request, session: SessionDep, user: Writer) -> Response:
        return _form_page(request, session, user, forms, dict(forms.initial))

    @router.post("/new")
    def create(request: Request, session: SessionDep, user: Writer, form: FormDep) -> Response:
        result, row = submit_form(
            session,
            forms.create_schema,
            form,
            lambda data: forms.kind.create(session, actor=user.actor, data=data),
            blanks=forms.create_blanks,
            fmt=user.fmt,
            amounts=forms.amounts,
        )
        if row is None:
            return _form_page(request, session, user, forms, result.values, result.errors)
        return redirect(request, f"{forms.list_url}?done=created")


def _add_edit_routes(router: APIRouter, forms: RecordForms) -> None:
    Writer = Annotated[WebUser, user_with(forms.write)]

    @router.get("/{row_id}/edit")
    def edit(request: Request, session: SessionDep, user: Writer, row_id: str) -> Response:
        row = forms.kind.get(session, actor=user.actor, row_id=page_id(row_id))
        values = {n: _as_text(getattr(row, n), n, forms, user) for n in forms.update_blanks}
        return _form_page(request, session, user, forms, values, row=row)

    @router.post("/{row_id}/edit")
    def update(
        request: Request, session: SessionDep, user: Writer, row_id: str, form: FormDep
    ) -> Response:
        row = forms.kind.get(session, actor=user.actor, row_id=page_id(row_id))
        result, saved = submit_form(
            session,
            forms.update_schema,
            form,
            lambda data: forms.kind.update(session, actor=user.actor, row_id=row.id, data=data),
            blanks=forms.update_blanks,
            fmt=user.fmt,
            amounts=forms.amounts,
        )
        if saved is None:
            return _form_page(request, session, user, forms, result.values, result.errors, row)
        return redirect(request, f"{forms.list_url}?done=updated")
