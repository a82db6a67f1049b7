"""The lead import engine, shared by ``salestrack import-leads`` and the web import.

``run_import`` takes a seekable binary stream, its file name (or format) and options, and
yields progress events, ending with the report. It reads the file twice, never whole:

1. **Check**: every row is validated as the API would (schema, source / campaign / assignee
   names, lead codes free and not repeated; under the ``reject`` duplicate policy, a phone
   or e-mail of an open lead or of an earlier row) in short read-only transactions. A bad file
   (not UTF-8, a NUL byte, a malformed workbook, over a limit: ``import_files``) raises
   before anything is written. Rows with problems are collected with their row numbers.
2. **Write**: unless there were problems (and ``valid_rows_only`` was not asked for), the
   rows arrive through ``leads.service.arrive`` (the duplicate rule under the import's
   policy, then ``create_lead``: first milestone, status history, assignment, audit, like
   an API-created lead) in batches, each its own transaction of at most
   ``batch_rows`` rows and about ``batch_seconds``. The report summaries are refreshed once
   per batch, when it commits, so the tenant's summary rows and lead-code counter are held
   only for one short batch and other writers in the tenant get in between batches. Each
   batch starts a fresh session, so the cost per row stays the same from first to last,
   and is written as one ``core.batching`` batch (the buyers looked up, the lead codes
   reserved and the rows flushed once for the batch), so its statements do not grow with
   its rows either (docs/imports.md).

Atomicity: a file with any bad row writes nothing, unless ``valid_rows_only`` (then the
bad rows are skipped and reported). A failure while writing (a database error, a lead code
taken meanwhile) rolls back its batch and raises ``ImportInterrupted``, which says how many
leads the earlier batches wrote and the row to resume from (``from_row``).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Literal

from pydantic import ValidationError
from sqlalchemy import event, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth.context import Actor
from salestrack.auth.models import Tenant, User
from salestrack.core import batching, crud
from salestrack.core.errors import ProblemError
from salestrack.core.schema_base import printable
from salestrack.core.tenancy import tenant_transaction
from salestrack.leads import identity, service
from salestrack.leads.import_files import ImportLimits, SheetInfo, SheetRow, file_format, read_sheet
from salestrack.leads.models import Campaign, Lead, LeadSource
from salestrack.leads.schemas import LeadCreate

DIRECT_COLUMNS = frozenset(
    {
        "lead_code",
        "name",
        "company",
        "email",
        "phone",
        "status",
        "lead_date",
        "expected_value",
        "notes",
    }
)
LOOKUP_COLUMNS = frozenset({"source", "campaign", "assigned_to"})
COLUMNS = DIRECT_COLUMNS | LOOKUP_COLUMNS
# On SQLite a writer waiting for the lock polls (up to every 100 ms): pausing this long
# between batches lets it in, instead of the import taking the lock straight back.
SQLITE_PAUSE_SECONDS = 0.12


@dataclass(frozen=True)
class ImportOptions:
    limits: ImportLimits
    valid_rows_only: bool = False
    batch_rows: int = 500
    batch_seconds: float = 1.0
    from_row: int = 2  # rows before this (already imported by an interrupted run) are skipped
    fmt: str | None = None  # csv or xlsx; default: from the file name
    # file header (lower-case) -> column; "" ignores the column. None: headers are columns
    mapping: dict[str, str] | None = None
    # a row matching an open lead: merge | create | reject; None: the tenant's policy
    duplicates: str | None = None


@dataclass(frozen=True)
class Reenquiry:
    """A row whose buyer already had an open lead: recorded on it as a re-enquiry."""

    row: int
    lead_code: str


@dataclass(frozen=True)
class RowProblem:
    row: int
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}"


@dataclass(frozen=True)
class Progress:
    phase: Literal["check", "write"]
    rows: int
    total: int | None


@dataclass(frozen=True)
class BatchWritten:
    first_row: int
    last_row: int
    created: int
    statements: int  # SQL statements the batch ran (steady per row: no query grows)


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    batches: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    reenquiries: list[Reenquiry] = field(default_factory=list)
    duplicates: str = "merge"  # the duplicate policy the import ran under
    last_row_written: int | None = None
    stopped_at: int | None = None  # a workbook's trailing empty rows started here

    @property
    def written(self) -> bool:
        return self.created > 0 or bool(self.reenquiries)


class ImportInterrupted(ProblemError):
    """Writing failed part-way: earlier batches are in, this batch and later rows are not."""

    status = 503
    title = "Import interrupted"

    def __init__(self, report: ImportReport, resume_row: int, reason: str) -> None:
        written = (
            f"{report.created} leads were imported (rows up to {report.last_row_written})"
            if report.created
            else "nothing was imported"
        )
        super().__init__(
            f"import stopped at row {resume_row}: {reason}; {written}; "
            f"run it again from row {resume_row} to finish"
        )
        self.report, self.resume_row = report, resume_row


ImportEvent = Progress | BatchWritten | ImportReport


def run_import(
    factory: sessionmaker[Session],
    *,
    actor: Actor,
    stream: IO[bytes],
    filename: str,
    options: ImportOptions,
) -> Iterator[ImportEvent]:
    """Check every row, then write in batches (or nothing); the last event is the report.

    Raises ``BadImportFile`` / ``ImportTooLarge`` (nothing written) for a bad file and
    ``ImportInterrupted`` when writing fails part-way.
    """
    fmt = file_format(filename, options.fmt)
    report, info = ImportReport(), SheetInfo()
    lookups = _Lookups(actor)

    def rows() -> Iterator[SheetRow]:
        sheet = read_sheet(
            stream,
            fmt=fmt,
            limits=options.limits,
            columns=COLUMNS,
            info=info,
            mapping=options.mapping,
        )
        return (row for row in sheet if row.number >= options.from_row)

    yield from _check(factory, actor, rows(), options, lookups, report)
    report.stopped_at = info.stopped_at
    if report.problems and not options.valid_rows_only:
        yield report
        return
    bad = {problem.row for problem in report.problems}
    valid = (row for row in rows() if row.number not in bad)
    yield from _write(factory, actor, valid, options, lookups, report)
    yield report


def _chunks(rows: Iterator[SheetRow], size: int) -> Iterator[list[SheetRow]]:
    while chunk := list(itertools.islice(rows, size)):
        yield chunk


def _check(
    factory: sessionmaker[Session],
    actor: Actor,
    rows: Iterator[SheetRow],
    options: ImportOptions,
    lookups: _Lookups,
    report: ImportReport,
) -> Iterator[Progress]:
    """Validate every row; a chunk's lookups run in one short read transaction."""
    codes: set[str] = set()
    buyers = _Buyers(actor)
    for chunk in _chunks(rows, options.batch_rows):
        with tenant_transaction(factory, actor.tenant_id) as session:
            lookups.session = session
            if buyers.policy is None:
                buyers.policy = report.duplicates = options.duplicates or _tenant_policy(
                    session, actor
                )
            for row in chunk:
                report.rows += 1
                try:
                    data = lookups.lead_data(row)
                    _check_code(session, actor, data.lead_code, codes)
                    buyers.check(session, row.number, data)
                except _RowError as exc:
                    report.problems.append(RowProblem(row.number, str(exc)))
        yield Progress("check", report.rows, None)


def _tenant_policy(session: Session, actor: Actor) -> str:
    tenant = session.get(Tenant, actor.tenant_id)
    return tenant.duplicate_policy if tenant is not None else "merge"


class _Buyers:
    """Under ``reject``, a row whose phone or e-mail matches an open lead, or an earlier
    row of the file, is a row problem (found before anything is written). Under ``merge``
    such rows become re-enquiries as they are written; under ``create``, new leads."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.policy: str | None = None
        self.seen: dict[str, int] = {}  # normalised phone / e-mail -> first row with it

    def check(self, session: Session, number: int, data: LeadCreate) -> None:
        if self.policy != "reject":
            return
        region = identity.tenant_region(session, self.actor.tenant_id)
        phone = identity.normal_phone(data.phone, region)
        email = identity.normal_email(data.email)
        keys = [k for k in (phone, email) if k]
        earlier = next((self.seen[k] for k in keys if k in self.seen), None)
        for key in keys:
            self.seen.setdefault(key, number)
        if earlier is not None:
            raise _RowError(f"same phone or e-mail as row {earlier} (duplicates are refused)")
        found = identity.open_match(
            session, tenant_id=self.actor.tenant_id, phone=phone, email=email
        )
        if found is not None:
            raise _RowError(
                f"lead {found.lead_code} already has this phone or e-mail (duplicates are refused)"
            )


def _check_code(session: Session, actor: Actor, code: str | None, seen: set[str]) -> None:
    """A given lead code must be new in the tenant and appear once in the file."""
    if code is None:
        return
    if code in seen:
        raise _RowError(f"lead_code {code!r} appears twice in the file")
    seen.add(code)
    taken = select(Lead.id).where(Lead.tenant_id == actor.tenant_id, Lead.lead_code == code)
    if session.execute(taken).first() is not None:
        raise _RowError(f"lead_code {code!r} is already used in this tenant")


def _write(
    factory: sessionmaker[Session],
    actor: Actor,
    rows: Iterator[SheetRow],
    options: ImportOptions,
    lookups: _Lookups,
    report: ImportReport,
) -> Iterator[BatchWritten | Progress]:
    """Create the rows' leads, one transaction per batch, pausing between batches on
    SQLite so that waiting writers get the lock."""
    total = report.rows - len(report.problems)
    pause = SQLITE_PAUSE_SECONDS if _dialect(factory) == "sqlite" else 0.0
    ahead = _Ahead(rows)
    while (first := ahead.peek()) is not None:
        try:
            batch = _write_batch(factory, actor, ahead, options, lookups, report)
        except Exception as exc:  # report what earlier batches wrote, then stop
            raise ImportInterrupted(report, first.number, _reason(exc)) from exc
        report.created += batch.created
        report.batches += 1
        report.last_row_written = batch.last_row
        yield batch
        yield Progress("write", report.created + len(report.reenquiries), total)
        if pause and ahead.peek() is not None:
            time.sleep(pause)


def _write_batch(
    factory: sessionmaker[Session],
    actor: Actor,
    rows: _Ahead,
    options: ImportOptions,
    lookups: _Lookups,
    report: ImportReport,
) -> BatchWritten:
    """One transaction of rows, each arriving as an API-created lead does (the duplicate
    rule first, under the import's policy); re-enquiries count once the batch commits.

    The rows are written as one ``core.batching`` batch: the same services and rules, but
    the batch's buyers, references, codes and rules are read once, and its rows reach the
    database in one flush at commit, so a batch runs the same statements at any size."""
    created, last = 0, 0
    again: list[Reenquiry] = []
    statements = _StatementCount()
    chunk = rows.take(options.batch_rows)
    with (
        tenant_transaction(factory, actor.tenant_id) as session,
        service.arriving_by(session, channel="import", policy=report.duplicates),
        batching.batch(session, rows=len(chunk)),
    ):
        statements.watch(session)
        lookups.session = session
        started = time.monotonic()
        arriving = [(row, lookups.lead_data(row)) for row in chunk]
        service.expect_arrivals(session, actor=actor, data=[data for _, data in arriving])
        for done, (row, data) in enumerate(arriving, start=1):
            lead, new = service.arrive(session, actor=actor, data=data)
            if new:
                created += 1
            else:
                again.append(Reenquiry(row.number, lead.lead_code))
            last = row.number
            if done < len(chunk) and time.monotonic() - started > options.batch_seconds:
                rows.push_back(chunk[done:])  # the next batch takes them
                break
    report.reenquiries.extend(again)
    return BatchWritten(chunk[0].number, last, created, statements.count)


class _Ahead:
    """An iterator of rows that can show the next one without taking it, and take back
    rows a batch did not write (kept in a list: chaining iterators would add a layer to
    every later row's read per batch cut short)."""

    def __init__(self, rows: Iterable[SheetRow]) -> None:
        self.rows = iter(rows)
        self.ahead: list[SheetRow] = []

    def peek(self) -> SheetRow | None:
        if not self.ahead:
            self.ahead = list(itertools.islice(self.rows, 1))
        return self.ahead[0] if self.ahead else None

    def take(self, size: int) -> list[SheetRow]:
        """Up to ``size`` rows, the ones shown or taken back first."""
        taken, self.ahead = self.ahead[:size], self.ahead[size:]
        taken += itertools.islice(self.rows, size - len(taken))
        return taken

    def push_back(self, rows: list[SheetRow]) -> None:
        """Rows taken but not written: they come first again."""
        self.ahead = rows + self.ahead


class _StatementCount:
    """How many statements a session's connection ran (for the per-batch report)."""

    def __init__(self) -> None:
        self.count = 0

    def watch(self, session: Session) -> None:
        def _count(*_args: Any) -> None:
            self.count += 1

        connection = session.connection()
        event.listen(connection, "before_cursor_execute", _count)


def _dialect(factory: sessionmaker[Session]) -> str:
    bind = factory.kw.get("bind")
    return bind.dialect.name if bind is not None else ""


def _reason(exc: Exception) -> str:
    if isinstance(exc, ProblemError):
        return exc.detail
    first = (str(exc).splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first}"[:300]


class _RowError(Exception):
    """A row that cannot become a lead; the message is for the user."""


class _Lookups:
    """Names in the sheet (source, campaign, assignee email) to this tenant's ids, cached
    for the whole import (the cache holds one id per distinct name)."""

    def __init__(self, actor: Actor) -> None:
        self.tenant_id = actor.tenant_id
        self.session: Session | None = None
        self.cache: dict[tuple[str, str], Any] = {}

    def lead_data(self, row: SheetRow) -> LeadCreate:
        """The row as the API's input, or ``_RowError`` saying every problem."""
        values: dict[str, Any] = {k: v for k, v in row.cells.items() if k in DIRECT_COLUMNS and v}
        problems: list[str] = []
        for kind, target in (
            ("source", "source_id"),
            ("campaign", "campaign_id"),
            ("assigned_to", "assigned_to"),
        ):
            if row.cells.get(kind):
                try:
                    values[target] = self._one(kind, row.cells[kind])
                except _RowError as exc:
                    problems.append(str(exc))
        try:
            data = LeadCreate(**values)
        except ValidationError as exc:
            problems[:0] = [
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            ]
        if problems:
            raise _RowError("; ".join(problems))
        return data

    def _one(self, kind: str, text: str) -> Any:
        try:
            printable(text)
        except ValueError as exc:
            raise _RowError(f"{kind}: {exc}") from None
        key = (kind, text.lower())
        if key not in self.cache:
            assert self.session is not None
            ids = list(self.session.scalars(self._query(kind, text.lower())).all())
            if len(ids) != 1:
                what = "no" if not ids else "more than one"
                raise _RowError(f"{kind}: {what} match for {text!r}")
            self.cache[key] = ids[0]
        return self.cache[key]

    def _query(self, kind: str, text: str) -> Any:
        if kind == "source":
            stmt = crud.scoped(LeadSource, self.tenant_id).with_only_columns(LeadSource.id)
            return stmt.where(
                or_(func.lower(LeadSource.subsource_name) == text, LeadSource.source_type == text)
            )
        if kind == "campaign":
            stmt = crud.scoped(Campaign, self.tenant_id).with_only_columns(Campaign.id)
            return stmt.where(
                or_(
                    func.lower(Campaign.campaign_code) == text,
                    func.lower(Campaign.campaign_name) == text,
                )
            )
        return select(User.id).where(
            User.tenant_id == self.tenant_id,
            User.deleted_at.is_(None),
            func.lower(User.email) == text,
        )
