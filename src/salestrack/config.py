"""Settings read from SALESTRACK_* environment variables, and nothing else."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_FILE = Path(".salestrack-secret")


class ConfigurationError(RuntimeError):
    """Raised when the process must not start with the settings it was given."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SALESTRACK_", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    database_url: str = "sqlite:///./salestrack.db"
    secret_key: str | None = None
    token_ttl_seconds: int = Field(default=900, ge=60, le=86_400)
    token_issuer: str = "salestrack"
    token_audience: str = "salestrack-api"
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 20
    login_window_seconds: int = 900
    # argon2id cost; the defaults are above OWASP's minimum (19 MiB, t=2, p=1). Raising them
    # makes existing hashes be re-hashed at the next successful login.
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65_536, ge=1024)
    argon2_parallelism: int = Field(default=4, ge=1)
    db_pool_size: int = 10
    db_pool_timeout_seconds: float = 5.0

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
