"""The hosted enquiry form: a public page per tenant (``/enquire/{tenant}``) for sites that
cannot call the capture API. It posts to the same capture service as the API.

Spam is kept out twice: a honeypot field people never see (a filled one is thanked and
dropped), and a limit on posts per address kept in the database (shared by every app
process), beyond which the page answers 429. The form carries a CSRF token like every
form of the app, and the UTM fields of the page's own address travel in hidden fields,
so an ad's link attributes the lead.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from salestrack.auth import service as auth
from salestrack.auth import throttle
from salestrack.auth.context import Actor
from salestrack.auth.roles import Role
from salestrack.core.errors import NotFound, TooManyRequests
from salestrack.core.tenancy import set_tenant
from salestrack.http.deps import SessionDep
from salestrack.intake import capture
from salestrack.intake.schemas import CaptureIn
from salestrack.web.kit.deps import FormDep
from salestrack.web.kit.filters import LocaleFormat
from salestrack.web.kit.forms import Blank, submit_form
from salestrack.web.kit.render import render

router = APIRouter(prefix="/enquire", include_in_schema=False)
Slug = Annotated[str, Path(max_length=63, pattern=r"^[a-z0-9][a-z0-9-]*$")]
HONEYPOT = "website"
POSTS_PER_WINDOW = 10
WINDOW_SECONDS = 600
ATTRIBUTION = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "gclid",
    "fbclid",
    "landing_page",
    "referrer",
)
BLANKS: dict[str, Any] = {
    "name": Blank.REQUIRED,
    "phone": Blank.OMIT,
    "email": Blank.OMIT,
    "message": Blank.OMIT,
    "project": Blank.OMIT,
    **dict.fromkeys(ATTRIBUTION, Blank.OMIT),
}


def _tenant(session: SessionDep, slug: str) -> Any:
    tenant_id = auth.tenant_id_for(slug)
    set_tenant(session, tenant_id)
    tenant = auth.get_tenant(session, tenant_id=tenant_id)
    if tenant is None:
        raise NotFound("no such enquiry form")
    return tenant


@router.get("/{slug}")
def enquiry_form(request: Request, session: SessionDep, slug: Slug) -> Response:
    """The form, with the visit's attribution kept in hidden fields."""
    tenant = _tenant(session, slug)
    query = request.query_params
    hidden = {name: query.get(name, "")[:200] for name in ATTRIBUTION[:7]}
    hidden["landing_page"] = str(request.url)[:2000]
    hidden["referrer"] = request.headers.get("referer", "")[:2000]
    return render(
        request,
        "intake/enquiry.html",
        {"tenant": tenant, "values": hidden, "errors": {}, "hidden": ATTRIBUTION},
    )


@router.post("/{slug}")
def send_enquiry(request: Request, session: SessionDep, slug: Slug, form: FormDep) -> Response:
    """Take an enquiry in through the capture service (as the API would)."""
    tenant = _tenant(session, slug)
    address = request.client.host if request.client else "unknown"
    bucket = f"enquiry:{address}"
    counted = throttle.reserve(  # every post counts, atomically across app processes
        session,
        tenant_id=tenant.tenant_id,
        bucket=bucket,
        limit=POSTS_PER_WINDOW,
        window_seconds=WINDOW_SECONDS,
    )
    if not counted.granted:
        raise TooManyRequests(
            "too many enquiries from this address; try again later",
            headers={"Retry-After": str(counted.retry_after)},
        )
    context = {"tenant": tenant, "hidden": ATTRIBUTION}
    if form.get(HONEYPOT):
        return render(request, "intake/thanks.html", context)  # a bot: thanked, dropped
    actor = Actor(tenant.tenant_id, tenant.slug, None, Role.sales_rep)
    result, done = submit_form(
        session,
        CaptureIn,
        form,
        lambda data: capture.capture(session, actor=actor, data=data, channel="form"),
        blanks=BLANKS,
        fmt=LocaleFormat(tenant.locale, tenant.currency, tenant.timezone),
    )
    if done is None:
        values = {**result.values}
        return render(
            request,
            "intake/enquiry.html",
            {**context, "values": values, "errors": result.errors},
            status=422,
        )
    return render(request, "intake/thanks.html", context)
