"""Flowdesk's one settings object (SPEC §8), read once at start and passed down.

Domain code never reads the environment; the composition root (`app.create_app`,
the CLI) builds a `Settings` and hands it to whatever needs a value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SECRET = "flowdesk-development-secret-change-me"  # noqa: S105 - refused outside development


class Settings(BaseSettings):
    """Every knob, with the environment variable that sets it (`FLOWDESK_` + name)."""

    model_config = SettingsConfigDict(env_prefix="FLOWDESK_", extra="ignore")

    environment: Literal["development", "production", "test"] = Field(
        default="development",
        description="`production` refuses the default secret key and enables secure cookies.",
    )
    database_url: str = Field(
        default="sqlite:///data/flowdesk.db",
        description="`sqlite:///path/file.db` (embedded default) or `postgresql://user@host:port/db`.",
    )
    database_pool_size: int = Field(
        default=20,
        ge=1,
        le=500,
        description="Database connections a node keeps open (PostgreSQL; SQLite readers). "
        "Requests beyond it wait for one: connections are never opened per request.",
    )
    redis_url: str | None = Field(
        default=None, description="Redis for cross-node events, locks and presence (optional)."
    )
    secret_key: SecretStr = Field(
        default=SecretStr(DEFAULT_SECRET),
        description="Signs customer tokens. Must be set (32+ characters) outside development.",
    )
    admin_email: str | None = Field(
        default=None, description="First admin, created at start when no user exists."
    )
    admin_password: SecretStr | None = Field(
        default=None, description="The first admin's password."
    )
    http_allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Hosts the http_request module may reach even on private/loopback addresses.",
    )
    llm_base_url: str | None = Field(
        default=None, description="OpenAI-compatible endpoint for the chatbot's `llm` mode."
    )
    llm_api_key: SecretStr | None = Field(default=None, description="API key for LLM_BASE_URL.")
    llm_model: str = Field(default="gpt-4o-mini", description="Model name for the `llm` mode.")
    webhook_url: str | None = Field(default=None, description="Where event callbacks are POSTed.")
    webhook_secret: SecretStr | None = Field(
        default=None, description="HMAC-SHA256 key for the X-Flowdesk-Signature header."
    )
    webhook_max_attempts: int = Field(
        default=15,
        ge=1,
        le=50,
        description="Tries per event before it is kept as `failed` (the default spans ~9 hours).",
    )
    webhook_timeout_seconds: float = Field(
        default=10, gt=0, le=60, description="How long one webhook POST may take."
    )
    webhook_retry_base_seconds: float = Field(
        default=5,
        gt=0,
        le=3600,
        description="Wait before the first retry; it doubles per attempt (with jitter).",
    )
    webhook_retry_max_seconds: float = Field(
        default=3600, gt=0, le=86400, description="The longest wait between two retries."
    )
    webhook_retention_days: int = Field(
        default=7,
        ge=1,
        le=3650,
        description="Delivered webhook events are kept this long (failed ones until retried).",
    )
    routing_timeout_seconds: float = Field(
        default=2,
        gt=0,
        le=30,
        description="How long a skill group's routing URL (`webhook` strategy) may take to "
        "answer before longest_idle routing takes over.",
    )
    host: str = Field(default="127.0.0.1", description="Address `flowdesk serve` listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `flowdesk serve` listens on.")
    public_url: str | None = Field(
        default=None, description="The URL customers and agents reach (for printed links)."
    )
    token_ttl_hours: int = Field(
        default=24 * 7, ge=1, description="How long a staff sign-in (bearer token) lasts."
    )
    customer_token_ttl_hours: int = Field(
        default=24 * 30, ge=1, description="How long a customer token for one conversation lasts."
    )
    scheduler_interval_seconds: float = Field(
        default=1.0, gt=0, le=60, description="Longest sleep of the timer scheduler between checks."
    )
    log_level: str = Field(default="info", description="debug, info, warning or error.")
    agent_offline_grace_seconds: float = Field(
        default=60,
        gt=0,
        le=3600,
        description="An agent with no open stream for this long is set offline.",
    )
    event_retention_hours: int = Field(
        default=72,
        ge=1,
        le=24 * 365,
        description="Agent stream events are kept this long; a stream resuming from an older "
        "event starts again from a snapshot.",
    )
    auto_migrate: bool = Field(
        default=True,
        description="Upgrade the schema at start (turn off when several nodes share PostgreSQL).",
    )
    console_dir: Path | None = Field(
        default=None,
        description="The built console (index.html and assets/) served at `/`; "
        "default: web/dist in the source tree.",
    )

    @field_validator("http_allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [h.strip().lower() for h in value.split(",") if h.strip()]
        return value

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        secret = self.secret_key.get_secret_value()
        if self.environment == "production" and (secret == DEFAULT_SECRET or len(secret) < 32):
            raise ValueError(
                "FLOWDESK_SECRET_KEY must be set to a random string of 32+ characters in production"
            )
        if self.webhook_url and not self.webhook_secret:
            # Receivers must be able to tell our callbacks from forged ones.
            raise ValueError("FLOWDESK_WEBHOOK_SECRET must be set when FLOWDESK_WEBHOOK_URL is")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        path = self.database_url.split(":///", 1)[1] if ":///" in self.database_url else ""
        return Path(path) if path and path != ":memory:" else None
