"""HTTP routes of payment plans, construction stages and billing documents (thin: the
services decide).

Roles as for bookings and the ledger: plans, demands and documents are money (managers and
admins write, viewers read, sales reps get 403). Construction stages carry no amount:
everyone who reads the journey reads them, only managers and admins mark one reached.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends, Query
from starlette.responses import Response

from salestrack.auth import clock
from salestrack.auth.context import Actor
from salestrack.auth.deps import require
from salestrack.auth.roles import Permission
from salestrack.billing import demands, issue, pdfs, plans, stages, statement, views
from salestrack.billing import settings as billing_settings
from salestrack.billing.models import (
    BillingDocument,
    ConstructionStage,
    DocumentKind,
    PaymentPlan,
)
from salestrack.billing.schemas import (
    BillingSettingsIn,
    BillingSettingsPublic,
    DemandRaise,
    DocumentPublic,
    InterestRaise,
    PlanIn,
    PlanPublic,
    StageCreate,
    StagePublic,
    StageReach,
    Statement,
)
from salestrack.core.pagination import CursorParam, LimitParam, Page, paginate
from salestrack.core.schema_base import Day, Name
from salestrack.http.deps import SessionDep
from salestrack.http.routing import api_router, in_thread
from salestrack.money import bookings
from salestrack.money.models import Booking

router = api_router(prefix="/api/v1/sales", tags=["billing"])
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "the document as a PDF"}
}


def _pdf(content: bytes, name: str) -> Response:
    filename = name.replace("/", "-")
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}.pdf"'},
    )


Reader = Annotated[Actor, Depends(require(Permission.money_read))]
Writer = Annotated[Actor, Depends(require(Permission.money_write))]
Admin = Annotated[Actor, Depends(require(Permission.users_manage))]
StageReader = Annotated[Actor, Depends(require(Permission.journey_read))]


# --- settings ----------------------------------------------------------------------


@router.get("/billing-settings", response_model=BillingSettingsPublic)
def get_billing_settings(session: SessionDep, actor: Reader) -> Any:
    """The late-payment interest rate (percent a year) and the days a demand gives to pay."""
    return billing_settings.get_settings(session, actor.tenant_id)


@router.put("/billing-settings", response_model=BillingSettingsPublic)
def put_billing_settings(session: SessionDep, actor: Admin, body: BillingSettingsIn) -> Any:
    """Replace the billing settings (admins); issued documents keep their figures."""
    return billing_settings.put_settings(session, actor=actor, data=body)


# --- construction stages -----------------------------------------------------------


@router.post("/construction-stages", response_model=StagePublic, status_code=201)
def create_stage(session: SessionDep, actor: Writer, body: StageCreate) -> Any:
    """Add a stage to a project (422 for a project without inventory, 409 for a name
    the project already has)."""
    return stages.create_stage(session, actor=actor, data=body)


@router.get("/construction-stages", response_model=Page[StagePublic])
def list_stages(
    session: SessionDep,
    actor: StageReader,
    project: Annotated[Name | None, Query()] = None,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Any:
    """The tenant's stages (of one project), newest first, with the day each was reached."""
    stmt = stages.stages_of(actor.tenant_id, project).order_by(None)
    rows, next_cursor = paginate(session, stmt, ConstructionStage, limit=limit, cursor=cursor)
    return {"items": rows, "next_cursor": next_cursor}


@router.post("/construction-stages/{stage_id}/reach", response_model=StagePublic)
def reach_stage(
    session: SessionDep, actor: Writer, stage_id: uuid.UUID, body: StageReach | None = None
) -> Any:
    """Mark the stage reached (managers and admins; 409 if it already was): instalments
    linked to it fall due and can be demanded."""
    on = body.reached_on if body else None
    return stages.mark_reached(session, actor=actor, stage_id=stage_id, on=on)


# --- payment plans -----------------------------------------------------------------


def _shown(session: SessionDep, actor: Actor, booking: Booking, plan: PaymentPlan) -> Any:
    today = clock.tenant_today(session, actor.tenant_id)
    return plans.plan_view(session, actor=actor, booking=booking, plan=plan, today=today)


@router.post("/bookings/{booking_id}/payment-plan", response_model=PlanPublic, status_code=201)
def create_plan(session: SessionDep, actor: Writer, booking_id: uuid.UUID, body: PlanIn) -> Any:
    """Give a confirmed booking its plan: instalments by percentage of the booking amount or
    by amount, due on a date or a construction stage, adding up to the booking amount
    (422). The booking's lump-sum invoice is reversed: its demands invoice it instead."""
    plan = plans.create_plan(session, actor=actor, booking_id=booking_id, data=body)
    booking = bookings.get_booking(session, actor=actor, booking_id=booking_id)
    return _shown(session, actor, booking, plan)


@router.get("/bookings/{booking_id}/payment-plan", response_model=PlanPublic)
def get_booking_plan(session: SessionDep, actor: Reader, booking_id: uuid.UUID) -> Any:
    """The booking's plan (404 if it has none), as ``GET /payment-plans/{plan_id}``."""
    booking, plan = plans.plan_of(session, actor=actor, booking_id=booking_id)
    return _shown(session, actor, booking, plan)


@router.get("/payment-plans/{plan_id}", response_model=PlanPublic)
def get_plan(session: SessionDep, actor: Reader, plan_id: uuid.UUID) -> Any:
    """The plan with each instalment's state (upcoming, due, demanded, part_paid, paid,
    overdue), its demand and the payments allocated to it (oldest demand first)."""
    plan = plans.get_plan(session, actor=actor, plan_id=plan_id)
    booking = bookings.get_booking(session, actor=actor, booking_id=plan.booking_id)
    return _shown(session, actor, booking, plan)


@router.put("/payment-plans/{plan_id}", response_model=PlanPublic)
def replace_plan(session: SessionDep, actor: Writer, plan_id: uuid.UUID, body: PlanIn) -> Any:
    """Replace the instalments (409 once a demand was raised on the plan)."""
    plan = plans.replace_plan(session, actor=actor, plan_id=plan_id, data=body)
    booking = bookings.get_booking(session, actor=actor, booking_id=plan.booking_id)
    return _shown(session, actor, booking, plan)


@router.post("/payment-plans/{plan_id}/withdraw", status_code=204)
def withdraw_plan(session: SessionDep, actor: Writer, plan_id: uuid.UUID) -> Response:
    """Withdraw a plan no demand was raised on (409 once one was): the plan is removed and
    the booking is invoiced as a lump sum again."""
    plans.withdraw_plan(session, actor=actor, plan_id=plan_id)
    return Response(status_code=204)


@router.post("/instalments/{instalment_id}/demand", response_model=DocumentPublic, status_code=201)
def raise_demand(
    session: SessionDep, actor: Writer, instalment_id: uuid.UUID, body: DemandRaise | None = None
) -> Any:
    """Raise a due instalment's demand: its invoice on the customer's ledger, numbered
    INV/<financial year>/<n>, mailed by the worker. 409 if not due or already demanded."""
    row = demands.raise_demand(
        session, actor=actor, instalment_id=instalment_id, data=body or DemandRaise()
    )
    return views.document_view(row)


@router.post(
    "/billing-documents/{document_id}/interest", response_model=DocumentPublic, status_code=201
)
def raise_interest(
    session: SessionDep,
    actor: Writer,
    document_id: uuid.UUID,
    body: InterestRaise | None = None,
) -> Any:
    """A debit note (DN) for interest on a demand paid late: simple interest per day at
    the tenant's rate on the unpaid part, rounded half up to the paisa per note."""
    row = demands.raise_interest(
        session, actor=actor, demand_id=document_id, data=body or InterestRaise()
    )
    return views.document_view(row)


# --- documents ---------------------------------------------------------------------


@router.get("/billing-documents", response_model=Page[DocumentPublic])
def list_documents(
    session: SessionDep,
    actor: Reader,
    customer_id: uuid.UUID | None = None,
    booking_id: uuid.UUID | None = None,
    kind: DocumentKind | None = None,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Any:
    """Demands, debit notes, receipts and credit notes, newest first, by customer,
    booking and kind."""
    stmt = issue.documents_of(
        actor.tenant_id, customer_id=customer_id, booking_id=booking_id, kind=kind
    )
    rows, next_cursor = paginate(session, stmt, BillingDocument, limit=limit, cursor=cursor)
    return {"items": [views.document_view(r) for r in rows], "next_cursor": next_cursor}


@router.get("/billing-documents/{document_id}", response_model=DocumentPublic)
def get_document(session: SessionDep, actor: Reader, document_id: uuid.UUID) -> Any:
    """One document with its amount in words."""
    return views.document_view(issue.get_document(session, actor=actor, document_id=document_id))


@router.get("/customers/{customer_id}/statement", response_model=Statement)
def customer_statement(
    session: SessionDep,
    actor: Reader,
    customer_id: uuid.UUID,
    date_from: Day | None = None,
    date_to: Day | None = None,
) -> Any:
    """The statement of account: entries between the days with their document numbers,
    the opening and closing balances."""
    return statement.statement(
        session, actor=actor, customer_id=customer_id, date_from=date_from, date_to=date_to
    )


@router.get("/billing-documents/{document_id}/pdf", response_class=Response, responses=PDF)
@in_thread
def document_pdf(session: SessionDep, actor: Reader, document_id: uuid.UUID) -> Response:
    """The demand letter, receipt, credit note or debit note on the tenant's letterhead."""
    row = issue.get_document(session, actor=actor, document_id=document_id)
    return _pdf(pdfs.document_pdf(session, row=row), row.number)


@router.get("/customers/{customer_id}/statement/pdf", response_class=Response, responses=PDF)
@in_thread
def customer_statement_pdf(
    session: SessionDep,
    actor: Reader,
    customer_id: uuid.UUID,
    date_from: Day | None = None,
    date_to: Day | None = None,
) -> Response:
    """The statement of account as a PDF."""
    shown = statement.statement(
        session, actor=actor, customer_id=customer_id, date_from=date_from, date_to=date_to
    )
    today = clock.tenant_today(session, actor.tenant_id)
    content = pdfs.statement_pdf(session, tenant_id=actor.tenant_id, shown=shown, today=today)
    return _pdf(content, f"statement-{customer_id}")
