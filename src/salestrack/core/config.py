"""Settings read from SALESTRACK_* environment variables, and nothing else."""

from __future__ import annotations

import secrets
from functools import lru_cache
from ipaddress import ip_network
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_FILE = Path(".salestrack-secret")


class ConfigurationError(RuntimeError):
    """Raised when the process must not start with the settings it was given."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SALESTRACK_", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    # What the app connects with: in production on PostgreSQL, the app role (no ownership,
    # no BYPASSRLS), so row-level security holds even for a query that forgets its tenant.
    database_url: str = "sqlite:///./salestrack.core.db"
    # The owner: `salestrack migrate` and the admin commands connect with this (default:
    # database_url). Migrate creates the app role if missing and grants it row access.
    migration_database_url: str | None = None
    app_db_role: str = Field(default="salestrack_app", pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    secret_key: str | None = None
    token_ttl_seconds: int = Field(default=900, ge=60, le=86_400)
    token_issuer: str = "salestrack"
    token_audience: str = "salestrack-api"
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 20
    login_window_seconds: int = 900
    # Addresses or networks of the reverse proxies in front of the app, comma-separated
    # (e.g. "10.0.0.5,10.1.0.0/16"). Only a connection from one of them may name the client
    # in X-Forwarded-For / X-Forwarded-Proto; by default nobody can, so a client cannot pick
    # the address the login throttle counts it under.
    trusted_proxies: str = ""
    # argon2id cost; the defaults are above OWASP's minimum (19 MiB, t=2, p=1). Raising them
    # makes existing hashes be re-hashed at the next successful login.
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65_536, ge=1024)
    argon2_parallelism: int = Field(default=4, ge=1)
    # Threads per app process running request code (sync handlers and queries). Kept near
    # the pool size: more threads than connections only queue on the pool, and every extra
    # thread contending for the GIL lengthens the time each request holds its row locks.
    worker_threads: int = Field(default=12, ge=1, le=200)
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=10, ge=0, le=200)
    # A request waiting longer than this for a connection gets 503 instead of queueing on.
    db_pool_timeout_seconds: float = Field(default=3.0, gt=0, le=60)
    # PostgreSQL cancels a statement running longer than this (0: no limit); the request 503s.
    db_statement_timeout_ms: int = Field(default=5000, ge=0, le=600_000)
    # Lead imports (CLI and web): files over these limits are refused before any row is
    # written; rows are written in transactions of at most import_batch_rows rows.
    import_max_bytes: int = Field(default=50 * 1_048_576, ge=1024)
    import_max_rows: int = Field(default=200_000, ge=1)
    import_max_expanded_bytes: int = Field(default=200 * 1_048_576, ge=1024)
    import_batch_rows: int = Field(default=500, ge=1, le=10_000)
    # Where web uploads wait between upload, mapping and run (default: a folder in the
    # system's temp directory). With several app servers, a directory they all share.
    import_dir: str = ""
    # The `salestrack worker` process (webhooks; docs in README "The worker").
    worker_idle_seconds: float = Field(default=1.0, gt=0, le=60)
    # A claimed job not finished within this is taken again by another worker (a killed one).
    worker_lease_seconds: float = Field(default=60.0, ge=1, le=3600)
    # How often time-based events (follow_up.due) are looked for, per tenant.
    worker_schedule_seconds: float = Field(default=30.0, ge=0, le=3600)
    # Deliveries to loopback/private/link-local addresses (and plain http://) are refused
    # unless this is set: for receivers on the operator's own network, and for tests.
    webhook_allow_private: bool = False
    webhook_max_attempts: int = Field(default=8, ge=1, le=50)
    # First retry after 1/2..1 of this; each next wait doubles (capped at one hour).
    webhook_retry_base_seconds: float = Field(default=10.0, gt=0, le=3600)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # Finished deliveries (the delivery log) are kept this many days.
    webhook_log_days: int = Field(default=30, ge=1, le=3650)
    # Reminder e-mails (docs/reminders.md). Without an SMTP URL nothing is mailed: each
    # reminder is recorded as not sent ("no SMTP server"). The URL may hold a password:
    # a secret, never printed with the settings.
    smtp_url: SecretStr | None = None
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    mail_from: str = Field(default="salestrack <noreply@localhost>", max_length=320)
    # The address people open the app at: the links in reminder e-mails start with it.
    public_url: str = Field(default="http://127.0.0.1:8000", pattern=r"^https?://[^\s]+$")
    mail_max_attempts: int = Field(default=8, ge=1, le=50)
    # First retry after 1/2..1 of this; each next wait doubles (capped at one hour).
    mail_retry_base_seconds: float = Field(default=30.0, gt=0, le=3600)
    # Finished reminders (the send record, and what keeps a slot from being mailed twice).
    reminder_log_days: int = Field(default=30, ge=2, le=3650)
    # The live floor (`GET /live/events`, docs/live.md). The listener's connection (LISTEN
    # on PostgreSQL) must reach PostgreSQL itself or a session-mode pool, never a PgBouncer
    # in transaction mode (default: database_url).
    live_database_url: str | None = None
    # A comment line this often keeps proxies from cutting an idle stream.
    live_heartbeat_seconds: float = Field(default=15.0, gt=0, le=300)
    # How often an open stream checks its user is still active in the same session epoch
    # (a change to the user is noticed at once; this is the backstop).
    live_recheck_seconds: float = Field(default=60.0, gt=0, le=3600)
    # Each app process keeps a tenant's latest events for a reconnect's Last-Event-ID.
    live_buffer_events: int = Field(default=200, ge=1, le=10_000)
    live_buffer_seconds: float = Field(default=600.0, gt=0, le=86_400)
    # Open streams per app process; more get 503 with Retry-After.
    live_max_streams: int = Field(default=1000, ge=1, le=100_000)

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: str) -> str:
        """Each entry an IP address or network; refuse anything else at start-up."""
        entries = [entry.strip() for entry in value.split(",") if entry.strip()]
        for entry in entries:
            ip_network(entry, strict=False)  # ValueError: not an address or a network
        return ",".join(entries)

    @property
    def owner_database_url(self) -> str:
        """The URL migrations and admin commands use (the table owner)."""
        return self.migration_database_url or self.database_url

    def signing_key(self) -> str:
        """The JWT key: configured, or in development a generated one kept beside the app.

        A production process without a configured key refuses to start, because a key
        generated on one app server would not verify tokens issued by another.
        """
        if self.secret_key:
            if len(self.secret_key) < 32:
                raise ConfigurationError("SALESTRACK_SECRET_KEY must be at least 32 characters")
            return self.secret_key
        if self.env == "production":
            raise ConfigurationError(
                "SALESTRACK_SECRET_KEY is not set; refusing to start in production without it"
            )
        return _local_development_key()


def _local_development_key() -> str:
    if DEV_SECRET_FILE.exists():
        return DEV_SECRET_FILE.read_text().strip()
    key = secrets.token_urlsafe(48)
    DEV_SECRET_FILE.write_text(key)
    DEV_SECRET_FILE.chmod(0o600)
    return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
