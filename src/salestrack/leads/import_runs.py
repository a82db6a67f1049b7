"""Web imports: an upload kept on disk between its steps, and its run in a background
thread of the app process, reporting progress and outcomes to ``lead_imports``.

Why a thread and a table: the run is the same ``run_import`` the command uses, so it
needs nothing but the app (``make run`` on a laptop starts no other process), and its
state is in the database, so any app server can show an import's progress and errors.
The uploaded file is kept in ``SALESTRACK_IMPORT_DIR``; with several app servers that is
a directory they all mount (or the load balancer keeps a user on one server). A run whose
process died stops updating its row; the page then says it stalled and where to resume.
"""

from __future__ import annotations

import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import IO

from sqlalchemy import Select, delete, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth.context import Actor
from salestrack.core.config import Settings
from salestrack.core.db import utcnow
from salestrack.core.errors import Conflict, NotFound, ProblemError
from salestrack.core.tenancy import tenant_transaction
from salestrack.leads.import_files import (
    ImportLimits,
    ImportTooLarge,
    Preview,
    file_format,
    preview,
    size_text,
)
from salestrack.leads.import_models import LeadImport, LeadImportRow
from salestrack.leads.importer import (
    COLUMNS,
    ImportInterrupted,
    ImportOptions,
    ImportReport,
    Progress,
    run_import,
)

PREVIEW_ROWS = 5
PROGRESS_EVERY_SECONDS = 0.5
STALLED_AFTER = timedelta(minutes=5)  # a running import's row is touched at least per batch
ABANDONED_AFTER = timedelta(days=1)  # an upload never run is removed after this
COPY_CHUNK = 1_048_576
MAX_RUNNING = 2  # imports a process runs at once; more wait their turn
_SLOTS = threading.BoundedSemaphore(MAX_RUNNING)
# Header spellings a spreadsheet from another CRM often uses, for the guessed mapping.
SYNONYMS = {
    "full name": "name",
    "lead name": "name",
    "contact": "name",
    "contact name": "name",
    "e-mail": "email",
    "email address": "email",
    "mail": "email",
    "mobile": "phone",
    "mobile number": "phone",
    "phone number": "phone",
    "telephone": "phone",
    "organisation": "company",
    "organization": "company",
    "code": "lead_code",
    "lead code": "lead_code",
    "date": "lead_date",
    "lead date": "lead_date",
    "created": "lead_date",
    "value": "expected_value",
    "expected value": "expected_value",
    "budget": "expected_value",
    "owner": "assigned_to",
    "assigned to": "assigned_to",
    "lead source": "source",
    "note": "notes",
    "comments": "notes",
    "remarks": "notes",
}


@dataclass(frozen=True)
class Choices:
    """What the user chose on the mapping page."""

    mapping: dict[str, str]  # file header (lower-case) -> column, "" to ignore
    valid_rows_only: bool
    duplicates: str  # merge | reject (| create when that is the tenant's policy)


def upload_dir(settings: Settings) -> Path:
    path = Path(settings.import_dir or Path(tempfile.gettempdir()) / "salestrack-imports")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def sweep(settings: Settings, *, older_than: timedelta = ABANDONED_AFTER) -> int:
    """Remove uploads nobody ran (the mapping page left) after a day; how many went."""
    cutoff = time.time() - older_than.total_seconds()
    removed = 0
    for path in upload_dir(settings).iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another server swept it first
            continue
    return removed


def file_path(settings: Settings, row: LeadImport) -> Path:
    """Where the upload waits: named by tenant and import id only (never the user's name)."""
    return upload_dir(settings) / f"{row.tenant_id.hex}-{row.id.hex}.{row.fmt}"


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """Each header's likely column: its own name, a known synonym, or nothing."""
    guessed: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        key = header.strip().lower()
        column = key.replace(" ", "_") if key.replace(" ", "_") in COLUMNS else SYNONYMS.get(key)
        if column and column not in taken:
            guessed[key] = column
            taken.add(column)
        else:
            guessed[key] = ""
    return guessed


def save_upload(
    session: Session,
    *,
    actor: Actor,
    settings: Settings,
    filename: str,
    source: IO[bytes],
) -> LeadImport:
    """Keep an uploaded file (copied in chunks, refused past the size limit) and record it."""
    limits = ImportLimits.from_settings(settings)
    sweep(settings)
    name = Path(filename or "upload").name[:200]
    fmt = file_format(name)
    row = LeadImport(
        tenant_id=actor.tenant_id, filename=name, fmt=fmt, size=0, created_by=actor.user_id
    )
    row.id = uuid.uuid4()
    path = file_path(settings, row)
    size = 0
    try:
        with path.open("xb") as target:
            while chunk := source.read(COPY_CHUNK):
                size += len(chunk)
                if size > limits.max_bytes:
                    raise ImportTooLarge(
                        f"the file is larger than {size_text(limits.max_bytes)}, "
                        "the limit for an import"
                    )
                target.write(chunk)
        with path.open("rb") as stream:
            preview(stream, fmt=fmt, limits=limits, count=1)  # a bad file is refused now
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    row.size = size
    session.add(row)
    session.flush()
    return row


def get(session: Session, *, actor: Actor, import_id: uuid.UUID) -> LeadImport:
    """An import of the actor's tenant (another tenant's is not found, like a missing one)."""
    row = session.scalar(
        select(LeadImport).where(
            LeadImport.tenant_id == actor.tenant_id, LeadImport.id == import_id
        )
    )
    if row is None:
        raise NotFound("no such import")
    return row


def recent_query(*, tenant_id: uuid.UUID, limit: int) -> Select[tuple[LeadImport]]:
    """The tenant's latest imports, newest first."""
    return (
        select(LeadImport)
        .where(LeadImport.tenant_id == tenant_id)
        .order_by(LeadImport.created_at.desc(), LeadImport.id)
        .limit(limit)
    )


def stalled(row: LeadImport) -> bool:
    return row.status == "running" and utcnow() - row.updated_at > STALLED_AFTER


def show_preview(settings: Settings, row: LeadImport) -> Preview:
    with file_path(settings, row).open("rb") as stream:
        return preview(
            stream, fmt=row.fmt, limits=ImportLimits.from_settings(settings), count=PREVIEW_ROWS
        )


def outcomes(
    session: Session, *, actor: Actor, import_id: uuid.UUID, kind: str, limit: int | None = None
) -> list[LeadImportRow]:
    """The import's problems or re-enquiries by row number (the first ``limit``)."""
    stmt = (
        select(LeadImportRow)
        .where(
            LeadImportRow.tenant_id == actor.tenant_id,
            LeadImportRow.import_id == import_id,
            LeadImportRow.kind == kind,
        )
        .order_by(LeadImportRow.row_number)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def start(session: Session, *, actor: Actor, import_id: uuid.UUID, choices: Choices) -> None:
    """Mark an uploaded import as running with the user's choices (once: a second start,
    e.g. a double click, is a 409); the caller runs ``run_in_thread`` after committing."""
    get(session, actor=actor, import_id=import_id)
    claimed = session.execute(
        update(LeadImport)
        .where(
            LeadImport.tenant_id == actor.tenant_id,
            LeadImport.id == import_id,
            LeadImport.status == "uploaded",
        )
        .values(
            status="running",
            phase="check",
            mapping=choices.mapping,
            valid_rows_only=choices.valid_rows_only,
            duplicates=choices.duplicates,
            updated_at=utcnow(),
        )
    )
    if getattr(claimed, "rowcount", 0) != 1:
        raise Conflict("this import has already been started")


def run_in_thread(
    factory: sessionmaker[Session], settings: Settings, actor: Actor, import_id: uuid.UUID
) -> threading.Thread:
    """Run a started import in a daemon thread of this process."""
    thread = threading.Thread(
        target=run, args=(factory, settings, actor, import_id), name=f"import-{import_id}"
    )
    thread.daemon = True
    thread.start()
    return thread


def run(
    factory: sessionmaker[Session], settings: Settings, actor: Actor, import_id: uuid.UUID
) -> None:
    """Run the engine on a started import, writing progress and the outcome to its row."""
    with _SLOTS:
        with tenant_transaction(factory, actor.tenant_id) as session:
            row = get(session, actor=actor, import_id=import_id)
            options = ImportOptions(
                limits=ImportLimits.from_settings(settings),
                valid_rows_only=row.valid_rows_only,
                batch_rows=settings.import_batch_rows,
                fmt=row.fmt,
                mapping=dict(row.mapping),
                duplicates=row.duplicates or None,
            )
            path, filename = file_path(settings, row), row.filename
        tracker = _Tracker(factory, actor, import_id)
        try:
            with path.open("rb") as stream:
                report = tracker.follow(
                    run_import(
                        factory, actor=actor, stream=stream, filename=filename, options=options
                    )
                )
        except ImportInterrupted as exc:
            tracker.finish(exc.report, "failed", exc.detail)
        except ProblemError as exc:  # a bad file: nothing was written
            tracker.finish(ImportReport(), "refused", exc.detail)
        except Exception as exc:  # never leave the page saying "running" for ever
            tracker.finish(ImportReport(), "failed", f"the import failed: {type(exc).__name__}")
            raise
        else:
            refused = bool(report.problems) and not options.valid_rows_only
            tracker.finish(report, "refused" if refused else "done", "")
        finally:
            path.unlink(missing_ok=True)


class _Tracker:
    """Progress to the import's row at most every ``PROGRESS_EVERY_SECONDS``, each in its
    own short transaction (the page polls it); the outcome once at the end."""

    def __init__(self, factory: sessionmaker[Session], actor: Actor, import_id: uuid.UUID):
        self.factory, self.actor, self.import_id = factory, actor, import_id
        self.last = 0.0

    def follow(self, events: Iterator[object]) -> ImportReport:
        report = ImportReport()
        for event in events:
            if isinstance(event, Progress):
                self._progress(event)
            elif isinstance(event, ImportReport):
                report = event
        return report

    def _progress(self, event: Progress) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY_SECONDS and event.rows != event.total:
            return
        self.last = now
        values: dict[str, object] = {"phase": event.phase, "updated_at": utcnow()}
        if event.phase == "check":
            values["rows"] = event.rows
        else:
            values.update(done=event.rows, total=event.total)
        self._update(values)

    def _update(self, values: dict[str, object]) -> None:
        with tenant_transaction(self.factory, self.actor.tenant_id) as session:
            session.execute(
                update(LeadImport)
                .where(
                    LeadImport.tenant_id == self.actor.tenant_id,
                    LeadImport.id == self.import_id,
                )
                .values(**values)
            )

    def finish(self, report: ImportReport, status: str, detail: str) -> None:
        """The outcome and every row's problem or re-enquiry, in chunks."""
        with tenant_transaction(self.factory, self.actor.tenant_id) as session:
            session.execute(
                delete(LeadImportRow).where(
                    LeadImportRow.tenant_id == self.actor.tenant_id,
                    LeadImportRow.import_id == self.import_id,
                )
            )
            self._rows(session, "problem", [(p.row, p.message) for p in report.problems])
            self._rows(session, "reenquiry", [(r.row, r.lead_code) for r in report.reenquiries])
        self._update(
            {
                "status": status,
                "detail": detail,
                "rows": report.rows,
                "created": report.created,
                "reenquired": len(report.reenquiries),
                "problems": len(report.problems),
                "last_row": report.last_row_written,
                "done": report.created + len(report.reenquiries),
                "updated_at": utcnow(),
            }
        )

    def _rows(self, session: Session, kind: str, rows: list[tuple[int, str]]) -> None:
        for start in range(0, len(rows), 1000):
            session.execute(
                insert(LeadImportRow),
                [
                    {
                        "tenant_id": self.actor.tenant_id,
                        "import_id": self.import_id,
                        "kind": kind,
                        "row_number": number,
                        "message": message,
                    }
                    for number, message in rows[start : start + 1000]
                ],
            )


def discard_file(settings: Settings, row: LeadImport) -> None:
    """Remove an upload's file (when it is abandoned or refused)."""
    file_path(settings, row).unlink(missing_ok=True)
