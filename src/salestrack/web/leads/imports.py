"""The web import (managers and admins: ``Permission.leads_import``): upload a CSV or
.xlsx file, map its columns with a preview of the first rows, choose what to do with bad
rows and duplicates, then follow the run (the page refreshes itself, no script needed) and
read or download the per-row errors. The run is ``leads.import_runs``: the engine the
``salestrack import-leads`` command uses, in a background thread."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from starlette.datastructures import UploadFile
from starlette.responses import Response

from salestrack.auth.models import Tenant
from salestrack.auth.roles import Permission
from salestrack.core.config import Settings
from salestrack.core.errors import Conflict, ProblemError
from salestrack.http import csv_answers
from salestrack.http.deps import SessionDep
from salestrack.leads import import_runs
from salestrack.leads.import_files import size_text
from salestrack.leads.import_models import LeadImport
from salestrack.leads.importer import COLUMNS
from salestrack.web.kit.deps import CsrfRefused, FormDep, WebUser, user_with
from salestrack.web.kit.render import redirect, render
from salestrack.web.kit.session import load_session

router = APIRouter(prefix="/imports", include_in_schema=False)
Importer = Annotated[WebUser, user_with(Permission.leads_import)]
SHOWN_ROWS = 200  # problems and re-enquiries listed on the page; the CSV has them all
FIELD_LABELS = {
    "name": "Name (required)",
    "lead_code": "Lead code",
    "company": "Company",
    "email": "E-mail",
    "phone": "Phone",
    "status": "Status",
    "lead_date": "Lead date",
    "expected_value": "Expected value",
    "notes": "Notes",
    "source": "Source (name or type)",
    "campaign": "Campaign (code or name)",
    "assigned_to": "Assigned to (user e-mail)",
}
DUPLICATE_LABELS = {
    "merge": "Record a re-enquiry on the open lead (no second lead)",
    "reject": "Treat the row as an error",
    "create": "Create a second lead",
}


async def uploaded(request: Request) -> AsyncIterator[UploadFile | None]:
    """The posted file (spooled to a temporary file as it arrived), after the form's CSRF
    token is checked against the session; closed (its temporary file removed) after."""
    form = await request.form()
    try:
        token = form.get("csrf_token")
        if not isinstance(token, str) or not load_session(request).csrf_matches(token):
            raise CsrfRefused
        file = form.get("file")
        yield file if isinstance(file, UploadFile) else None
    finally:
        await form.close()


UploadDep = Annotated[UploadFile | None, Depends(uploaded)]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _policies(session: SessionDep, user: WebUser) -> tuple[str, list[str]]:
    """The tenant's duplicate policy and the choices an import may make: ``merge`` or
    ``reject`` always; ``create`` (a second lead) only where the tenant allows it."""
    tenant = session.get(Tenant, user.actor.tenant_id)
    policy = tenant.duplicate_policy if tenant is not None else "merge"
    return policy, ["merge", "reject"] + (["create"] if policy == "create" else [])


def _upload_page(
    request: Request, session: SessionDep, user: WebUser, status: int = 200, error: str = ""
) -> Response:
    recent = session.scalars(
        import_runs.recent_query(tenant_id=user.actor.tenant_id, limit=20)
    ).all()
    limit = size_text(_settings(request).import_max_bytes)
    context = {"recent": recent, "error": error, "limit": limit, "columns": FIELD_LABELS}
    return render(request, "imports/upload.html", context, status=status)


@router.get("")
def import_start(request: Request, session: SessionDep, user: Importer) -> Response:
    """The upload form and the tenant's recent imports."""
    return _upload_page(request, session, user)


@router.post("/upload")
def import_upload(
    request: Request, session: SessionDep, user: Importer, upload: UploadDep
) -> Response:
    """Keep the file (spooled to disk as it arrives, never whole in memory) and go on to
    the mapping; a file that cannot be imported is refused here with the reason."""
    if upload is None or not upload.filename:
        return _upload_page(request, session, user, 422, "Choose a .csv or .xlsx file.")
    try:
        row = import_runs.save_upload(
            session,
            actor=user.actor,
            settings=_settings(request),
            filename=upload.filename,
            source=upload.file,
        )
    except ProblemError as exc:
        return _upload_page(request, session, user, exc.status, f"{upload.filename}: {exc.detail}")
    return redirect(request, f"/imports/{row.id}")


@router.get("/{import_id}")
def import_page(
    request: Request, session: SessionDep, user: Importer, import_id: uuid.UUID
) -> Response:
    """The mapping form (an upload), the progress (a run; refreshes itself) or the result."""
    row = import_runs.get(session, actor=user.actor, import_id=import_id)
    if row.status == "uploaded":
        return _mapping_page(request, session, user, row)
    return _status_page(request, session, user, row)


def _mapping_page(
    request: Request,
    session: SessionDep,
    user: WebUser,
    row: LeadImport,
    status: int = 200,
    error: str = "",
    chosen: dict[str, Any] | None = None,
) -> Response:
    try:
        shown = import_runs.show_preview(_settings(request), row)
    except FileNotFoundError:
        return _status_page(request, session, user, row, gone=True)
    policy, policies = _policies(session, user)
    headers = [h.strip().lower() for h in shown.headers]
    context = {
        "row": row,
        "preview": shown,
        "mapping": (chosen or {}).get("mapping") or import_runs.guess_mapping(shown.headers),
        "headers": headers,
        "fields": FIELD_LABELS,
        "policy": policy,
        "policies": {p: DUPLICATE_LABELS[p] for p in policies},
        "duplicates": (chosen or {}).get("duplicates", policy if policy in policies else "merge"),
        "valid_rows_only": (chosen or {}).get("valid_rows_only", False),
        "error": error,
    }
    return render(request, "imports/mapping.html", context, status=status)


def _status_page(
    request: Request, session: SessionDep, user: WebUser, row: LeadImport, gone: bool = False
) -> Response:
    problems = import_runs.outcomes(
        session, actor=user.actor, import_id=row.id, kind="problem", limit=SHOWN_ROWS
    )
    again = import_runs.outcomes(
        session, actor=user.actor, import_id=row.id, kind="reenquiry", limit=SHOWN_ROWS
    )
    context = {
        "row": row,
        "problems": problems,
        "reenquiries": again,
        "stalled": import_runs.stalled(row),
        "gone": gone,
        "shown": SHOWN_ROWS,
    }
    return render(request, "imports/status.html", context)


@router.post("/{import_id}/start")
def import_run(
    request: Request,
    session: SessionDep,
    user: Importer,
    form: FormDep,
    background: BackgroundTasks,
    import_id: uuid.UUID,
) -> Response:
    """Start the import with the chosen mapping and options; the run begins once this
    request has committed, and the page follows it."""
    row = import_runs.get(session, actor=user.actor, import_id=import_id)
    if row.status != "uploaded":
        return redirect(request, f"/imports/{import_id}")
    mapping = {
        key.removeprefix("map:"): value for key, value in form.items() if key.startswith("map:")
    }
    _policy, policies = _policies(session, user)
    choices = import_runs.Choices(
        mapping={k: v for k, v in mapping.items() if v in COLUMNS or v == ""},
        valid_rows_only=form.get("bad_rows") == "valid_rows_only",
        duplicates=form.get("duplicates", ""),
    )
    chosen = {
        "mapping": choices.mapping,
        "duplicates": choices.duplicates,
        "valid_rows_only": choices.valid_rows_only,
    }
    error = _mapping_error(choices, policies)
    if error:
        return _mapping_page(request, session, user, row, 422, error, chosen)
    try:
        import_runs.start(session, actor=user.actor, import_id=import_id, choices=choices)
    except Conflict:
        return redirect(request, f"/imports/{import_id}")
    factory = request.app.state.session_factory
    background.add_task(
        import_runs.run_in_thread, factory, _settings(request), user.actor, import_id
    )
    return redirect(request, f"/imports/{import_id}")


def _mapping_error(choices: import_runs.Choices, policies: list[str]) -> str:
    columns = [c for c in choices.mapping.values() if c]
    if "name" not in columns:
        return "Choose the file column that holds the lead's name."
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        return f"Each lead field may come from one column only: {', '.join(repeated)}."
    if choices.duplicates not in policies:
        return "Choose what to do with rows that match an open lead."
    return ""


@router.get("/{import_id}/problems.csv")
def import_problems(
    request: Request, session: SessionDep, user: Importer, import_id: uuid.UUID
) -> Response:
    """Every row problem of the import as CSV (row, problem), inert in a spreadsheet."""
    row = import_runs.get(session, actor=user.actor, import_id=import_id)
    problems = import_runs.outcomes(session, actor=user.actor, import_id=row.id, kind="problem")
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", row.filename.rsplit(".", 1)[0])[:60].strip("-")
    return csv_answers.response(
        f"{stem or 'import'}-problems",
        ["row", "problem"],
        [[p.row_number, p.message] for p in problems],
    )
