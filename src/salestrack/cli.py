"""The ``salestrack`` command: serve, migrate, tenants, users, imports and demo data."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy.orm import Session, sessionmaker

from salestrack.auth.roles import Role
from salestrack.core.config import ConfigurationError, get_settings


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
    from salestrack.core.db import transaction

    with _sessions() as factory, transaction(factory) as session:
        yield session


@click.group()
def main() -> None:
    """salestrack: leads, journey, bookings, ledger and reports."""


@main.command()
def migrate() -> None:
    """Bring the database schema up to date (safe to run again).

    On PostgreSQL this also (re)applies row-level security to every tenant table and
    grants the app role (SALESTRACK_APP_DB_ROLE) row access, creating the role if missing.
    """
    from salestrack.core import migrate as migrations
    from salestrack.core.rls import RowSecurityError

    settings = get_settings()
    try:
        migrations.upgrade(settings.owner_database_url, app_role=settings.app_db_role)
    except RowSecurityError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"database at revision {migrations.head_revision()}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int, help="app processes")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the API and web app (JSON logs on stdout; SIGTERM finishes in-flight requests)."""
    import uvicorn

    from salestrack.core.migrate import NotMigrated
    from salestrack.ops.logs import log_config

    if workers < 1:
        raise click.BadParameter("must be at least 1", param_hint="--workers")
    _reset_metrics_directory()
    try:
        from salestrack.app import create_app

        create_app().state.engine.dispose()  # refuse early: unmigrated db, missing key
    except (NotMigrated, ConfigurationError) as exc:
        raise click.ClickException(str(exc)) from exc
    uvicorn.run(
        "salestrack.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        timeout_graceful_shutdown=20,
        log_config=log_config(),
        access_log=False,
    )


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
def create_tenant(slug: str, name: str, locale: str, currency: str) -> None:
    """Create a tenant (a company using salestrack)."""
    from salestrack.auth import service
    from salestrack.core.errors import ProblemError

    try:
        with _unit_of_work() as session:
            tenant = service.create_tenant(
                session, slug=slug, name=name, locale=locale, currency=currency
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


@main.command("import-leads")
@click.option("--tenant", "tenant_slug", required=True)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_leads(tenant_slug: str, path: Path) -> None:
    """Import leads from a CSV or .xlsx file: every row, or none if any row is wrong.

    Columns: name (required), lead_code, company, email, phone, status, lead_date,
    expected_value, notes, source (sub-source name or type), campaign (code or name),
    assigned_to (a user's email).
    """
    from tqdm import tqdm

    from salestrack.auth import service
    from salestrack.auth.context import system_actor
    from salestrack.leads.importer import import_leads as run_import
    from salestrack.leads.importer import read_rows

    with _unit_of_work() as session:
        tenant = service.open_tenant(session, tenant_slug)
        if tenant is None:
            raise click.ClickException(f"no tenant {tenant_slug!r}")
        actor = system_actor(tenant.tenant_id, tenant.slug)
        with tqdm(desc="leads", unit=" rows") as bar:
            report = run_import(session, actor=actor, rows=read_rows(path), progress=bar.update)
        if report.problems:
            session.rollback()
            listed = "\n".join(f"  {p}" for p in report.problems)
            count = len(report.problems)
            raise click.ClickException(
                f"nothing imported: {count} problem(s) in {report.rows} rows\n{listed}"
            )
        click.echo(f"imported {report.created} leads into {tenant.slug}")


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
    with _sessions() as factory:
        login = ensure_demo(factory)
    click.echo(
        "\n  demo login  ->  tenant: {tenant}   email: {email}   password: {password}\n"
        "  browser: http://127.0.0.1:8000/login\n"
        "  token: curl -X POST -H 'X-Tenant-ID: {tenant}' -d 'username={email}&password={password}'"
        " http://127.0.0.1:8000/api/v1/auth/token\n".format(**login)
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
