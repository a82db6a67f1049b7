"""HTTP routes of the document settings: letterhead, bank, GST rates (admins change them;
whoever reads money reads them) and the logo."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, File, UploadFile
from starlette.responses import Response

from salestrack.auth.context import Actor
from salestrack.auth.deps import require
from salestrack.auth.roles import Permission
from salestrack.core.errors import NotFound
from salestrack.documents import settings
from salestrack.documents.settings_schemas import DocumentSettingsIn, DocumentSettingsPublic
from salestrack.http.deps import SessionDep
from salestrack.http.routing import api_router

router = api_router(prefix="/api/v1/sales/document-settings", tags=["documents"])
Reader = Annotated[Actor, Depends(require(Permission.money_read))]
Admin = Annotated[Actor, Depends(require(Permission.users_manage))]


@router.get("", response_model=DocumentSettingsPublic)
def get_document_settings(session: SessionDep, actor: Reader) -> Any:
    """The letterhead, bank details, GST state and rates every document is printed with."""
    return settings.view(session, actor.tenant_id)


@router.put("", response_model=DocumentSettingsPublic)
def put_document_settings(session: SessionDep, actor: Admin, body: DocumentSettingsIn) -> Any:
    """Replace the settings (admins). The GSTIN's and PAN's check characters are checked,
    the state defaults to the GSTIN's and must match it (422)."""
    settings.save_settings(session, actor=actor, data=body)
    return settings.view(session, actor.tenant_id)


@router.put("/logo", response_model=DocumentSettingsPublic)
def put_logo(
    session: SessionDep,
    actor: Admin,
    logo: Annotated[
        UploadFile,
        File(
            description="PNG or JPEG, at most 512 KiB, 4000 px a side",
            json_schema_extra={"format": "binary"},
        ),
    ],
) -> Any:
    """Upload the letterhead's logo (admins); 422 for anything but a sane PNG or JPEG."""
    content = logo.file.read(settings.LOGO_MAX_BYTES + 1)
    settings.set_logo(session, actor=actor, content=content)
    return settings.view(session, actor.tenant_id)


@router.get(
    "/logo",
    response_class=Response,
    responses={200: {"content": {"image/png": {}, "image/jpeg": {}}}, 404: {}},
)
def get_logo(session: SessionDep, actor: Reader) -> Response:
    """The logo as uploaded (404 when there is none)."""
    row = settings.get_settings(session, actor.tenant_id)
    if row is None or row.logo is None or row.logo_type is None:
        raise NotFound("no logo has been uploaded")
    return Response(row.logo, media_type=row.logo_type)


@router.delete("/logo", status_code=204, response_class=Response)
def delete_logo(session: SessionDep, actor: Admin) -> Response:
    """Remove the logo (admins); documents then print the name alone."""
    settings.delete_logo(session, actor=actor)
    return Response(status_code=204)
