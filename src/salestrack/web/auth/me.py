"""The user's own page (/me): their reminder e-mails and locale, on the preferences service
the API's ``/api/v1/me/preferences`` uses. Every role has one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import Response

from salestrack.auth import preferences
from salestrack.auth.preferences import PreferencesPublic, PreferencesUpdate
from salestrack.core.formatting import USER_LOCALES, locale_label
from salestrack.http.deps import SessionDep
from salestrack.web.kit.deps import CurrentUser, FormDep, WebUser
from salestrack.web.kit.forms import FORM, FormResult, attempt
from salestrack.web.kit.render import redirect, render

router = APIRouter(include_in_schema=False)
CHECKBOXES = ("digest_enabled", "team_digest_enabled", "alerts_enabled")
FIELDS = (*CHECKBOXES, "digest_time", "alert_minutes", "locale")


def _values(chosen: PreferencesPublic) -> dict[str, str]:
    return {
        "digest_enabled": "on" if chosen.digest_enabled else "",
        "team_digest_enabled": "on" if chosen.team_digest_enabled else "",
        "alerts_enabled": "on" if chosen.alerts_enabled else "",
        "digest_time": chosen.digest_time.strftime("%H:%M"),
        "alert_minutes": str(chosen.alert_minutes),
        "locale": chosen.locale or "",
    }


def _page(
    request: Request,
    user: WebUser,
    chosen: PreferencesPublic,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    **context: Any,
) -> Response:
    sample = user.fmt
    return render(
        request,
        "me/preferences.html",
        {
            "chosen": chosen,
            "values": values if values is not None else _values(chosen),
            "errors": errors or {},
            "locales": [(name, f"{locale_label(name)} ({name})") for name in USER_LOCALES],
            "tenant_locale": f"{locale_label(sample.locale)}",
            **context,
        },
        status=status,
    )


@router.get("/me")
def my_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The user's preferences, in a form."""
    chosen = preferences.get_preferences(session, actor=user.actor)
    return _page(request, user, chosen, done=request.query_params.get("done"))


@router.post("/me")
def my_page_save(
    request: Request, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Save the form (an unticked box is off; a blank locale is the tenant's)."""
    values = {name: form.get(name, "").strip() for name in FIELDS}
    data: dict[str, Any] = {name: bool(values[name]) for name in CHECKBOXES}
    if not preferences.get_preferences(session, actor=user.actor).team_digest_available:
        data.pop("team_digest_enabled")
    data.update(
        digest_time=values["digest_time"] or None,
        alert_minutes=values["alert_minutes"] or None,
        locale=values["locale"] or None,
    )
    data = {k: v for k, v in data.items() if v is not None or k == "locale"}
    errors: dict[str, str] = {}
    try:
        model = PreferencesUpdate.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = error.get("loc") or ()
            name = str(loc[0]) if loc and str(loc[0]) in FIELDS else FORM
            errors.setdefault(name, str(error["msg"]).removeprefix("Value error, "))
        chosen = preferences.get_preferences(session, actor=user.actor)
        return _page(request, user, chosen, values=values, errors=errors, status=422)
    result: FormResult[Any] = FormResult(values, model, errors)
    saved = attempt(
        session,
        lambda: preferences.update_preferences(session, actor=user.actor, data=model),
        result,
        FIELDS,
    )
    if saved is None:
        chosen = preferences.get_preferences(session, actor=user.actor)
        return _page(request, user, chosen, values=values, errors=result.errors, status=422)
    return redirect(request, "/me?done=updated")
