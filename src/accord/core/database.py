"""The store's database: engine set-up for SQLite and PostgreSQL, migrations, transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from accord.core import tables
from accord.core.errors import ConfigurationError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class Database:
    """One store database; hands out read connections and serialised write transactions."""

    def __init__(self, url: str):
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise ConfigurationError(f"ACCORD_DATABASE_URL is not a database URL: {url!r}") from exc
        self.url = url
        self.dialect = parsed.get_backend_name()
        if self.dialect not in ("sqlite", "postgresql"):
            raise ConfigurationError(
                f"unsupported database {self.dialect!r} in {url!r}: use sqlite or postgresql"
            )
        if self.dialect == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        connect_args: dict[str, Any] = {}
        if self.dialect == "postgresql":
            # PostgreSQL's JIT compiles every costly-looking statement anew, about 30 ms
            # each; the policy's statements look costly and run in a few ms without it.
            connect_args["options"] = "-c jit=off"
        self.engine: Engine = create_engine(url, connect_args=connect_args)
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (idempotent)."""
        with self.engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS_DIR))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def is_current(self) -> bool:
        """Whether the schema is at the newest revision (``accord init`` upgrades it)."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        newest = ScriptDirectory.from_config(config).get_current_head()
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision() == newest

    def is_initialised(self) -> bool:
        """Whether the schema exists (``accord init`` has run against this database)."""
        return inspect(self.engine).has_table(tables.objects.name)

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for reads; sees a consistent snapshot for its duration."""
        with self.engine.connect() as connection, connection.begin():
            yield connection

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write transaction, committed on success; writers are serialised by a lock row."""
        with self.engine.begin() as connection:
            connection.execute(
                update(tables.write_lock).values(generation=tables.write_lock.c.generation + 1)
            )
            yield connection

    def forget_inherited_connections(self) -> None:
        """In a forked process: drop the pooled connections of the parent, untouched (they
        still serve the parent), so this process opens its own."""
        self.engine.dispose(close=False)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside the writer; synchronous=FULL makes a commit durable
    # before it is acknowledged, so acknowledged writes survive a power loss too.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # A 64 MiB page cache keeps the indexes of a few million objects in memory on bulk
    # import; checkpointing every ~40 MiB of WAL rather than 4 MiB moves pages into the
    # database file in fewer, larger steps (durability comes from the WAL either way).
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
