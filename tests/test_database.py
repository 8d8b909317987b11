"""The schema: migrations produce exactly the declared tables on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from accord.core.database import Database
from accord.core.tables import metadata


def test_migrated_schema_matches_declared_tables(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_migrating_twice_changes_nothing(database: Database) -> None:
    database.migrate()
    with database.reading() as connection:
        assert connection.execute(text("SELECT count(*) FROM write_lock")).scalar_one() == 1


def test_sqlite_store_runs_in_wal_mode(sqlite_database: Database) -> None:
    with sqlite_database.reading() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
