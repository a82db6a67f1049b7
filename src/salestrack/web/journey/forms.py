"""The journey's forms (milestone, engagement, response) read into the API's input models.

Browsers post local dates and times without a zone (``datetime-local``): they are read in
the tenant's time zone. A follow-up date given means a follow-up is required (the form has
no separate box to tick). Call durations are typed in minutes and stored in seconds.
What was typed is always kept, so a refused form comes back as the person left it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from salestrack.core.schema_base import in_zone
from salestrack.journey.models import EngagementStatus
from salestrack.journey.schemas import EngagementCreate, EngagementUpdate, MilestoneCreate
from salestrack.web.kit.filters import LocaleFormat
from salestrack.web.kit.forms import Blank, FormResult, validate_form

MILESTONE_FIELDS: dict[str, Any] = {
    "milestone_type": Blank.REQUIRED,
    "milestone_date": Blank.REQUIRED,
    "milestone_time": Blank.OMIT,
    "location_name": Blank.OMIT,
    "location_latitude": Blank.OMIT,
    "location_longitude": Blank.OMIT,
    "visited_by": Blank.OMIT,
    "duration_minutes": Blank.OMIT,
    "outcome": Blank.OMIT,
    "follow_up_date": Blank.OMIT,
    "follow_up_time": Blank.OMIT,
    "notes": Blank.OMIT,
}
ENGAGEMENT_FIELDS: dict[str, Any] = {
    "engagement_type": Blank.REQUIRED,
    "engagement_channel": Blank.REQUIRED,
    "engagement_date": Blank.REQUIRED,
    "subject": Blank.OMIT,
    "notes": Blank.OMIT,
    "status": Blank.REQUIRED,
    "response_received": Blank.OMIT,
    "response_date": Blank.OMIT,
    "response_notes": Blank.OMIT,
    "duration_seconds": Blank.OMIT,
}
RESPONSE_FIELDS: dict[str, Any] = {
    "response_received": Blank.OMIT,
    "response_date": Blank.OMIT,
    "response_notes": Blank.OMIT,
}
# The engagement form asks for minutes; the API stores seconds.
DURATION_FIELD = "duration_minutes"
MAX_CALL_MINUTES = Decimal(10_000_000) / 60


def local_moment_text(value: datetime, fmt: LocaleFormat) -> str:
    """A stored moment as a ``datetime-local`` value in the tenant's zone."""
    return fmt.local(value).strftime("%Y-%m-%dT%H:%M")


def now_text(fmt: LocaleFormat) -> str:
    return local_moment_text(datetime.now(fmt.zone), fmt)


def _moment(text: str, fmt: LocaleFormat) -> str:
    """``2026-02-14T10:30`` (tenant's zone) as an ISO moment with its offset."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError("Enter a date and time, for example 14/02/2026 10:30.") from exc
    return in_zone(moment, fmt.zone).isoformat()


def _seconds(text: str) -> str:
    try:
        minutes = Decimal(text.replace(",", "."))
    except InvalidOperation as exc:
        raise ValueError("Enter minutes, for example 5 or 2.5.") from exc
    if not minutes.is_finite() or minutes < 0 or minutes > MAX_CALL_MINUTES:
        raise ValueError("Enter minutes from 0 upwards.")
    return str(int((minutes * 60).to_integral_value()))


def _with_moments(
    raw: Mapping[str, str], names: tuple[str, ...], fmt: LocaleFormat, errors: dict[str, str]
) -> dict[str, str]:
    prepared = {k: v.strip() for k, v in raw.items()}
    for name in names:
        if prepared.get(name):
            try:
                prepared[name] = _moment(prepared[name], fmt)
            except ValueError as exc:
                errors[name] = str(exc)
                prepared[name] = ""
    return prepared


def _finish(result: FormResult[Any], typed: dict[str, str], errors: dict[str, str]) -> None:
    """Keep what was typed (not the converted text) and put our own errors first."""
    result.values = typed
    for name, message in errors.items():
        result.errors[name] = message
    if result.errors:
        result.model = None


def milestone_form(
    raw: Mapping[str, str], *, lead_id: uuid.UUID, fmt: LocaleFormat
) -> FormResult[MilestoneCreate]:
    typed = {name: raw.get(name, "").strip() for name in MILESTONE_FIELDS}
    data = {**typed, "lead_id": str(lead_id)}
    data["follow_up_required"] = "true" if typed["follow_up_date"] else ""
    fields = {**MILESTONE_FIELDS, "lead_id": Blank.REQUIRED, "follow_up_required": Blank.OMIT}
    result = validate_form(MilestoneCreate, data, blanks=fields, fmt=fmt)
    _finish(result, typed, {})
    return result


def engagement_form(
    raw: Mapping[str, str], *, lead_id: uuid.UUID, fmt: LocaleFormat
) -> FormResult[EngagementCreate]:
    names = [n for n in ENGAGEMENT_FIELDS if n != "duration_seconds"]
    typed = {name: raw.get(name, "").strip() for name in (*names, DURATION_FIELD)}
    errors: dict[str, str] = {}
    data = _with_moments(typed, ("engagement_date", "response_date"), fmt, errors)
    data["lead_id"] = str(lead_id)
    if typed[DURATION_FIELD]:
        try:
            data["duration_seconds"] = _seconds(typed[DURATION_FIELD])
        except ValueError as exc:
            errors[DURATION_FIELD] = str(exc)
    fields = {**ENGAGEMENT_FIELDS, "lead_id": Blank.REQUIRED}
    result = validate_form(EngagementCreate, data, blanks=fields, fmt=fmt)
    if "duration_seconds" in result.errors:
        result.errors[DURATION_FIELD] = result.errors.pop("duration_seconds")
    _finish(result, typed, errors)
    return result


def response_form(raw: Mapping[str, str], *, fmt: LocaleFormat) -> FormResult[EngagementUpdate]:
    """A response that came later: received, when, and what was said."""
    typed = {name: raw.get(name, "").strip() for name in ("response_date", "response_notes")}
    errors: dict[str, str] = {}
    data = _with_moments(typed, ("response_date",), fmt, errors)
    data["response_received"] = "true"
    result = validate_form(EngagementUpdate, data, blanks=RESPONSE_FIELDS, fmt=fmt)
    _finish(result, typed, errors)
    return result


def new_engagement_values(fmt: LocaleFormat) -> dict[str, str]:
    return {"engagement_date": now_text(fmt), "status": EngagementStatus.completed.value}


def new_milestone_values(fmt: LocaleFormat) -> dict[str, str]:
    return {"milestone_date": fmt.today().isoformat()}
