"""The customer ledger on ``/customers/{id}``: entries with running balances, the summary,
posting an entry and reversing one.

It is a section of the customer page (``install_web`` lists ``ledger_section`` among the
customer page's sections), shown only to roles with ``money:read``; the forms need
``money:write``. The server computes every balance (``money.ledger.post``); the form only
says what happened and how much.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response

from salestrack.auth.roles import Permission
from salestrack.core.errors import NotFound
from salestrack.http.deps import SessionDep
from salestrack.leads import service
from salestrack.leads.models import Customer
from salestrack.money import ledger, selectors, summary
from salestrack.money.models import EntryStatus, TransactionType
from salestrack.money.schemas import DEBIT_TYPES, LedgerEntryCreate, ReversalCreate
from salestrack.web.kit.choices import page_id
from salestrack.web.kit.deps import FormDep, WebUser, user_with
from salestrack.web.kit.forms import FORM, Blank, FormResult, submit, submit_form
from salestrack.web.kit.render import redirect
from salestrack.web.leads import customers
from salestrack.web.leads.customers import CustomerSection

router = APIRouter(prefix="/customers", include_in_schema=False)
Writer = Annotated[WebUser, user_with(Permission.money_write)]
MAX_ENTRIES = 500
# The entry form's fields; a booking reference the service refuses lands on booking_id.
ENTRY_FIELDS = (
    "transaction_type",
    "amount",
    "direction",
    "transaction_date",
    "booking_id",
    "description",
)
DIRECTIONS = [("debit", "Debit (the customer owes more)"), ("credit", "Credit (owes less)")]
REVERSE_BLANKS: dict[str, Any] = {"transaction_date": Blank.OMIT, "description": Blank.OMIT}


def ledger_section(session: Session, user: WebUser, customer: Customer) -> CustomerSection | None:
    """The ledger block, or None for a role that may not see money."""
    if not user.can(Permission.money_read):
        return None
    entries, more = ledger.entries_page(
        session, actor=user.actor, customer_id=customer.id, limit=MAX_ENTRIES, cursor=None
    )
    booked = selectors.customer_bookings(
        session, tenant_id=customer.tenant_id, customer_id=customer.id
    )
    return CustomerSection(
        "Ledger",
        "customers/_ledger.html",
        {
            "entries": entries,
            "more": more is not None,
            "summary": summary.customer_summary(session, actor=user.actor, customer_id=customer.id),
            "balance": ledger.current_balance(
                session, tenant_id=customer.tenant_id, customer_id=customer.id
            ),
            "bookings": booked,
            "booking_codes": {str(b.id): b.booking_code for b in booked},
            "types": list(TransactionType),
            "directions": DIRECTIONS,
            "today": user.fmt.today().isoformat(),
            "can_write": user.can(Permission.money_write),
            "active": EntryStatus.active.value,
        },
    )


def _entry_form(raw: dict[str, str], user: WebUser, customer: Customer) -> FormResult[Any]:
    """Type, amount and (for adjustments) direction become debit or credit, as the API takes."""
    values = {name: raw.get(name, "").strip() for name in ENTRY_FIELDS}
    errors: dict[str, str] = {}
    data: dict[str, Any] = {"customer_id": customer.id, "description": values["description"]}
    kind = values["transaction_type"]
    if kind not in TransactionType.__members__.values():
        errors["transaction_type"] = "Choose what kind of entry this is."
    amount: Decimal | None = None
    if not values["amount"]:
        errors["amount"] = "This field is required."
    else:
        try:
            amount = user.fmt.parse_amount(values["amount"])
        except ValueError:
            errors["amount"] = "Enter an amount, for example 5,00,000 or 1250.50."
    side = "debit" if kind in {t.value for t in DEBIT_TYPES} else "credit"
    if kind == TransactionType.adjustment:
        side = values["direction"]
        if side not in ("debit", "credit"):
            errors["direction"] = "Say whether the adjustment is a debit or a credit."
    if values["transaction_date"]:
        data["transaction_date"] = values["transaction_date"]
    if values["booking_id"]:
        data["reference_document_type"] = "booking"
        data["reference_document_id"] = values["booking_id"]
    if errors:
        return FormResult(values, None, errors)
    data["transaction_type"] = kind
    data[f"{side}_amount"] = amount
    try:
        model = LedgerEntryCreate.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = str((error.get("loc") or ("",))[0])
            name = {"debit_amount": "amount", "credit_amount": "amount"}.get(loc, loc)
            message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
            errors.setdefault(
                name if name in ENTRY_FIELDS else FORM, message[:1].upper() + message[1:]
            )
        return FormResult(values, None, errors)
    return FormResult(values, model, errors)


@router.post("/{customer_id}/ledger")
def post_entry(
    request: Request, session: SessionDep, user: Writer, customer_id: str, form: FormDep
) -> Response:
    """Post an entry; the server computes the balance after it."""
    customer: Customer = service.CUSTOMERS.get(
        session, actor=user.actor, row_id=page_id(customer_id)
    )
    result = _entry_form(form, user, customer)
    entry = submit(
        session,
        result,
        lambda data: ledger.post_entry(session, actor=user.actor, data=data),
        ENTRY_FIELDS,
        aliases={"reference_document_id": "booking_id"},
    )
    if entry is None:
        forms = {"entry": result}
        return customers.detail_page(request, session, user, customer, forms=forms, status=422)
    return redirect(
        request, f"/customers/{customer.id}?done=posted&entry={entry.ledger_code}#ledger"
    )


@router.post("/{customer_id}/ledger/{entry_id}/reverse")
def reverse_entry(
    request: Request,
    session: SessionDep,
    user: Writer,
    customer_id: str,
    entry_id: str,
    form: FormDep,
) -> Response:
    """Post the opposite entry and mark the original reversed (refused twice: 409)."""
    customer: Customer = service.CUSTOMERS.get(
        session, actor=user.actor, row_id=page_id(customer_id)
    )
    original = ledger.get_entry(session, actor=user.actor, entry_id=page_id(entry_id))
    if original.customer_id != customer.id:
        raise NotFound("no such ledger entry for this customer")
    result, reversal = submit_form(
        session,
        ReversalCreate,
        form,
        lambda data: ledger.reverse_entry(
            session, actor=user.actor, entry_id=original.id, data=data
        ),
        blanks=REVERSE_BLANKS,
        fmt=user.fmt,
    )
    if reversal is None:
        forms = {"reverse": result, "reverse_id": str(original.id)}
        return customers.detail_page(request, session, user, customer, forms=forms, status=409)
    return redirect(request, f"/customers/{customer.id}?done=reversed#ledger")
