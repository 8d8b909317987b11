"""The schema: migrations produce exactly the declared tables on both engines."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import insert, select, text

from accord.core import tables
from accord.core.database import MIGRATIONS_DIR, Database
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


def test_upgrade_indexes_the_labels_of_objects_stored_before_it(database: Database) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    stamp = datetime(2026, 3, 1, tzinfo=UTC)
    body = {"type": "indicator", "id": "indicator--1", "labels": ["area:cyber", "c2"]}
    with database.engine.begin() as connection:
        connection.execute(
            insert(tables.objects).values(
                seq=1, stix_id="indicator--1", type="indicator", spec_version="2.1",
                created=stamp, modified=stamp, date_added=stamp, owner="EU", tlp=None,
                release_list=None, revoked=False, is_latest=True, has_refs=False,
                body=json.dumps(body),
            )
        )  # fmt: skip
    database.migrate()
    with database.reading() as connection:
        found = connection.execute(select(tables.object_labels.c.label)).scalars().all()
    assert sorted(found) == ["area:cyber", "c2"]
    assert database.is_current()
