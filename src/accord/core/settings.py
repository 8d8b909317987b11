"""The node's settings: one object, read once at the process boundary, passed down."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from accord.core.fanout import available_workers


def default_data_dir() -> Path:
    """The per-user data directory used when ``ACCORD_DATA_DIR`` is not set."""
    return Path(user_data_dir("accord", appauthor=False))


class Settings(BaseSettings):
    """Settings of one Accord node, from ``ACCORD_*`` environment variables or arguments."""

    model_config = SettingsConfigDict(env_prefix="ACCORD_", extra="forbid")

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Directory holding the node's SQLite store, desk datasets and keys.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the store; unset means SQLite (WAL) at <data_dir>/accord.sqlite. "
            "PostgreSQL: postgresql+psycopg://user@host:5432/dbname"
        ),
    )
    home_partner: str = Field(
        default="EU", description="Code of the partner that operates this node (EU, JP, ...)."
    )
    import_batch_size: int = Field(
        default=10_000, ge=1, le=100_000, description="Objects per transaction on bulk import."
    )

    import_workers: int = Field(
        default_factory=available_workers,
        ge=1,
        le=64,
        description="Processes that validate a large bundle in parallel (default: the cores).",
    )

    collections_file: Path | None = Field(
        default=None,
        description=(
            "TOML file of [[collection]] tables (alias, title, description, types, label, "
            "audience, writable) that `accord init` and `accord serve` declare."
        ),
    )
    federation_key: SecretStr | None = Field(
        default=None,
        description=(
            "Key that encrypts peers' credentials at rest (Fernet: 32 bytes, base64url; "
            "`accord peer keygen` makes one). Needed to add or sync peers."
        ),
    )
    federation_page_size: int = Field(
        default=1000,
        ge=1,
        le=100_000,
        description="Objects per page a sync asks a peer for, and per envelope it pushes.",
    )
    federation_retries: int = Field(
        default=6,
        ge=0,
        le=50,
        description="Times a sync retries a failed request to a peer (connection errors, 5xx, "
        "429) before it gives up until the next round; waits grow exponentially, with jitter.",
    )
    federation_backoff_seconds: float = Field(
        default=0.5,
        gt=0,
        le=60,
        description="First wait before retrying a peer; each retry waits up to twice as long.",
    )
    federation_timeout_seconds: float = Field(
        default=120.0, gt=0, description="How long one request to a peer may take."
    )
    taxii_page_max: int = Field(
        default=1000, ge=1, le=100_000, description="Most objects one TAXII page returns."
    )
    taxii_page_default: int = Field(
        default=100, ge=1, le=100_000, description="Objects per TAXII page when none is asked."
    )
    taxii_max_content_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=1024,
        description="Largest request body the API accepts (bigger gets 413).",
    )
    taxii_requests_per_minute: int = Field(
        default=1200,
        ge=1,
        description="Requests per minute each principal may make (more gets 429).",
    )
    taxii_background_objects: int = Field(
        default=1000,
        ge=1,
        description="Envelopes with more objects are stored in the background (status pending).",
    )

    @field_validator("home_partner")
    @classmethod
    def _partner_code_is_upper(cls, value: str) -> str:
        return value.strip().upper()

    def resolved_database_url(self) -> str:
        """The store's URL: the configured one, or SQLite in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'accord.sqlite'}"
