"""The rules the OpenAPI document states in prose, taught to schemathesis's generator.

JSON Schema cannot say that ``from`` comes before ``to``, that an invoice is a debit,
that a channel must fit the engagement's type, that an id in a body must name one of
the tenant's objects, or that an ``Idempotency-Key`` names one request; the document
says so in descriptions, and the server answers 422 when a request breaks them. A
schema-valid request that breaks them is therefore not the contract fuzzer's "valid
data", so before each call these hooks bend a *positive* case to follow them (a
negative case is sent as generated). Each rule comes from the module that enforces it.

Used by ``test_api_contract.py`` and by a hand run against a served tenant (the repo's
``schemathesis.toml`` names this module; see the README), where the tenant's ids are
read through the API (``SALESTRACK_CONTRACT_URL``, ``_TENANT``, ``_TOKEN``) the first
time a body needs one.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import urllib.request
import uuid
from collections.abc import MutableMapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

import schemathesis
from email_validator import EmailNotValidError, validate_email

from salestrack.auth.passwords import problem as password_problem
from salestrack.core.schema_base import CONTROL_CHARACTERS
from salestrack.documents.charges import ChargeType
from salestrack.documents.quotation_schemas import QuotationIn
from salestrack.journey.models import EngagementChannel, EngagementType, MilestoneType
from salestrack.journey.rules import CHANNELS_FOR_TYPE, VISIT_ONLY_FIELDS, VISIT_TYPES
from salestrack.money.models import TransactionType
from salestrack.money.schemas import CREDIT_TYPES, DEBIT_TYPES
from salestrack.reports.funnel import MAX_MONTHS
from salestrack.webhooks.targets import literal_address

S = "/api/v1/sales"
# Body fields naming another object → the list that holds such objects.
REFERENCES: dict[str, str] = {
    "lead_id": f"{S}/leads",
    "customer_id": f"{S}/customers",
    "campaign_id": f"{S}/campaigns",
    "source_id": f"{S}/lead-sources",
    "inventory_id": f"{S}/inventory",
    "assigned_to": f"{S}/users",
    "visited_by": f"{S}/users",
    "owner_id": f"{S}/users",
}
# The tenant's ids by body field; the suite fills it, a hand run reads them on first use.
IDS: dict[str, str] = {}
LOGOUT = "/api/v1/auth/logout"
# Signing out ends every token of the user: the run signs out another user (when given),
# so its own admin stays signed in.
SIGN_OUT_AS: dict[str, str] = {}
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_KEY = re.compile(r"[!-~]{1,255}")


def _positive(case: Any) -> bool:
    meta = getattr(case, "meta", None)
    return meta is None or bool(meta.generation.mode.is_positive)


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


def _fetch_id(case: Any, field: str) -> str | None:
    """A hand run: the first object of the field's list, read with the run's own headers."""
    base = os.environ.get("SALESTRACK_CONTRACT_URL")
    if not base:
        return None
    headers = {"Authorization": f"Bearer {os.environ.get('SALESTRACK_CONTRACT_TOKEN', '')}"}
    headers["X-Tenant-ID"] = os.environ.get("SALESTRACK_CONTRACT_TENANT", "")
    request = urllib.request.Request(f"{base}{REFERENCES[field]}?limit=1", headers=headers)
    with urllib.request.urlopen(request, timeout=10) as answer:
        found = json.load(answer)
    items = found["items"] if isinstance(found, dict) else found
    return str(items[0]["id"]) if items else None


def _reference(case: Any, field: str) -> str | None:
    if field not in IDS:
        fetched = _fetch_id(case, field)
        if fetched is None:
            return None
        IDS[field] = fetched
    return IDS[field]


def _references(case: Any, body: MutableMapping[str, Any]) -> None:
    """Ids in a body name the tenant's objects (a random uuid names none: 422)."""
    for field in REFERENCES:
        if _is_uuid(body.get(field)):
            real = _reference(case, field)
            if real is not None:
                body[field] = real


def _ledger_sides(body: MutableMapping[str, Any]) -> None:
    """An invoice or debit note is a debit, a payment or credit note a credit, an
    adjustment exactly one of them (``money.schemas.side_error``)."""
    try:
        kind = TransactionType(body.get("transaction_type"))
    except ValueError:
        return
    debit, credit = _amount(body.get("debit_amount")), _amount(body.get("credit_amount"))
    if kind in DEBIT_TYPES or (kind is TransactionType.adjustment and not credit):
        body["debit_amount"], body["credit_amount"] = str(debit or Decimal("1.00")), None
    elif kind in CREDIT_TYPES or kind is TransactionType.adjustment:
        body["credit_amount"], body["debit_amount"] = str(credit or Decimal("1.00")), None


def _amount(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value is not None else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def _channel_fits(body: MutableMapping[str, Any]) -> None:
    """The channel fits the engagement's type (``journey.rules.CHANNELS_FOR_TYPE``); a
    change of one alone is sent with a fitting other, as the stored one may not fit."""
    raw_type, raw_channel = body.get("engagement_type"), body.get("engagement_channel")
    if raw_type is None and raw_channel is None:
        return
    try:
        kind = EngagementType(raw_type) if raw_type is not None else None
        channel = EngagementChannel(raw_channel) if raw_channel is not None else None
    except ValueError:
        return
    if kind is None:
        assert channel is not None
        kind = next(k for k, fits in CHANNELS_FOR_TYPE.items() if channel in fits)
        body["engagement_type"] = kind.value
    if channel not in CHANNELS_FOR_TYPE[kind]:
        body["engagement_channel"] = CHANNELS_FOR_TYPE[kind][0].value


def _window(path: str, query: MutableMapping[str, Any]) -> None:
    """``from`` is not after ``to`` (which defaults to today); the funnel spans at most
    ``MAX_MONTHS`` months; a statement's ``date_from`` is not after its ``date_to``."""
    start, end = query.get("date_from"), query.get("date_to")
    if isinstance(start, str) and isinstance(end, str) and start > end:
        query["date_from"], query["date_to"] = end, start
    low, high = query.get("from"), query.get("to")
    if not (isinstance(low, str) and _DAY.fullmatch(low)):
        return
    if not (isinstance(high, str) and _DAY.fullmatch(high)):
        high = max(low, date.today().isoformat())
        query["to"] = high
    if low > high:
        query["from"], query["to"] = high, low
        low, high = high, low
    months = lambda day: int(day[:4]) * 12 + int(day[5:7])  # noqa: E731
    if path.endswith("/reports/funnel") and months(high) - months(low) >= MAX_MONTHS:
        query["from"] = high


# Pairs of fields where the second may not come before the first.
ORDERED = (
    ("start_date", "end_date"),
    ("booking_date", "delivery_date"),
    ("engagement_date", "response_date"),
)
# Fields given together or not at all.
TOGETHER = (
    ("location_latitude", "location_longitude"),
    ("reference_document_type", "reference_document_id"),
)


def _moment(value: Any) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _when(value: Any) -> date | datetime | None:
    if isinstance(value, str) and _DAY.fullmatch(value):
        return date.fromisoformat(value)
    return _moment(value)


def _order(case: Any, body: MutableMapping[str, Any]) -> None:
    """End after start, delivery after booking, a response after the engagement. When
    only the later one is given, a create's earlier one (today by default) becomes it,
    and a change leaves it out (the stored earlier one is not in the request)."""
    for first, second in ORDERED:
        if body.get(second) is not None and body.get(first) is None:
            if case.method.upper() == "PATCH":
                body.pop(second)
            else:
                body[first] = body[second]
        early, late = _when(body.get(first)), _when(body.get(second))
        comparable = early is not None and late is not None and type(early) is type(late)
        if comparable and late < early:  # type: ignore[operator]
            body[first], body[second] = body[second], body[first]
    if body.get("response_date") is not None:
        body["response_received"] = True  # a response date means a response came
    if body.get("response_received") is False:
        body["response_date"] = None
    if body.get("follow_up_required") is True and body.get("follow_up_date") is None:
        body["follow_up_date"] = "2999-12-31"  # a follow-up needs its day
    if body.get("follow_up_time") is not None and body.get("follow_up_date") is None:
        body["follow_up_date"] = "2999-12-31"  # a follow-up's time needs its day
    if case.path.endswith("/cancel"):  # today by default, and the booking may be later
        body["cancellation_date"] = "2999-12-31"
    for later in ("cancellation_date", "follow_up_date"):
        if body.get(later) is not None:  # not before the booking's or milestone's date
            body[later] = "2999-12-31"


def _together(body: MutableMapping[str, Any]) -> None:
    """Both or neither; a booking reference is only ever the booking's own id."""
    if body.get("reference_document_type") == "booking":
        body["reference_document_type"] = body["reference_document_id"] = None
    for pair in TOGETHER:
        if sum(body.get(name) is not None for name in pair) == 1:
            for name in pair:
                body[name] = None


def _visits(case: Any, body: MutableMapping[str, Any]) -> None:
    """Only visits have a location, a visitor or an outcome; no one records the
    lead_generated milestone (the lead's creation does). A change of a milestone keeps
    to the details any type may have, as the stored type is not in the request."""
    raw = body.get("milestone_type")
    if raw == MilestoneType.lead_generated.value:
        body["milestone_type"] = raw = MilestoneType.site_visit.value
    is_visit = raw is not None and raw in {t.value for t in VISIT_TYPES}
    if case.method.upper() == "PATCH" or (raw is not None and not is_visit):
        for name in VISIT_ONLY_FIELDS:
            body.pop(name, None)
        body.pop("milestone_date", None)  # lead_generated is dated by its lead


def _printable(value: Any) -> Any:
    """Metadata holds no control characters, in keys or text, at any depth."""
    if isinstance(value, str):
        return CONTROL_CHARACTERS.sub("", value)
    if isinstance(value, list):
        return [_printable(item) for item in value]
    if isinstance(value, dict):
        return {_printable(k): _printable(v) for k, v in value.items()}
    return value


def _emails(body: MutableMapping[str, Any]) -> None:
    """An address at a reserved name (``.local``, ``.test`` ...) is refused."""
    value = body.get("email")
    if isinstance(value, str) and "@" in value:
        try:
            validate_email(value, check_deliverability=False)
        except EmailNotValidError:
            body["email"] = f"{value.rsplit('@', 1)[0]}@example.com"


def _fresh_key(headers: Any) -> None:
    """An ``Idempotency-Key`` names one request: a reused one with another body is a 422."""
    if not isinstance(headers, MutableMapping):
        return
    key = next((k for k in headers if k.lower() == "idempotency-key"), None)
    if key and _KEY.fullmatch(str(headers[key])):
        headers[key] = f"{str(headers[key])[:150]}-{uuid.uuid4().hex}"


def _password(body: MutableMapping[str, Any]) -> None:
    """A new password that is common, guessable or close to the user's own words is
    refused (``auth.passwords``); a change does not carry the stored name and email."""
    value = body.get("password")
    if isinstance(value, str) and 10 <= len(value) <= 128:
        email, name = body.get("email"), body.get("full_name")
        own = {"email": str(email or ""), "full_name": str(name or "")}
        if password_problem(value, **own) is not None:
            body["password"] = secrets.token_urlsafe(18)


def _webhook_url(body: MutableMapping[str, Any]) -> None:
    """https only (http where the operator allows private receivers), and no loopback,
    private or reserved address or localhost (``webhooks.targets``): a URL with such a
    host is sent to a public name instead."""
    value = body.get("url")
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        return
    rest = value.split("://", 1)[1]
    authority, tail = re.match(r"([^/?]*)(.*)", rest, re.DOTALL).groups()  # type: ignore[union-attr]
    body["url"] = f"https://{authority}{tail}"
    try:
        host = urlsplit(body["url"]).hostname or ""
    except ValueError:  # not a URL the server takes either: left for it to refuse
        return
    # Any address, in every form the server reads as one (``0``, ``0x7f.1``, ``127.1`` ...).
    named = literal_address(host) is None and not authority.startswith("[")
    if named and not host.rstrip(".").endswith("localhost"):
        return
    body["url"] = f"https://example.com{tail}"


def _intake(case: Any, body: MutableMapping[str, Any]) -> None:
    """A fixed assignment rule names its owner, an attribution rule a source or a campaign
    or both, and a merge two different leads (``intake.schemas``, ``intake.merge``)."""
    post = case.method.upper() == "POST"
    fixed = post and case.path == f"{S}/assignment-rules" and body.get("mode") == "fixed"
    if fixed and body.get("owner_id") is None:
        body["owner_id"] = _reference(case, "owner_id")
    mapping = post and case.path == f"{S}/attribution-rules"
    if mapping and body.get("source_id") is None and body.get("campaign_id") is None:
        body["source_id"] = _reference(case, "source_id")
    merge = case.path == f"{S}/duplicates/merge" and body.get("survivor_id") is not None
    if merge and body.get("survivor_id") == body.get("duplicate_id"):
        body["duplicate_id"] = str(uuid.uuid4())  # a missing lead: 404


def _booking(case: Any, body: MutableMapping[str, Any]) -> None:
    """A booking names its inventory (or a unit_type that picks the tenant's one row of
    it, which the run's tenant need not have); the cancellation fields of a change go
    only with ``status: cancelled``, which needs a ``cancellation_reason``."""
    if case.method.upper() == "POST" and case.path == f"{S}/bookings":
        body.pop("unit_type", None)  # must match the inventory's (and may be left out)
        if body.get("inventory_id") is None:
            body["inventory_id"] = _reference(case, "inventory_id")
    if case.method.upper() == "PATCH" and case.path == f"{S}/bookings/{{booking_id}}":
        if body.get("status") == "cancelled":
            if body.get("cancellation_reason") is None:
                body["cancellation_reason"] = "the buyer withdrew"
        else:
            for name in ("cancellation_reason", "cancellation_refund_amount", "cancellation_date"):
                body.pop(name, None)


def _documents(case: Any, body: MutableMapping[str, Any]) -> None:
    """Document settings: a GSTIN and PAN with right check characters (the document says
    so), and a GST rate for every charge type kept (a quotation line needs its type's);
    A quotation line has exactly one of amount and rate_per_sqft, a
    lead and a customer of one buyer (the lead alone here), a place of supply that is the
    tenant's state (it may have none: then any other is refused)."""
    if case.path == f"{S}/document-settings" and case.method.upper() == "PUT":
        if body.get("gstin") is not None:
            body["gstin"], body["state_code"] = "29AAPFU0939F1ZR", None
        if body.get("pan") is not None:
            body["pan"] = "AAPFU0939F"
        rates = body.get("tax_rates") if isinstance(body.get("tax_rates"), list) else []
        given = {r.get("charge_type") for r in rates if isinstance(r, dict)}
        body["tax_rates"] = rates + [
            {"charge_type": t.value, "rate": "5"} for t in ChargeType if t.value not in given
        ]
    if case.path.startswith(f"{S}/quotations") and isinstance(body.get("lines"), list):
        for name in [n for n in body if n not in QuotationIn.model_fields]:
            body.pop(name)  # a stateful step may carry another operation's field along
        if body.get("lead_id") is not None:
            body.pop("customer_id", None)
        elif body.get("customer_id") is None:
            body["lead_id"] = _reference(case, "lead_id")
        body["place_of_supply"] = None
        body["valid_until"] = None  # a past validity: nothing could be sent
        for line in body["lines"]:
            if isinstance(line, dict) and (line.get("amount") is None) == (
                line.get("rate_per_sqft") is None
            ):
                line["amount"], line["rate_per_sqft"] = "1.00", None
            if isinstance(line, dict):
                line["discount"] = "0"  # at most the line's amount
    if case.path == f"{S}/quotations/{{quotation_id}}/send":
        body.pop("valid_until", None)  # not before the date: the draft's or the default


def _shares(count: int) -> list[str]:
    """100% in ``count`` shares of two decimals (the last takes what is left)."""
    each = (Decimal(100) / count).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    return [str(each)] * (count - 1) + [str(Decimal(100) - each * (count - 1))]


def _project(case: Any) -> str | None:
    """A project the tenant has units of (a stage belongs to one)."""
    if "project" not in IDS:
        base = os.environ.get("SALESTRACK_CONTRACT_URL")
        inventory = _reference(case, "inventory_id")
        if not base or inventory is None:
            return None
        headers = {"Authorization": f"Bearer {os.environ.get('SALESTRACK_CONTRACT_TOKEN', '')}"}
        headers["X-Tenant-ID"] = os.environ.get("SALESTRACK_CONTRACT_TENANT", "")
        request = urllib.request.Request(f"{base}{S}/inventory/{inventory}", headers=headers)
        with urllib.request.urlopen(request, timeout=10) as answer:
            IDS["project"] = str(json.load(answer)["project"])
    return IDS["project"]


def _billing(case: Any, body: MutableMapping[str, Any]) -> None:
    """A plan's instalments are each a share or an amount, due on a date or on a stage of
    the booking's project, and add up to the booking amount (``billing.plans``): here
    shares of 100% on dates. A construction stage is of a project the tenant has units of."""
    method = case.method.upper()
    plan = case.path.endswith("/payment-plan") or case.path == f"{S}/payment-plans/{{plan_id}}"
    rows = body.get("instalments")
    if plan and method in ("POST", "PUT") and isinstance(rows, list) and rows:
        for row, share in zip(rows, _shares(len(rows)), strict=True):
            if isinstance(row, dict):
                row["percentage"], row["amount"], row["stage_id"] = share, None, None
                if not (isinstance(row.get("due_date"), str) and _DAY.fullmatch(row["due_date"])):
                    row["due_date"] = "2025-11-21"
    if method == "POST" and case.path == f"{S}/construction-stages":
        project = _project(case)
        if project is not None:
            body["project"] = project


@schemathesis.hook
def map_headers(context: Any, headers: Any) -> Any:
    _fresh_key(headers)
    return headers


def _keep_references(case: Any) -> None:
    """The objects the run's bodies name stay: deleting one is sent for a missing id."""
    if case.method.upper() == "DELETE" and isinstance(case.path_parameters, MutableMapping):
        for name, value in case.path_parameters.items():
            if str(value) in IDS.values():
                case.path_parameters[name] = str(uuid.uuid4())


def _sign_out_another(case: Any) -> None:
    token = SIGN_OUT_AS.get("token")
    if case.path == LOGOUT and token and isinstance(case.headers, MutableMapping):
        case.headers["Authorization"] = f"Bearer {token}"


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    _fresh_key(case.headers)
    _keep_references(case)
    _sign_out_another(case)
    if not _positive(case):
        return
    if isinstance(case.query, MutableMapping):
        _window(case.path, case.query)
    if isinstance(case.body, MutableMapping):
        body = case.body
        _references(case, body)
        _ledger_sides(body)
        _channel_fits(body)
        _order(case, body)
        _together(body)
        if "milestone_type" in body or case.path.startswith(f"{S}/milestones/{{"):
            _visits(case, body)
        if isinstance(body.get("metadata"), dict):
            body["metadata"] = _printable(body["metadata"])
        _emails(body)
        _password(body)
        _billing(case, body)
        _intake(case, body)
        _booking(case, body)
        _documents(case, body)
        if case.path.startswith(f"{S}/webhooks/endpoints"):
            _webhook_url(body)
