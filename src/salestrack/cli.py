"""The ``salestrack`` command: serve, migrate, tenants, users, imports and demo data."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import click
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth.roles import Role
from salestrack.core.config import ConfigurationError, get_settings

if TYPE_CHECKING:
    from tqdm import tqdm

    from salestrack.leads.importer import ImportOptions, ImportReport, Progress


@contextmanager
def _sessions() -> Iterator[sessionmaker[Session]]:
    """A session factory on the owner's database URL, closed when the command ends."""
    from salestrack import wiring
    from salestrack.auth.security import configure_hashing
    from salestrack.core.db import make_engine

    configure_hashing(get_settings())
    engine = make_engine(get_settings().owner_database_url)
    try:
        yield wiring.session_factory(engine)
    finally:
        engine.dispose()


@contextmanager
def _unit_of_work() -> Iterator[Session]:
    with _sessions() as factory, _unit_of_work_on(factory) as session:
        yield session


@contextmanager
def _unit_of_work_on(factory: sessionmaker[Session]) -> Iterator[Session]:
    from salestrack.core.db import transaction

    with transaction(factory) as session:
        yield session


@click.group()
def main() -> None:
    """salestrack: leads, journey, bookings, ledger and reports."""


@main.command()
def migrate() -> None:
    """Bring the database schema up to date (safe to run again).

    On PostgreSQL this also (re)applies row-level security to every tenant table and
    grants the app role (SALESTRACK_APP_DB_ROLE) row access, creating the role if missing;
    on a Citus coordinator it then distributes every tenant table by tenant_id and makes
    the tables without tenant_id reference tables.
    """
    from salestrack.core import migrate as migrations
    from salestrack.core.citus import CitusError
    from salestrack.core.rls import RowSecurityError

    settings = get_settings()
    try:
        citus = migrations.upgrade(settings.owner_database_url, app_role=settings.app_db_role)
    except (RowSecurityError, CitusError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"database at revision {migrations.head_revision()}")
    if citus is not None:
        tables = ", ".join(citus.distributed) or "none (all already distributed)"
        click.echo(f"Citus: tenant tables distributed by tenant_id now: {tables}")
        if citus.referenced:
            click.echo(f"Citus: reference tables made now: {', '.join(citus.referenced)}")
        for setting in citus.settings:
            click.echo(f"Citus: set {setting}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int, help="app processes")
@click.option(
    "--with-worker",
    is_flag=True,
    help="also run one `salestrack worker` process beside the server, stopped with it",
)
def serve(host: str, port: int, workers: int, with_worker: bool) -> None:
    """Serve the API and web app (JSON logs on stdout; SIGTERM finishes in-flight requests)."""
    import uvicorn

    from salestrack.core.migrate import NotMigrated
    from salestrack.ops.logs import log_config

    if workers < 1:
        raise click.BadParameter("must be at least 1", param_hint="--workers")
    from pydantic import ValidationError

    try:
        proxies = get_settings().trusted_proxies  # validated: addresses and networks only
    except ValidationError as exc:
        raise click.ClickException(str(exc)) from exc
    _reset_metrics_directory()
    try:
        from salestrack.app import create_app

        create_app().state.engine.dispose()  # refuse early: unmigrated db, missing key
    except (NotMigrated, ConfigurationError) as exc:
        raise click.ClickException(str(exc)) from exc
    beside = None
    if with_worker:
        beside = _start_worker()
        # uvicorn re-raises the SIGTERM it stopped on once it has finished; with the default
        # handler that would end this process at once and leave the worker running.
        signal.signal(signal.SIGTERM, _leave_through_finally)
    try:
        uvicorn.run(
            "salestrack.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            # Proxy headers only from the configured proxies (none by default): uvicorn's own
            # default trusts any local client, which could then pick its throttle address.
            proxy_headers=bool(proxies),
            forwarded_allow_ips=proxies or None,
            timeout_graceful_shutdown=20,
            log_config=log_config(),
            access_log=False,
        )
    finally:
        if beside is not None:
            _stop_worker(beside)


def _leave_through_finally(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def _start_worker() -> subprocess.Popen[bytes]:
    """``salestrack worker`` as a child process with this process's environment."""
    return subprocess.Popen([sys.executable, "-m", "salestrack.cli", "worker"])


def _stop_worker(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then wait for the delivery in hand (killed after 30 s)."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@main.command()
@click.option("--once", is_flag=True, help="one pass over every tenant, then exit")
@click.option(
    "--tenant",
    "tenant_refs",
    multiple=True,
    help="serve only this tenant (slug or id; repeatable), e.g. a worker for a busy tenant",
)
def worker(once: bool, tenant_refs: tuple[str, ...]) -> None:
    """Deliver webhooks, send reminder e-mails and raise time-based events and notifications
    (follow-ups due) until SIGTERM; run several for more throughput. Connects as the app role
    (SALESTRACK_DATABASE_URL), one tenant at a time."""
    import logging

    from salestrack import wiring
    from salestrack.auth.service import tenant_id_from_reference
    from salestrack.billing import mail as billing_mail
    from salestrack.core.db import make_engine
    from salestrack.core.mail import MailConfigError
    from salestrack.core.migrate import NotMigrated, ensure_migrated
    from salestrack.core.worker import Task, Worker
    from salestrack.notifications import due
    from salestrack.reminders import worker as reminder_tasks
    from salestrack.webhooks import delivery
    from salestrack.webhooks import worker as webhook_tasks

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    stop_asked = None if once else _note_stop_signals()  # start-up takes a moment
    settings = get_settings()
    engine = make_engine(
        settings.database_url,
        pool_size=2,
        statement_timeout_ms=settings.db_statement_timeout_ms,
    )
    try:
        ensure_migrated(engine)
        factory = wiring.session_factory(engine)
        with delivery.client(settings.webhook_timeout_seconds) as http:
            tasks: list[Task] = [
                *webhook_tasks.tasks(settings, http),
                *reminder_tasks.tasks(settings),
                *billing_mail.tasks(settings),
                due.RaiseFollowUpsDue(interval_seconds=settings.worker_schedule_seconds),
            ]
            runner = Worker(
                engine,
                factory,
                tasks,
                idle_seconds=settings.worker_idle_seconds,
                only=[tenant_id_from_reference(ref) for ref in tenant_refs],
            )
            if once:
                click.echo(f"handled {runner.run_once()} items")
                return
            runner.install_signal_handlers()
            if stop_asked is not None and stop_asked.is_set():
                runner.stop()  # asked to stop while starting: stop cleanly, at once
            logging.getLogger("salestrack.worker").info("worker started (pid %s)", os.getpid())
            runner.run_forever()
            logging.getLogger("salestrack.worker").info("worker stopped")
    except (NotMigrated, MailConfigError) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        engine.dispose()


def _note_stop_signals() -> threading.Event:
    """Until the worker's own handlers are in place, SIGTERM or SIGINT is noted, not fatal:
    an operator's stop during start-up ends the worker cleanly (exit 0) like any other."""
    asked = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda _number, _frame: asked.set())
    return asked


def _reset_metrics_directory() -> None:
    """Prometheus multiprocess mode: start from an empty sample directory."""
    import os
    import shutil
    from pathlib import Path

    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return
    path = Path(directory)
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)


@main.command("create-tenant")
@click.argument("slug")
@click.option("--name", required=True)
@click.option("--locale", default="en_IN", show_default=True)
@click.option("--currency", default="INR", show_default=True)
@click.option(
    "--timezone",
    default="Asia/Kolkata",
    show_default=True,
    help="IANA zone: the tenant's calendar day for dates left out, reports and reminders",
)
def create_tenant(slug: str, name: str, locale: str, currency: str, timezone: str) -> None:
    """Create a tenant (a company using salestrack)."""
    from salestrack.auth import service
    from salestrack.core.errors import ProblemError

    try:
        with _unit_of_work() as session:
            tenant = service.create_tenant(
                session,
                slug=slug,
                name=name,
                locale=locale,
                currency=currency,
                timezone=timezone,
            )
            click.echo(f"created tenant {tenant.slug} ({tenant.tenant_id})")
    except ProblemError as exc:
        raise click.ClickException(exc.detail) from exc


@main.command("create-user")
@click.option("--tenant", "tenant_slug", required=True)
@click.option("--email", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", "full_name", default="")
def create_user(tenant_slug: str, email: str, password: str, role: str, full_name: str) -> None:
    """Create a user in a tenant."""
    from pydantic import ValidationError

    from salestrack.auth import service
    from salestrack.auth.context import system_actor
    from salestrack.auth.schemas import UserCreate
    from salestrack.core.errors import ProblemError

    try:
        data = UserCreate(email=email, password=password, role=Role(role), full_name=full_name)
        with _unit_of_work() as session:
            tenant = service.open_tenant(session, tenant_slug)
            if tenant is None:
                raise click.ClickException(f"no tenant {tenant_slug!r}")
            actor = system_actor(tenant.tenant_id, tenant.slug)
            user = service.create_user(session, actor=actor, data=data)
            click.echo(f"created {user.role} {user.email} in {tenant.slug}")
    except ValidationError as exc:
        raise click.ClickException(str(exc)) from exc
    except ProblemError as exc:
        raise click.ClickException(exc.detail) from exc


class FileRefused(click.ClickException):
    """A file that cannot be imported at all (unreadable, or over a limit): exit status 2."""

    exit_code = 2


class ImportStopped(click.ClickException):
    """Writing failed part-way (the message says what is in and where to resume): 3."""

    exit_code = 3


@main.command("import-leads")
@click.option("--tenant", "tenant_slug", required=True)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--valid-rows-only", is_flag=True, help="import the good rows, skip the bad ones")
@click.option(
    "--errors",
    "errors_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="also write every row problem to this CSV file",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx"]),
    help="the file's format (default: from its name)",
)
@click.option(
    "--from-row",
    type=click.IntRange(min=2),
    default=2,
    show_default=True,
    help="skip the rows before this one (resume an interrupted import)",
)
@click.option("--max-bytes", type=click.IntRange(min=1), help="file size limit")
@click.option("--max-rows", type=click.IntRange(min=1), help="data row limit")
@click.option(
    "--max-expanded-bytes", type=click.IntRange(min=1), help="a workbook's uncompressed size limit"
)
@click.option("--batch-rows", type=click.IntRange(1, 10_000), help="rows per transaction")
@click.option(
    "--duplicates",
    type=click.Choice(["merge", "reject"]),
    help="a row matching an open lead: a re-enquiry on it, or a row problem "
    "(default: the tenant's duplicate policy)",
)
def import_leads(
    tenant_slug: str,
    path: Path,
    valid_rows_only: bool,
    errors_path: Path | None,
    fmt: str | None,
    from_row: int,
    max_bytes: int | None,
    max_rows: int | None,
    max_expanded_bytes: int | None,
    batch_rows: int | None,
    duplicates: str | None,
) -> None:
    """Import leads from a CSV (UTF-8) or .xlsx file: every row, or none if any is wrong.

    Columns: name (required), lead_code, company, email, phone, status, lead_date,
    expected_value, notes, source (sub-source name or type), campaign (code or name),
    assigned_to (a user's email). Rows are written in batches, each its own transaction;
    limits default to the SALESTRACK_IMPORT_* settings. Exit status: 0 imported, 1 rows
    with problems (nothing imported), 2 a file that cannot be imported, 3 interrupted.
    """
    from dataclasses import replace

    from salestrack.leads.import_files import ImportLimits
    from salestrack.leads.importer import ImportOptions

    settings = get_settings()
    limits = ImportLimits.from_settings(settings)
    overrides = {
        "max_bytes": max_bytes,
        "max_rows": max_rows,
        "max_expanded_bytes": max_expanded_bytes,
    }
    limits = replace(limits, **{k: v for k, v in overrides.items() if v is not None})
    options = ImportOptions(
        limits=limits,
        valid_rows_only=valid_rows_only,
        batch_rows=batch_rows or settings.import_batch_rows,
        from_row=from_row,
        fmt=fmt,
        duplicates=duplicates,
    )
    _run_import(tenant_slug, path, options, errors_path)


def _run_import(
    tenant_slug: str, path: Path, options: ImportOptions, errors_path: Path | None
) -> None:
    """Run the engine with a progress bar (on a terminal) and turn its outcome into output."""

    from salestrack.auth import service
    from salestrack.auth.context import system_actor
    from salestrack.core.errors import ProblemError
    from salestrack.leads.importer import ImportInterrupted, ImportReport, Progress, run_import

    with _sessions() as factory:
        with _unit_of_work_on(factory) as session:
            tenant = service.open_tenant(session, tenant_slug)
            if tenant is None:
                raise click.ClickException(f"no tenant {tenant_slug!r}")
            actor = system_actor(tenant.tenant_id, tenant.slug)
        quiet = not sys.stderr.isatty()
        report = ImportReport()
        bars: dict[str, tqdm[None]] = {}
        try:
            with path.open("rb") as stream:
                events = run_import(
                    factory, actor=actor, stream=stream, filename=path.name, options=options
                )
                for event in events:
                    if isinstance(event, Progress):
                        _advance(bars, event, quiet)
                    elif isinstance(event, ImportReport):
                        report = event
        except ImportInterrupted as exc:
            raise ImportStopped(exc.detail) from None
        except ProblemError as exc:
            raise FileRefused(f"{path.name}: {exc.detail}") from None
        finally:
            for bar in bars.values():
                bar.close()
    _conclude(report, tenant.slug, options.valid_rows_only, errors_path)


def _advance(bars: dict[str, tqdm[None]], event: Progress, quiet: bool) -> None:
    from tqdm import tqdm

    label = {"check": "checking", "write": "importing"}[event.phase]
    bar = bars.get(event.phase)
    if bar is None:
        bar = bars[event.phase] = tqdm(desc=label, unit=" rows", total=event.total, disable=quiet)
    bar.update(event.rows - bar.n)
    bar.refresh()  # one event per batch: show each, not only those 0.1 s apart


def _conclude(
    report: ImportReport, slug: str, valid_rows_only: bool, errors_path: Path | None
) -> None:
    if errors_path is not None:
        _write_problems(errors_path, report)
    listed = "\n".join(f"  {p}" for p in report.problems[:50])
    more = len(report.problems) - 50
    if more > 0:
        listed += f"\n  ... and {more} more" + ("" if errors_path else " (see --errors)")
    if report.stopped_at is not None:
        click.echo(f"reading ended at row {report.stopped_at}: a run of empty rows", err=True)
    if report.problems and not valid_rows_only:
        raise click.ClickException(
            f"nothing imported: {len(report.problems)} problem(s) in {report.rows} rows\n{listed}"
        )
    if report.problems:
        click.echo(f"skipped {len(report.problems)} row(s) with problems:\n{listed}", err=True)
    click.echo(f"imported {report.created} leads into {slug} in {report.batches} batch(es)")
    if report.reenquiries:
        listed = ", ".join(f"row {r.row} → {r.lead_code}" for r in report.reenquiries[:20])
        more = len(report.reenquiries) - 20
        click.echo(
            f"{len(report.reenquiries)} row(s) matched an open lead and were recorded on it "
            f"as a re-enquiry: {listed}" + (f" and {more} more" if more > 0 else "")
        )


def _write_problems(path: Path, report: ImportReport) -> None:
    """Every row problem as CSV (row, problem), inert if opened in a spreadsheet."""
    import csv

    from salestrack.http.csv_answers import inert

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "problem"])
        for problem in report.problems:
            writer.writerow([problem.row, inert(problem.message)])


@main.command("purge-idempotency-keys")
@click.option("--tenant", "tenant_slugs", multiple=True, required=True, help="repeatable")
@click.option("--older-than-hours", default=24, show_default=True, type=click.IntRange(min=24))
def purge_idempotency_keys(tenant_slugs: tuple[str, ...], older_than_hours: int) -> None:
    """Forget a tenant's Idempotency-Keys older than N hours (kept at least 24); for cron.

    One tenant per transaction: row-level security lets a session see one tenant only.
    """
    from datetime import timedelta

    from salestrack.auth import service
    from salestrack.http import idempotency

    for slug in tenant_slugs:
        with _unit_of_work() as session:
            tenant = service.open_tenant(session, slug)
            if tenant is None:
                raise click.ClickException(f"no tenant {slug!r}")
            count = idempotency.purge(
                session, tenant_id=tenant.tenant_id, older_than=timedelta(hours=older_than_hours)
            )
        click.echo(f"{slug}: forgot {count} idempotency keys")


def _tenant_id(session: Session, slug: str) -> object:
    from salestrack.auth import service

    tenant = service.open_tenant(session, slug)
    if tenant is None:
        raise click.ClickException(f"no tenant {slug!r}")
    return tenant.tenant_id


@main.command("rebuild-reports")
@click.option("--tenant", "tenant_slug", required=True)
def rebuild_reports(tenant_slug: str) -> None:
    """Recompute a tenant's report summaries from its records (after bulk loads; repair)."""
    import uuid

    from salestrack.reports.rebuild import rebuild

    with _unit_of_work() as session:
        tenant_id = _tenant_id(session, tenant_slug)
        assert isinstance(tenant_id, uuid.UUID)
        count = rebuild(session, tenant_id)
    click.echo(f"rebuilt the report summaries of {tenant_slug} ({count} leads)")


@main.command()
@click.option("--tenant", "tenant_slug", required=True, help="created if it does not exist")
@click.option("--leads", "lead_count", required=True, type=click.IntRange(min=1))
@click.option("--seed", "random_seed", default=1, show_default=True, type=int)
@click.option("--quiet", is_flag=True, help="no progress bar")
def seed(tenant_slug: str, lead_count: int, random_seed: int, quiet: bool) -> None:
    """Load a year of realistic sales data into a tenant (COPY on PostgreSQL) with its
    report summaries (computed as the data is simulated, not rebuilt afterwards)."""
    from salestrack.generator.seed import generate

    settings = get_settings()
    if settings.env == "production":
        raise click.ClickException("refusing to load generated data in production")
    with _sessions() as factory:
        stats = generate(
            factory, tenant_slug, leads=lead_count, seed=random_seed, progress=not quiet
        )
    click.echo(stats.summary())


@main.command()
def demo() -> None:
    """Create the demo tenant, its admin and sample data (once; safe to run again)."""
    from salestrack.demo import ensure_demo

    settings = get_settings()
    if settings.env == "production":
        raise click.ClickException("refusing to load demo data in production")
    from pydantic import ValidationError

    from salestrack.core.errors import ProblemError

    try:
        with _sessions() as factory:
            login = ensure_demo(factory)
    except ValidationError as exc:
        raise click.ClickException(f"SALESTRACK_DEMO_PASSWORD: {exc}") from exc
    except ProblemError as exc:  # e.g. a demo password the password rule refuses
        raise click.ClickException(f"SALESTRACK_DEMO_PASSWORD: {exc.detail}") from exc
    base = settings.public_url.rstrip("/")  # where `serve` is reached (make run sets it)
    click.echo(
        "\n  demo login  ->  tenant: {tenant}   email: {email}   password: {password}\n"
        "  browser: {base}/login\n"
        "  token: curl -X POST -H 'X-Tenant-ID: {tenant}' -d 'username={email}&password={password}'"
        " {base}/api/v1/auth/token\n".format(base=base, **login)
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
