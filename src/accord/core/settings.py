"""The node's settings: one object, read once at the process boundary, passed down."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field, field_validator
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

    @field_validator("home_partner")
    @classmethod
    def _partner_code_is_upper(cls, value: str) -> str:
        return value.strip().upper()

    def resolved_database_url(self) -> str:
        """The store's URL: the configured one, or SQLite in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'accord.sqlite'}"
